import { bundleWorth, readBundleParts } from './bundle.js';
import { checkProductDetails, MAX_STOCK_SHARDS, type Product } from './product.js';
import type { ShardLevels, StockLevels } from './stock.js';

/**
 * The catalog as a store holds it: items of plain fields. A product item carries the product's
 * details, `active`, `stockShards`, a bundle's `components`, and its own stock counters (onHand,
 * reserved, sold, and `available` = onHand − reserved, kept beside them because a store's
 * condition cannot subtract); each further stock shard is an item with counters and `active`.
 * Which item is which is the store's business; what an item means is decided here.
 */
export type StoredItem = Readonly<Record<string, unknown>>;

/** A product's items: its own, and its shard items 1…stockShards−1 as found (a missing one: undefined). */
export interface ProductItems {
  readonly product: StoredItem;
  readonly shards: readonly (StoredItem | undefined)[];
}

const COUNTERS = ['onHand', 'reserved', 'available', 'sold'] as const;
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/**
 * An item as a product, with its own item's counters. One that breaks the catalog's rules (the
 * rules an import enforces, whole non-negative counters, a shard count in range, a bundle that can
 * be invoiced) is no product: never sold at a wrong or missing price, never with a row missing.
 */
export function readProduct(item: StoredItem): Product | undefined {
  const parsed = checkProductDetails(item);
  if (!parsed.ok) return undefined;
  if (!COUNTERS.every((name) => isCount(item[name]))) return undefined;
  const shards = item.stockShards ?? 1;
  if (!Number.isSafeInteger(shards) || (shards as number) < 1 || (shards as number) > MAX_STOCK_SHARDS) {
    return undefined;
  }
  const components =
    item.components === undefined ? undefined : readBundleParts(item.components, parsed.value.currency);
  if (
    item.components !== undefined &&
    (!components || parsed.value.unitPriceMinor > bundleWorth(components))
  ) {
    return undefined;
  }
  return {
    ...parsed.value,
    onHand: item.onHand as number,
    reserved: item.reserved as number,
    available: item.available as number,
    sold: item.sold as number,
    active: item.active !== false,
    stockShards: shards as number,
    ...(components ? { components } : {}),
  };
}

/** One stock item's counters; an item that is gone, or whose counters are not whole, counts as empty. */
export function readLevels(item: StoredItem | undefined, shard: number): ShardLevels {
  const count = (name: (typeof COUNTERS)[number]) => (isCount(item?.[name]) ? (item?.[name] as number) : 0);
  return { shard, onHand: count('onHand'), reserved: count('reserved'), sold: count('sold') };
}

/** What a stock item held when a guard on it failed: for `saleRefusal`. */
export function readHeld(
  item: StoredItem | undefined,
): { active: boolean; available: number; reserved: number } | undefined {
  if (!item) return undefined;
  return {
    active: item.active !== false,
    available: isCount(item.available) ? item.available : 0,
    reserved: isCount(item.reserved) ? item.reserved : 0,
  };
}

export function sumLevels(all: readonly StockLevels[]): StockLevels {
  return all.reduce(
    (sum, one) => ({
      onHand: sum.onHand + one.onHand,
      reserved: sum.reserved + one.reserved,
      sold: sum.sold + one.sold,
    }),
    { onHand: 0, reserved: 0, sold: 0 },
  );
}

/**
 * A product with every shard's stock: its levels per shard (index = shard) and the product with
 * the sums, as an operator sees it. Undefined when the product item breaks the rules.
 */
export function readStock(items: ProductItems): { product: Product; shards: ShardLevels[] } | undefined {
  const product = readProduct(items.product);
  if (!product) return undefined;
  const shards = [
    readLevels(items.product, 0),
    ...items.shards.map((item, index) => readLevels(item, index + 1)),
  ];
  const total = sumLevels(shards);
  return { product: { ...product, ...total, available: total.onHand - total.reserved }, shards };
}
