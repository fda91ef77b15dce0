import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The webhook signature: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, one
 * `v1=` per secret while a secret is rotated (the new one first), so an endpoint that checks
 * either keeps working through the change. The scheme Stripe made familiar: the timestamp inside
 * the MAC lets a receiver refuse old replays; the raw body inside it refuses any re-encoding.
 */
export interface SigningSecrets {
  readonly current: string;
  readonly previous?: string | undefined;
}

export const hmac = (secret: string, t: number, body: string) =>
  createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex');

export function signatureHeader(secrets: SigningSecrets, t: number, body: string): string {
  const keys = secrets.previous ? [secrets.current, secrets.previous] : [secrets.current];
  return [`t=${t}`, ...keys.map((key) => `v1=${hmac(key, t, body)}`)].join(',');
}

export type Verdict =
  | { readonly valid: true; readonly t: number }
  | { readonly valid: false; readonly why: string };

/** Checks a delivery as a receiver should: a fresh `t` and one `v1` that matches, compared in constant time. */
export function verifySignature(
  header: string | undefined,
  body: string,
  secret: string,
  options: { readonly nowSeconds: number; readonly toleranceSeconds: number },
): Verdict {
  if (!header) return { valid: false, why: 'no signature header' };
  const parts = header.split(',').map((part) => part.trim().split('='));
  const t = Number(parts.find(([name]) => name === 't')?.[1]);
  if (!Number.isInteger(t)) return { valid: false, why: 'no timestamp in the signature' };
  if (Math.abs(options.nowSeconds - t) > options.toleranceSeconds) {
    return { valid: false, why: `timestamp ${t} is outside the ${options.toleranceSeconds} s tolerance` };
  }
  const expected = Buffer.from(hmac(secret, t, body), 'hex');
  const matches = parts
    .filter(([name, value]) => name === 'v1' && /^[0-9a-f]{64}$/.test(value ?? ''))
    .some(([, value]) => timingSafeEqual(Buffer.from(value as string, 'hex'), expected));
  return matches ? { valid: true, t } : { valid: false, why: 'no v1 signature matches the secret' };
}
