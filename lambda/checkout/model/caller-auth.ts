import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares a secret-derived value in constant time, so timing leaks nothing about it. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token Glase sends: hex SHA-256 of webshopId + secret (its Invoice Service convention). */
export function callerToken(webshopId: string, secret: string): string {
  return createHash('sha256').update(`${webshopId}${secret}`).digest('hex');
}

export function isCallerToken(given: string | undefined, webshopId: string, secret: string): boolean {
  return sameSecret(given, callerToken(webshopId, secret));
}
