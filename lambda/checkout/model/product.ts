import type { FieldIssue } from './errors.js';
import { FieldReader, matches, SHOWN_LINES, SHOWN_TEXT } from './fields.js';
import type { StockLevels } from './stock.js';

export const PURCHASE_TOKEN = /^[A-Za-z0-9._-]{1,64}$/;
export const PURCHASE_TOKEN_RULE = matches(PURCHASE_TOKEN, 'must be 1-64 letters, digits, ".", "_" or "-"');

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

/**
 * One component as a bundle sells it (bundle.ts): the product's details when the bundle was
 * imported (a later price change of the product reaches the bundle when it is imported again).
 */
export interface BundlePart extends Omit<ProductDetails, 'currency'> {
  readonly quantity: number;
}

/** A product as the catalog holds it: details, stock, and whether it is for sale. */
export interface Product extends ProductDetails, StockLevels {
  /** onHand − reserved: what a purchase may still take. */
  readonly available: number;
  readonly active: boolean;
  /**
   * How many items its stock is spread over (1: the product's own counters). Every purchase of
   * a product writes its stock item, and one item takes only so many writes a second; a drop
   * that needs more spreads the units over shards, each purchase taking from one of them
   * (docs/hot-products.md). The counters above are the sum over all shards, except where a
   * purchase reads the product (`Store.readForPurchase`): there they are the product item's own.
   */
  readonly stockShards: number;
  /**
   * Present: a bundle (bundle.ts). It has no stock of its own; where the catalog is read for an
   * operator its `available` is how many bundles its components allow.
   */
  readonly components?: readonly BundlePart[] | undefined;
}

/** The most shards one product's stock may be spread over (one transaction moves them all). */
export const MAX_STOCK_SHARDS = 32;

/** A catalog row as a merchant supplies it: details and how many are on the shelf. */
export interface CatalogEntry extends ProductDetails {
  readonly onHand: number;
}

export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: FieldIssue[] };

function readDetails(read: FieldReader, input: Readonly<Record<string, unknown>>): ProductDetails {
  const details: ProductDetails = {
    purchaseToken: read.text('purchaseToken', { trim: false, rules: [PURCHASE_TOKEN_RULE] }),
    sku: read.text('sku', { empty: 'is required', max: 64, rules: [SHOWN_TEXT] }),
    description: read.text('description', { empty: 'is required', max: 200, rules: [SHOWN_LINES] }),
    unitPriceMinor: read.wholeNumber('unitPriceMinor', 0),
    currency: read.text('currency', {
      trim: false,
      rules: [matches(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as SEK')],
    }),
    taxRatePercent: read.wholeNumber('taxRatePercent', 0, 100),
  };
  if (input.ean === undefined) return details;
  const ean = read.text('ean', { trim: false, rules: [matches(/^\d{8,14}$/, 'must be 8-14 digits')] });
  return { ...details, ean };
}

/** A product's details: the catalog import, the seed file and every stored product go through it. */
export function checkProductDetails(input: Readonly<Record<string, unknown>>): Checked<ProductDetails> {
  const read = new FieldReader(input);
  const value = readDetails(read, input);
  return read.issues.length ? { ok: false, issues: read.issues } : { ok: true, value };
}

/** A catalog row: the details plus the units on the shelf. */
export function checkCatalogEntry(input: Readonly<Record<string, unknown>>): Checked<CatalogEntry> {
  const read = new FieldReader(input);
  const value = { ...readDetails(read, input), onHand: read.wholeNumber('onHand', 0) };
  return read.issues.length ? { ok: false, issues: read.issues } : { ok: true, value };
}
