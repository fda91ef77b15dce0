import {
  type CheckoutError,
  ProductNotForSaleError,
  RefusedError,
  SoldOutError,
  UnitsHeldError,
} from './errors.js';

/**
 * Stock, as the shop counts it: `onHand` units on the shelf, `reserved` of them held by open
 * orders, so `available` = onHand − reserved; `sold` counts units that left. An operator sets
 * onHand; only orders move `reserved`, so a stock count can never overwrite a reservation.
 */
export interface StockLevels {
  readonly onHand: number;
  readonly reserved: number;
  readonly sold: number;
}

/** What an order holds of one product's stock, recorded on the order when it reserves it. */
export interface StockHold {
  readonly purchaseToken: string;
  readonly quantity: number;
  /**
   * Which of the product's stock shards the units came from (see product.ts, `stockShards`);
   * absent or 0 for the product's own counters. Every later change goes back to that shard.
   */
  readonly shard?: number | undefined;
}

/**
 * A change to one product's counters, applied in the same transaction as the order's own
 * change. The store adds the deltas (and keeps `available` = onHand − reserved) and refuses the
 * whole transaction if a guard fails.
 */
export interface StockDelta {
  readonly purchaseToken: string;
  /** The shard whose counters change; absent or 0: the product's own. */
  readonly shard?: number | undefined;
  readonly onHand: number;
  readonly reserved: number;
  readonly sold: number;
  /** Refuse unless at least this many units are available before the change. */
  readonly requireAvailable?: number;
  /** Refuse unless the product is on sale. */
  readonly requireActive?: boolean;
  /**
   * Refuse unless no more than this many units are held by open orders once this change holds its
   * own: the share of units on hand unpaid invoices may hold (`heldCap`).
   */
  readonly heldAtMost?: number;
}

const delta = (
  hold: StockHold,
  counts: Partial<Pick<StockDelta, 'onHand' | 'reserved' | 'sold'>>,
): StockDelta => ({
  purchaseToken: hold.purchaseToken,
  ...(hold.shard ? { shard: hold.shard } : {}),
  onHand: counts.onHand ?? 0,
  reserved: counts.reserved ?? 0,
  sold: counts.sold ?? 0,
});

/**
 * Take units for an open order: only if that many are available, the product is on sale, and
 * (given `heldAtMost`) the units held by open orders stay within it.
 */
export function reserve(hold: StockHold, heldAtMost?: number): StockDelta {
  return {
    ...delta(hold, { reserved: hold.quantity }),
    requireAvailable: hold.quantity,
    requireActive: true,
    ...(heldAtMost === undefined ? {} : { heldAtMost }),
  };
}

/**
 * How many units of one stock item unpaid orders may hold at once: `sharePercent` of its units
 * on hand, at least one (a product with a unit must stay sellable). With 50 on hand and 50 %,
 * 25 unpaid invoices hold at most 25 units, and the other 25 wait for buyers who pay.
 */
export function heldCap(onHand: number, sharePercent: number): number {
  return Math.max(1, Math.floor((onHand * sharePercent) / 100));
}

/** An open order ends unpaid: its units are available again. */
export function release(hold: StockHold): StockDelta {
  return delta(hold, { reserved: -hold.quantity });
}

/** The order is paid: its units leave the shelf and count as sold. */
export function sell(hold: StockHold): StockDelta {
  return delta(hold, { onHand: -hold.quantity, reserved: -hold.quantity, sold: hold.quantity });
}

/** The goods came back after a refund: on the shelf again, no longer sold. */
export function restock(hold: StockHold): StockDelta {
  return delta(hold, { onHand: hold.quantity, sold: -hold.quantity });
}

/**
 * Where a change goes when its shard is gone: a re-spread takes a shard away only when it holds
 * no reservation, and moves what it had sold to shard 0 (`spreadStock`). So only a restock of a
 * paid order can still name it, and it follows its sold units to shard 0. Anything else has no
 * place to go: undefined (a reservation aimed at a shard that went finds it empty).
 */
export function afterShardRemoved(delta: StockDelta): StockDelta | undefined {
  if (!delta.shard || delta.reserved !== 0 || delta.requireAvailable !== undefined) return undefined;
  const { shard: _removed, ...onProduct } = delta;
  return onProduct;
}

/**
 * Why `needed` units of a product cannot be sold, as the shopper is told — or undefined when they
 * can. Decided here alone: before reserving (on what the purchase read) and when a reservation's
 * guard failed (on what the stock item held then). An item that is gone or off sale is not for
 * sale; one that is on sale but short is sold out.
 */
export function saleRefusal(
  purchaseToken: string,
  item: { readonly active: boolean; readonly available: number; readonly reserved?: number } | undefined,
  needed: number,
  heldAtMost?: number,
): CheckoutError | undefined {
  if (!item?.active) return new ProductNotForSaleError(purchaseToken);
  if (item.available < needed) return new SoldOutError(purchaseToken);
  if (heldAtMost !== undefined && (item.reserved ?? 0) + needed > heldAtMost) {
    return new UnitsHeldError(purchaseToken);
  }
  return undefined;
}

/** One stock item's counters: shard 0 is the product's own. */
export interface ShardLevels extends StockLevels {
  readonly shard: number;
}

/**
 * A product's stock re-spread over `target.shards` items with `target.onHand` units in all.
 * Reservations stay on the shard that holds them (their orders settle there), the units
 * available are dealt out evenly, and what shards that go had sold moves to shard 0. Refused
 * when a shard that goes still holds a reservation, or when fewer units than are reserved would
 * be left on hand.
 */
export function spreadStock(
  purchaseToken: string,
  current: readonly ShardLevels[],
  target: { readonly shards: number; readonly onHand: number },
): ShardLevels[] {
  const leaving = current.filter((levels) => levels.shard >= target.shards);
  const holding = leaving.filter((levels) => levels.reserved > 0);
  if (holding.length > 0) {
    throw new RefusedError(
      `${purchaseToken}: shard ${holding.map((levels) => levels.shard).join(', ')} still holds units reserved by open orders; set the shards again once those orders have settled`,
    );
  }
  const reserved = current.reduce((sum, levels) => sum + levels.reserved, 0);
  if (target.onHand < reserved) {
    throw new RefusedError(
      `${purchaseToken}: ${target.onHand} on hand is fewer than the ${reserved} held by open orders; set at least ${reserved}`,
    );
  }
  const free = target.onHand - reserved;
  const soldLeaving = leaving.reduce((sum, levels) => sum + levels.sold, 0);
  return Array.from({ length: target.shards }, (_, shard) => {
    const now = current.find((levels) => levels.shard === shard);
    const share = Math.floor(free / target.shards) + (shard < free % target.shards ? 1 : 0);
    const held = now?.reserved ?? 0;
    return {
      shard,
      onHand: held + share,
      reserved: held,
      sold: (now?.sold ?? 0) + (shard === 0 ? soldLeaving : 0),
    };
  });
}
