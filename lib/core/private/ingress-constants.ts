/** The port the proxy listens on inside its container (the host port maps to it). */
export const INGRESS_CONTAINER_PORT = 8080;

/** The environment variable that carries the proxy's configuration into its container. */
export const INGRESS_CONFIG_ENV = 'HOIST_INGRESS_CONFIG';
