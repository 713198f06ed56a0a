/** The environment variable that carries an ingress proxy's configuration into its container. */
export const INGRESS_CONFIG_ENV = 'HOIST_INGRESS_CONFIG';

/**
 * Where the proxy's entrypoint writes that configuration when the container starts, and where
 * Hoist replaces it when only the configuration changed (then the proxy reloads in place), so
 * the file, not the environment, is what the running proxy serves.
 */
export const INGRESS_CONFIG_PATH = '/tmp/hoist-ingress.cfg';

/**
 * A copy of the configuration the running proxy has loaded: written with the file at start,
 * and after a reload only once the new process answers. The plan reads this one, so a run
 * killed between putting a new file in place and the reload shows the change again.
 */
export const INGRESS_LOADED_CONFIG_PATH = '/tmp/hoist-ingress.loaded.cfg';

/** The proxy's server states, saved before a reload so the new process keeps addresses and drains. */
export const INGRESS_STATE_PATH = '/tmp/hoist-ingress.state';
