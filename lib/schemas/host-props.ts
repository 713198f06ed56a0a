import { z } from 'zod';
import { absolutePath, describe, identifier, port, singleLine, stringMap } from './common';
import { rejectUnknownKeys } from './unknown-keys';

const FINGERPRINT_PATTERN = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

const hostFields = {
  address: singleLine.refine((v) => !/\s/.test(v) && !v.startsWith('-'), {
    error: (i) => `${describe(i.input)} is not a host address (no spaces, not starting with "-")`,
  }),
  hostName: identifier.optional(),
  port: port.optional(),
  user: singleLine.regex(/^[a-z_][a-z0-9_.-]*\$?$/i, { error: (i) => `${describe(i.input)} is not a user name` }).optional(),
  identityFile: singleLine.optional(),
  identityPassphraseEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: (i) => `${describe(i.input)} is not an environment variable name` }).optional(),
  knownHostsFile: singleLine.optional(),
  hostKeyFingerprint: z.string().regex(FINGERPRINT_PATTERN, {
    error: (i) => `${describe(i.input)} is not a host key fingerprint (expected "SHA256:" and 43 base64 characters, as ssh-keygen -lf prints)`,
  }).optional(),
  engine: z.enum(['docker', 'podman', 'detect'], { error: (i) => `${describe(i.input)} is not an engine (docker, podman or detect)` }).optional(),
  engineSocket: absolutePath.optional(),
  roles: z.array(identifier).optional(),
  labels: stringMap.optional(),
  arch: z.string().regex(/^[a-z0-9_]+$/, { error: (i) => `${describe(i.input)} is not an architecture (e.g. amd64, arm64)` }).optional(),
  local: z.boolean().optional(),
};

/** Props of a Host construct. */
export const hostPropsSchema = z.strictObject(hostFields, { error: rejectUnknownKeys });

/** One host in an inventory file: HostProps plus its name. */
export const inventoryHostSchema = z.strictObject({ ...hostFields, name: identifier }, { error: rejectUnknownKeys });

/** An inventory file: `{ "hosts": [ ... ] }`. */
export const inventoryFileSchema = z.strictObject({
  hosts: z.array(inventoryHostSchema, { error: 'expected "hosts" to be a list of hosts' }),
}, { error: rejectUnknownKeys });
