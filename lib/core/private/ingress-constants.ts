/** The port the proxy listens on inside its container (the host port maps to it). */
export const INGRESS_CONTAINER_PORT = 8080;

export { INGRESS_CONFIG_ENV, INGRESS_CONFIG_PATH, INGRESS_LOADED_CONFIG_PATH, INGRESS_STATE_PATH } from '../../values/ingress-config';

/** The port the proxy serves HTTPS on inside its container. */
export const INGRESS_TLS_CONTAINER_PORT = 8443;

/** Where the proxy finds its certificate and key (a secret file). */
export const INGRESS_CERTIFICATE_PATH = '/run/secrets/hoist-ingress/certificate.pem';
