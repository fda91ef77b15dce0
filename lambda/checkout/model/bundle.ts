import type { FieldIssue } from './errors.js';
import { FieldReader, matches, SHOWN_LINES, SHOWN_TEXT } from './fields.js';
import type { InvoiceRow } from './invoice.js';
import { sumMinor } from './money.js';
import {
  type BundlePart,
  type Checked,
  checkProductDetails,
  type Product,
  type ProductDetails,
  PURCHASE_TOKEN,
  PURCHASE_TOKEN_RULE,
} from './product.js';

/**
 * A bundle sells several catalog products under one purchase token (Glase: "the id of the
 * product or product bundle"). It has no stock of its own: each purchase reserves every
 * component's units in the order's own transaction, so a bundle is sold out as soon as any
 * component is, and a bundle and a single purchase can never both take the last unit.
 */

/**
 * Most components one bundle may have. Every component is one more item in the order's largest
 * transaction, and DynamoDB takes at most 100 items in one; the order's own items (the order, its
 * request record, two shopper counters, two lookup entries) leave far more room than this.
 */
export const MAX_BUNDLE_COMPONENTS = 25;
/** Most units of one component in one bundle. */
export const MAX_COMPONENT_QUANTITY = 99;

/** A component as a merchant names it: which product, how many. */
export interface ComponentEntry {
  readonly purchaseToken: string;
  readonly quantity: number;
}

/** A bundle as a merchant writes it in a catalog file. */
export interface BundleEntry {
  readonly purchaseToken: string;
  readonly sku: string;
  readonly description: string;
  readonly currency: string;
  readonly components: readonly ComponentEntry[];
  /** What the bundle costs; absent: the sum of its components. */
  readonly priceMinor?: number | undefined;
}

export type { BundlePart } from './product.js';

/** A bundle as the catalog keeps it: its own details plus its parts. */
export interface Bundle extends ProductDetails {
  readonly components: readonly BundlePart[];
}

/** Checks a bundle's own fields and its component list; whether the components exist is `composeBundle`'s. */
export function checkBundleEntry(input: Readonly<Record<string, unknown>>): Checked<BundleEntry> {
  const read = new FieldReader(input);
  const purchaseToken = read.text('purchaseToken', { trim: false, rules: [PURCHASE_TOKEN_RULE] });
  const sku = read.text('sku', { empty: 'is required', max: 64, rules: [SHOWN_TEXT] });
  const description = read.text('description', { empty: 'is required', max: 200, rules: [SHOWN_LINES] });
  const currency = read.text('currency', {
    trim: false,
    rules: [matches(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as SEK')],
  });
  const priceMinor = input.priceMinor === undefined ? undefined : read.wholeNumber('priceMinor', 0);
  const issues: FieldIssue[] = [...read.issues];
  const components = readComponents(input.components, purchaseToken, issues);
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, value: { purchaseToken, sku, description, currency, components, priceMinor } };
}

function readComponents(raw: unknown, bundleToken: string, issues: FieldIssue[]): ComponentEntry[] {
  const field = 'components';
  if (!Array.isArray(raw) || raw.length === 0) {
    issues.push({ field, message: 'must list at least one product' });
    return [];
  }
  if (raw.length > MAX_BUNDLE_COMPONENTS) {
    issues.push({
      field,
      message: `has ${raw.length} products; a bundle may have at most ${MAX_BUNDLE_COMPONENTS} (each is one more write in the purchase's transaction)`,
    });
    return [];
  }
  const seen = new Set<string>();
  return raw.flatMap((component: unknown, index): ComponentEntry[] => {
    const at = `${field}[${index + 1}]`;
    const { purchaseToken, quantity } = (component ?? {}) as Record<string, unknown>;
    const before = issues.length;
    if (typeof purchaseToken !== 'string' || !PURCHASE_TOKEN.test(purchaseToken)) {
      issues.push({ field: at, message: 'must name a product by its purchase token' });
    } else if (purchaseToken === bundleToken) {
      issues.push({ field: at, message: 'a bundle cannot contain itself' });
    } else if (seen.has(purchaseToken)) {
      issues.push({ field: at, message: `${purchaseToken} is listed twice; give it a quantity instead` });
    }
    if (
      !Number.isSafeInteger(quantity) ||
      (quantity as number) < 1 ||
      (quantity as number) > MAX_COMPONENT_QUANTITY
    ) {
      issues.push({
        field: at,
        message: `quantity must be a whole number from 1 to ${MAX_COMPONENT_QUANTITY}`,
      });
    }
    if (issues.length > before) return [];
    seen.add(purchaseToken as string);
    return [{ purchaseToken: purchaseToken as string, quantity: quantity as number }];
  });
}

/** What a bundle needs to know of a component product (a catalog row or a stored product). */
export type ComponentSource = ProductDetails & { readonly stockShards?: number | undefined };

/**
 * The bundle as it will be stored: each component's details taken from its product. Refused, with
 * every reason, when a component is unknown, is itself a bundle, is priced in another currency or
 * keeps its stock spread over shards (a bundle reserves each component on its one stock item),
 * or when the bundle's price is above what its components cost (the difference is written as a
 * discount on the invoice rows, and a discount cannot be negative).
 */
export function composeBundle(
  entry: BundleEntry,
  /** The product a token names; `'bundle'` when it names a bundle; undefined when nothing. */
  productOf: (purchaseToken: string) => ComponentSource | 'bundle' | undefined,
  terms: { readonly allowDeepDiscount?: boolean } = {},
): Checked<Bundle> {
  const issues: FieldIssue[] = [];
  const parts = entry.components.flatMap((component, index): BundlePart[] => {
    const field = `components[${index + 1}]`;
    const product = productOf(component.purchaseToken);
    const problem = !product
      ? `${component.purchaseToken} is not in the catalog or this file`
      : product === 'bundle'
        ? `${component.purchaseToken} is a bundle; list its products instead`
        : product.currency !== entry.currency
          ? `${component.purchaseToken} is priced in ${product.currency}, the bundle in ${entry.currency}`
          : (product.stockShards ?? 1) > 1
            ? `${component.purchaseToken} keeps its stock over ${product.stockShards} shards; set it back to 1 to bundle it`
            : undefined;
    if (problem || !product || product === 'bundle') {
      issues.push({ field, message: problem ?? '' });
      return [];
    }
    return [
      {
        purchaseToken: component.purchaseToken,
        sku: product.sku,
        description: product.description,
        unitPriceMinor: product.unitPriceMinor,
        taxRatePercent: product.taxRatePercent,
        ...(product.ean ? { ean: product.ean } : {}),
        quantity: component.quantity,
      },
    ];
  });
  if (issues.length > 0) return { ok: false, issues };
  const worth = bundleWorth(parts);
  const price = entry.priceMinor ?? worth;
  if (price > worth) {
    return {
      ok: false,
      issues: [{ field: 'price', message: `is above what its components cost (${worth} minor units)` }],
    };
  }
  if (price === 0 && worth > 0) {
    return { ok: false, issues: [{ field: 'price', message: 'is 0: a bundle is never given away' }] };
  }
  if (!terms.allowDeepDiscount && price * 100 < worth * BUNDLE_FLOOR_PERCENT) {
    return {
      ok: false,
      issues: [
        {
          field: 'price',
          message: `is below ${BUNDLE_FLOOR_PERCENT} % of what its components cost (${worth} minor units): a typo gives goods away; import with --allow-deep-discount if it is meant`,
        },
      ],
    };
  }
  return {
    ok: true,
    value: {
      purchaseToken: entry.purchaseToken,
      sku: entry.sku,
      description: entry.description,
      currency: entry.currency,
      unitPriceMinor: price,
      // Each invoice row carries its own rate; the bundle's is the highest, for listings.
      taxRatePercent: Math.max(...parts.map((part) => part.taxRatePercent)),
      components: parts,
    },
  };
}

/**
 * The least a bundle may cost without `--allow-deep-discount`, as a share of its components'
 * worth. Bundle deals run at 10–30 % off; half price is already a clearance. Below it, a price is
 * far likelier a typo (a missing digit, öre for kronor) than an offer, and a typo here ships goods
 * for nothing until someone notices.
 */
export const BUNDLE_FLOOR_PERCENT = 50;

/** What a bundle's components cost one by one: the most the bundle may cost. */
export function bundleWorth(parts: readonly Pick<BundlePart, 'unitPriceMinor' | 'quantity'>[]): number {
  return sumMinor(parts.map((part) => part.unitPriceMinor * part.quantity));
}

/**
 * One row of what an order sold: one per component of a bundle, else the product itself. It is
 * the invoice row, plus which product's stock it came from; a bundle's discount share is its
 * `discountMinor`.
 */
export interface OrderLine extends InvoiceRow {
  readonly purchaseToken: string;
}

/**
 * The invoice rows of `units` bundles: one per component, with the bundle's discount (what its
 * components cost minus its price) shared out in proportion to each row's amount, whole minor
 * units only; the remainder goes one unit at a time to the rows with the largest fractions. So
 * the rows add up to the bundle's price exactly, and no row's discount exceeds its amount.
 */
export function bundleLines(
  bundle: Pick<Bundle, 'components' | 'unitPriceMinor'>,
  units: number,
): OrderLine[] {
  const gross = bundle.components.map((part) => part.unitPriceMinor * part.quantity * units);
  const worth = sumMinor(gross);
  const discount = worth - bundle.unitPriceMinor * units;
  if (discount < 0) throw new RangeError('a bundle may not cost more than its components');
  // BigInt: discount × amount can pass 2^53 for large orders.
  const shares = gross.map((amount) =>
    worth === 0 ? { whole: 0n, rest: 0n } : split(BigInt(discount) * BigInt(amount), BigInt(worth)),
  );
  let left = discount - shares.reduce((sum, share) => sum + Number(share.whole), 0);
  const byRest = shares
    .map((share, index) => ({ index, rest: share.rest }))
    .sort((a, b) => (a.rest === b.rest ? a.index - b.index : a.rest > b.rest ? -1 : 1));
  const extra = new Array<number>(gross.length).fill(0);
  for (const { index } of byRest) {
    if (left === 0) break;
    extra[index] = 1;
    left--;
  }
  return bundle.components.map((part, index) => {
    const discountMinor = Number((shares[index] as { whole: bigint }).whole) + (extra[index] as number);
    const amount = gross[index] as number;
    return {
      purchaseToken: part.purchaseToken,
      sku: part.sku,
      description: part.description,
      ...(part.ean ? { ean: part.ean } : {}),
      quantity: part.quantity * units,
      unitPriceMinor: part.unitPriceMinor,
      ...(discountMinor > 0 ? { discountMinor } : {}),
      totalMinor: amount - discountMinor,
      taxRatePercent: part.taxRatePercent,
    };
  });
}

const split = (numerator: bigint, denominator: bigint) => ({
  whole: numerator / denominator,
  rest: numerator % denominator,
});

/** How many of the bundle could be sold now: limited by its scarcest component. */
export function bundleAvailable(
  bundle: Pick<Bundle, 'components'>,
  availableOf: (purchaseToken: string) => number,
): number {
  return Math.min(
    ...bundle.components.map((part) =>
      Math.floor(Math.max(0, availableOf(part.purchaseToken)) / part.quantity),
    ),
  );
}

/**
 * A bundle's parts as stored, checked by the catalog's own rules: one part that breaks them makes
 * the whole bundle unreadable (undefined), so it is never sold with a row missing or mispriced.
 */
export function readBundleParts(raw: unknown, currency: string): BundlePart[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_BUNDLE_COMPONENTS) return undefined;
  const parts: BundlePart[] = [];
  for (const item of raw as unknown[]) {
    if (typeof item !== 'object' || item === null) return undefined;
    const { quantity } = item as Record<string, unknown>;
    const details = checkProductDetails({ ...(item as Record<string, unknown>), currency });
    if (!details.ok || !Number.isSafeInteger(quantity) || (quantity as number) < 1) return undefined;
    const { currency: _same, ...part } = details.value;
    parts.push({ ...part, quantity: quantity as number });
  }
  return parts;
}

/** One token, one kind: a product's token cannot become a bundle's, nor the other way. */
export function productInTheWay(purchaseToken: string): string {
  return `${purchaseToken} is a product with stock of its own; give the bundle a purchase token of its own`;
}
export function bundleInTheWay(purchaseToken: string): string {
  return `${purchaseToken} is a bundle; give the product a purchase token of its own`;
}

/** Refused stock commands on a bundle say where its stock is. */
export function bundleHasNoStock(bundle: Pick<Bundle, 'purchaseToken' | 'components'>): string {
  const names = bundle.components.map((part) => part.purchaseToken).join(', ');
  return `${bundle.purchaseToken} is a bundle: it has no stock of its own, its components' (${names}) sell it`;
}

/** A product that is a bundle. */
export function isBundle(product: Pick<Product, 'components'>): product is Product & Bundle {
  return product.components !== undefined;
}
