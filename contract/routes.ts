/**
 * The HTTP routes Glase calls, as API Gateway resources. `infra/` builds the API from them,
 * `local/` serves them, the handlers answer them and sign the notification URL with them.
 */

/** createPurchase with the secret URL key in its path (the deployed default) or without. */
export const CREATE_PURCHASE_RESOURCE = {
  'url-key': '/webshop/{urlKey}/createPurchase',
  plain: '/webshop/createPurchase',
} as const;

/** The notification Glase sends when something happened to an invoice. */
export const NOTIFY_RESOURCE = '/webshop/notify/{orderId}';
/** Every notification path starts so (the WAF's own rule for notifications matches it). */
export const NOTIFY_PATH_PREFIX = '/webshop/notify/';

export function notifyPath(orderId: string): string {
  return `${NOTIFY_PATH_PREFIX}${encodeURIComponent(orderId)}`;
}

/** The largest createPurchase body taken (API Gateway and the handler): a real one is a few hundred bytes. */
export const MAX_PURCHASE_BODY_BYTES = 16 * 1024;
/** Glase's notification is empty; anything sizeable is not from Glase. */
export const MAX_NOTIFICATION_BODY_BYTES = 1024;
