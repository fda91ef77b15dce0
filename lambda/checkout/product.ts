import { z } from 'zod';

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

/** A catalog row as a merchant supplies it; the seed file and the CLI import both go through it. */
export const productSchema = z.object({
  purchaseToken: z.string().regex(PURCHASE_TOKEN, { error: 'must be 1-64 letters, digits, ".", "_" or "-"' }),
  sku: z.string().trim().min(1).max(64),
  description: z.string().trim().min(1).max(200),
  unitPriceMinor: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  currency: z.string().regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code such as SEK' }),
  taxRatePercent: z.number().int().min(0).max(100),
  available: z.number().int().nonnegative(),
  ean: z
    .string()
    .regex(/^\d{8,14}$/, { error: 'must be 8-14 digits' })
    .optional(),
});
