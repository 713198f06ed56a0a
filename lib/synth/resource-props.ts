import { z } from 'zod';
import { cidr, describe, identifier, singleLine, stringMap } from '../schemas/common';
import { rejectUnknownKeys } from '../schemas/unknown-keys';
import { serviceDefaultsSchema } from './service-props';


export const stackPropsSchema = z.strictObject({
  stackName: identifier.optional(),
  defaults: serviceDefaultsSchema.optional(),
}, { error: rejectUnknownKeys });

export const volumePropsSchema = z.strictObject({
  volumeName: identifier.optional(),
  driver: identifier.optional(),
  options: stringMap.optional(),
  retainOnDelete: z.boolean().optional(),
  existingName: identifier.optional(),
}, { error: rejectUnknownKeys });

export const networkPropsSchema = z.strictObject({
  networkName: identifier.optional(),
  driver: identifier.optional(),
  internalOnly: z.boolean().optional(),
  subnet: cidr.optional(),
  existingName: identifier.optional(),
}, { error: rejectUnknownKeys });

export const secretPropsSchema = z.strictObject({
  secretName: identifier.optional(),
  fromEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: (i) => `${describe(i.input)} is not an environment variable name` }).optional(),
  fromFile: singleLine.optional(),
  fromCommand: z.array(z.string()).min(1, { error: 'must name a command' }).optional(),
}, { error: rejectUnknownKeys }).refine(
  (p) => [p.fromEnv, p.fromFile, p.fromCommand].filter((s) => s !== undefined).length === 1,
  { error: 'needs exactly one source: fromEnv, fromFile or fromCommand (use Secret.fromEnv / fromFile / fromCommand)' },
);
