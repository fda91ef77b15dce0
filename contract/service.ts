/** Who the functions are to logs and metrics: the alarms and the dashboard look here. */
export const SERVICE_NAME = 'glase-checkout';
export const METRICS_NAMESPACE = 'GlaseCheckout';
/**
 * How long a secret read from Secrets Manager is kept: in the process by the code, and as long
 * again by the Parameters and Secrets extension, so a rotated secret reaches warm containers
 * within twice this, without a redeploy.
 */
export const SECRET_CACHE_SECONDS = 150;
/** Prices without a currency of their own are in this one. */
export const DEFAULT_CURRENCY = 'SEK';
/**
 * The createPurchase function's timeout: the stack's, the local API emulation's, and the end of
 * every attempt's claim on its order. A RESERVED order older than twice this was given up.
 */
export const CREATE_PURCHASE_TIMEOUT_SECONDS = 15;
