import { createHmac } from 'node:crypto';
import { sameSecret } from './caller-auth.js';

/**
 * Glase calls the notificationUrl with an empty body and no credentials, so the URL itself
 * must prove it came from us: `sig` is an HMAC of the order id under a key only we hold.
 */
export function signOrderId(orderId: string, signingKey: string): string {
  return createHmac('sha256', signingKey).update(orderId).digest('base64url');
}

export function isValidSignature(
  orderId: string,
  signature: string | undefined,
  signingKey: string,
): boolean {
  return Boolean(signature) && sameSecret(signature, signOrderId(orderId, signingKey));
}
