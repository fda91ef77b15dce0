import * as z from 'zod/mini';

export const PURCHASE_TOKEN = /^[A-Za-z0-9._-]{1,64}$/;

export interface Product {
  readonly purchaseToken: string;
  readonly sku: string;
  readonly description: string;
  readonly unitPriceMinor: number;
  readonly currency: string;
  readonly taxRatePercent: number;
  readonly available: number;
  readonly sold?: number | undefined;
  readonly ean?: string | undefined;
}

const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .int({ error: 'must be a whole number' })
    .check(
      z.minimum(min, { error: `must be at least ${min}` }),
      z.maximum(max, { error: `must be at most ${max}` }),
    );

/** A catalog row as a merchant supplies it; the seed file and the CLI import both go through it. */
export const productSchema = z.object({
  purchaseToken: z
    .string()
    .check(z.regex(PURCHASE_TOKEN, { error: 'must be 1-64 letters, digits, ".", "_" or "-"' })),
  sku: z.string().check(z.trim(), z.minLength(1, { error: 'is required' }), z.maxLength(64)),
  description: z.string().check(z.trim(), z.minLength(1, { error: 'is required' }), z.maxLength(200)),
  unitPriceMinor: wholeNumber(0),
  currency: z.string().check(z.regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code such as SEK' })),
  taxRatePercent: wholeNumber(0, 100),
  available: wholeNumber(0),
  ean: z.optional(z.string().check(z.regex(/^\d{8,14}$/, { error: 'must be 8-14 digits' }))),
});
