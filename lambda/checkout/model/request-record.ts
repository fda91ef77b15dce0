import { createHash } from 'node:crypto';
import type { PurchaseRequest } from './purchase-request.js';
import { canonicalPhone, holderEmail } from './shopper.js';

/**
 * What a retried createPurchase finds: the request it repeats and how far that got. It lives
 * beside the order, written in the same transactions (claimed with the reservation, completed
 * with the invoice, released when the order fails or is cancelled), so a replay is one read.
 */
export interface RequestRecord {
  /** sha256 of the Idempotency-Key, or failing that of the body. */
  readonly key: string;
  /** sha256 of the validated body: a key reused with another body is refused. */
  readonly fingerprint: string;
  readonly orderId: string;
  readonly state: 'IN_PROGRESS' | 'COMPLETED';
  readonly invoiceReference?: string | undefined;
  /** Epoch seconds: after this the request is forgotten (DynamoDB TTL). */
  readonly expiresAt: number;
  /** Epoch ms: an IN_PROGRESS record older than this was left by a request that died. */
  readonly lockedUntil: number;
  /** Epoch ms: when the request was first taken (absent on records of older releases). */
  readonly claimedAt?: number | undefined;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The validated body, keys sorted: the same request however the JSON was written. */
function canonical(request: PurchaseRequest): string {
  const sorted = Object.fromEntries(Object.entries(request).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify(sorted);
}

export function requestKeys(
  request: PurchaseRequest,
  idempotencyKey?: string | undefined,
): { readonly key: string; readonly fingerprint: string } {
  const fingerprint = sha256(canonical(request));
  return { key: idempotencyKey ? sha256(`idempotency-key:${idempotencyKey}`) : fingerprint, fingerprint };
}

/**
 * Who the shopper is, for the cap on unpaid orders: their mailbox and their phone number
 * (model/shopper.ts: `holderEmail`, stricter than the search). Either one recognises the shopper.
 */
export function shopperKeys(request: Pick<PurchaseRequest, 'email' | 'msisdn'>): string[] {
  const keys = [`email:${holderEmail(request.email)}`];
  const digits = canonicalPhone(request.msisdn);
  if (digits) keys.push(`msisdn:${digits}`);
  return keys;
}
