/**
 * Where lib/apply/secret-values.ts still finds secret reading and fingerprinting, which moved
 * to lib/secrets/ so that synth and apply share them from below instead of apply importing
 * synth. Apply is being rewritten (the EngineDriver work) and is not edited here: switch its
 * import to ../secrets/... and delete this file (docs/architecture.md, "Folders").
 *
 * @deprecated import from lib/secrets/secret-fingerprint.ts and lib/secrets/read-secret-value.ts
 */
export { fingerprintKeyOf, fingerprintSecret, loadFingerprintKey, FINGERPRINT_KEY_ENV, type FingerprintKey } from '../secrets/secret-fingerprint';
export { readSecretValue, type SecretRead } from '../secrets/read-secret-value';
