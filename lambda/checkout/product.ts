import * as z from 'zod/mini';
import type { StockLevels } from './stock.js';

export const PURCHASE_TOKEN = /^[A-Za-z0-9._-]{1,64}$/;

/** What a product is, as the merchant describes it. */
export interface ProductDetails {
  readonly purchaseToken: string;
  readonly sku: string;
  readonly description: string;
  readonly unitPriceMinor: number;
  readonly currency: string;
  readonly taxRatePercent: number;
  readonly ean?: string | undefined;
}

/** A product as the catalog holds it: details, stock, and whether it is for sale. */
export interface Product extends ProductDetails, StockLevels {
  /** onHand − reserved: what a purchase may still take. */
  readonly available: number;
  readonly active: boolean;
}

/** A catalog row as a merchant supplies it: details and how many are on the shelf. */
export interface CatalogEntry extends ProductDetails {
  readonly onHand: number;
}

const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .int({ error: 'must be a whole number' })
    .check(
      z.minimum(min, { error: `must be at least ${min}` }),
      z.maximum(max, { error: `must be at most ${max}` }),
    );

const details = {
  purchaseToken: z
    .string()
    .check(z.regex(PURCHASE_TOKEN, { error: 'must be 1-64 letters, digits, ".", "_" or "-"' })),
  sku: z.string().check(z.trim(), z.minLength(1, { error: 'is required' }), z.maxLength(64)),
  description: z.string().check(z.trim(), z.minLength(1, { error: 'is required' }), z.maxLength(200)),
  unitPriceMinor: wholeNumber(0),
  currency: z.string().check(z.regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code such as SEK' })),
  taxRatePercent: wholeNumber(0, 100),
  ean: z.optional(z.string().check(z.regex(/^\d{8,14}$/, { error: 'must be 8-14 digits' }))),
};

/** A product's details: the catalog import, the seed file and every stored product go through it. */
export const productDetailsSchema = z.object(details);

/** A catalog row: the details plus the units on the shelf. */
export const catalogEntrySchema = z.object({ ...details, onHand: wholeNumber(0) });
