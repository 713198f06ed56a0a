import { type HostOpener, openHost as openHostOverSsh } from '../drivers/open-host';

/**
 * How the deploy functions reach a host: connect (SSH, or locally) and open its engine. The
 * default is Hoist's own ({@link openHostOverSsh}); tests pass one that returns an in-memory
 * engine. The returned `engine` is handed, as it is, to Hoist's engine, lock and apply code.
 */
export type { HostOpener };

/** The default {@link HostOpener}: SSH (or a local connection for hosts marked local). */
export const defaultHostOpener: HostOpener = openHostOverSsh;
