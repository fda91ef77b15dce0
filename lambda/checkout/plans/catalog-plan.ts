import { type Bundle, bundleHasNoStock, bundleInTheWay, isBundle, productInTheWay } from '../model/bundle.js';
import { RefusedError } from '../model/errors.js';
import { type CatalogEntry, MAX_STOCK_SHARDS, type Product } from '../model/product.js';
import { type ShardLevels, spreadStock } from '../model/stock.js';
import type { Change, Refusal, StockItemWrite } from './change.js';

/**
 * The catalog's rules as plans, the way order-plan.ts plans orders: each takes the product as
 * read (its items, per shard) and answers the writes that make the operator's change — every one
 * guarded by the items being as read — or refuses, saying why. A store applies the writes; when a
 * guard fails because a purchase moved the stock meanwhile, the caller reads again and plans again
 * (`replan`), so every refusal a merchant sees is decided here, on fresh numbers.
 */

/** An operator's stock change: set what is on hand, or move it by a number of units. */
export type StockChange = { readonly set: number } | { readonly delta: number };

/** A product as a plan reads it: the sums, and each stock item's counters (index = shard). */
export interface ReadStock {
  readonly product: Product;
  readonly shards: readonly ShardLevels[];
}

const replan: Refusal = { kind: 'replan' };

/** A product that may not exist yet: created where nothing is; where something is, read and `planUpdate`. */
export function planCreate(entry: CatalogEntry): Change {
  const { onHand, ...details } = entry;
  return { writes: [{ kind: 'product', details, create: { onHand }, refusal: replan }] };
}

/**
 * An existing item's new details. Refused where the token is a bundle's: one token, one kind.
 * (A store writes an item once per change: setting its stock as well is `planStock`'s change.)
 */
export function planUpdate(read: ReadStock, entry: CatalogEntry): Change {
  if (isBundle(read.product)) throw new RefusedError(bundleInTheWay(entry.purchaseToken));
  const { onHand: _stock, ...details } = entry;
  return { writes: [{ kind: 'product', details, refusal: replan }] };
}

/** A bundle's item, new or replacing a bundle's: refused where the token is a product with stock. */
export function planBundle(bundle: Bundle): Change {
  return {
    writes: [
      {
        kind: 'bundle',
        bundle,
        refusal: { kind: 'refuse', error: () => new RefusedError(productInTheWay(bundle.purchaseToken)) },
      },
    ],
  };
}

/**
 * Sets or moves onHand. Never below what open orders hold (a set), never taking units that are not
 * available (a move): a reservation is never overwritten. A product with one stock item changes by
 * a delta, so purchases landing meanwhile never make it fail; a sharded one is spread again.
 */
export function planStock(read: ReadStock, change: StockChange): Change {
  const { product } = read;
  const amount = 'set' in change ? change.set : change.delta;
  if (!Number.isSafeInteger(amount) || ('set' in change && amount < 0)) {
    throw new RefusedError('stock must be a whole number ≥ 0');
  }
  if (isBundle(product)) throw new RefusedError(bundleHasNoStock(product));
  const { purchaseToken } = product;
  if ('delta' in change && change.delta < 0 && product.available < -change.delta) {
    throw new RefusedError(
      `only ${product.available} of ${purchaseToken} available; cannot take ${-change.delta}`,
    );
  }
  if (product.stockShards > 1) {
    const onHand = 'set' in change ? change.set : product.onHand + change.delta;
    return {
      writes: spreadWrites(
        read,
        spreadStock(purchaseToken, read.shards, { shards: product.stockShards, onHand }),
      ),
    };
  }
  if ('set' in change && change.set < product.reserved) {
    throw new RefusedError(
      `${purchaseToken}: ${change.set} on hand is fewer than the ${product.reserved} held by open orders; set at least ${product.reserved}`,
    );
  }
  const delta = 'set' in change ? change.set - product.onHand : change.delta;
  return {
    writes: [
      {
        kind: 'stock',
        delta: {
          purchaseToken,
          onHand: delta,
          reserved: 0,
          sold: 0,
          ...(delta < 0 ? { requireAvailable: -delta } : {}),
        },
        ...('set' in change ? { onHandWas: product.onHand, reservedAtMost: change.set } : {}),
        refusal: replan,
      },
    ],
  };
}

/** On sale or off: every stock item carries the flag, so a reservation reads only its own item. */
export function planActive(read: ReadStock, active: boolean): Change {
  const { purchaseToken, stockShards } = read.product;
  return {
    writes: Array.from({ length: stockShards }, (_, shard) => ({
      kind: 'active' as const,
      purchaseToken,
      shard,
      active,
      ...(shard === 0 ? { shardCount: stockShards } : {}),
      refusal: replan,
    })),
  };
}

/** Spreads the product's stock over `shards` items (1 undoes it), the units on hand unchanged. */
export function planShards(read: ReadStock, shards: number): Change {
  if (!Number.isSafeInteger(shards) || shards < 1 || shards > MAX_STOCK_SHARDS) {
    throw new RefusedError(`stock shards must be a whole number from 1 to ${MAX_STOCK_SHARDS}`);
  }
  if (isBundle(read.product)) throw new RefusedError(bundleHasNoStock(read.product));
  const { purchaseToken, onHand } = read.product;
  return { writes: spreadWrites(read, spreadStock(purchaseToken, read.shards, { shards, onHand })) };
}

/**
 * The writes from the shards as read to `next`, each only if its item is still as read — and the
 * product item also only if its shard count and flag are: the product item and its shards are
 * read one after the other, so a re-spread may land between the two reads, leaving the product
 * item's counters as they were and changing only which shards exist. Without the count, a plan
 * from such a torn read would pass every guard and lose the units on the shards it did not see.
 */
function spreadWrites(read: ReadStock, next: readonly ShardLevels[]): StockItemWrite[] {
  const { purchaseToken, active, stockShards } = read.product;
  const item = (shard: number, levels: ShardLevels | undefined): StockItemWrite => {
    const seen = read.shards.find((candidate) => candidate.shard === shard);
    return {
      kind: 'stock-item',
      purchaseToken,
      shard,
      levels: levels && { onHand: levels.onHand, reserved: levels.reserved, sold: levels.sold },
      expected: seen ? { onHand: seen.onHand, reserved: seen.reserved, sold: seen.sold } : 'absent',
      active,
      ...(shard === 0 ? { shardCount: { was: stockShards, becomes: next.length } } : {}),
      refusal: replan,
    };
  };
  const leaving = read.shards.filter((seen) => seen.shard >= next.length);
  return [
    ...next.map((levels) => item(levels.shard, levels)),
    ...leaving.map((seen) => item(seen.shard, undefined)),
  ];
}
