import { z } from 'zod';
import { absolutePath, describe, identifier, port, singleLine, stringMap } from './common';
import { rejectUnknownKeys } from './unknown-keys';
import { ENGINE_CHOICES, ENGINE_KINDS } from '../values/engine-kind';

const FINGERPRINT_PATTERN = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

/** An address ssh connects to: one word, never an option. */
export const hostAddress = singleLine.refine((v) => !/\s/.test(v) && !v.startsWith('-'), {
  error: (i) => `${describe(i.input)} is not a host address (no spaces, not starting with "-")`,
});

/** A user name ssh logs in as. */
export const sshUser = singleLine.regex(/^[a-z_][a-z0-9_.-]*\$?$/i, { error: (i) => `${describe(i.input)} is not a user name` });

/** The name of an environment variable Hoist reads (a passphrase, an agent socket). */
export const environmentVariableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: (i) => `${describe(i.input)} is not an environment variable name` });

/** A pinned host key fingerprint as `ssh-keygen -lf` prints it. */
export const hostKeyFingerprint = z.string().regex(FINGERPRINT_PATTERN, {
  error: (i) => `${describe(i.input)} is not a host key fingerprint (expected "SHA256:" and 43 base64 characters, as ssh-keygen -lf prints)`,
});

/** The engine a host runs, or `detect`. */
export const engineChoice = z.enum(ENGINE_CHOICES, { error: (i) => `${describe(i.input)} is not an engine (${ENGINE_KINDS.join(', ')} or detect)` });

/** A platform architecture name. */
export const architecture = z.string().regex(/^[a-z0-9_]+$/, { error: (i) => `${describe(i.input)} is not an architecture (e.g. amd64, arm64)` });

const hostFields = {
  address: hostAddress,
  privateAddress: z.union([z.ipv4(), z.ipv6()], { error: (i) => `${describe(i.input)} is not an IP address` }).optional(),
  hostName: identifier.optional(),
  port: port.optional(),
  user: sshUser.optional(),
  identityFile: singleLine.optional(),
  identityPassphraseEnv: environmentVariableName.optional(),
  knownHostsFile: singleLine.optional(),
  hostKeyFingerprint: hostKeyFingerprint.optional(),
  engine: engineChoice.optional(),
  engineSocket: absolutePath.optional(),
  roles: z.array(identifier).optional(),
  labels: stringMap.optional(),
  arch: architecture.optional(),
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
