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
}

/**
 * A change to one product's counters, applied in the same transaction as the order's own
 * change. The store adds the deltas (and keeps `available` = onHand − reserved) and refuses the
 * whole transaction if a guard fails.
 */
export interface StockDelta {
  readonly purchaseToken: string;
  readonly onHand: number;
  readonly reserved: number;
  readonly sold: number;
  /** Refuse unless at least this many units are available before the change. */
  readonly requireAvailable?: number;
  /** Refuse unless the product is on sale. */
  readonly requireActive?: boolean;
}

const delta = (
  hold: StockHold,
  counts: Partial<Pick<StockDelta, 'onHand' | 'reserved' | 'sold'>>,
): StockDelta => ({
  purchaseToken: hold.purchaseToken,
  onHand: counts.onHand ?? 0,
  reserved: counts.reserved ?? 0,
  sold: counts.sold ?? 0,
});

/** Take units for an open order: only if that many are available and the product is on sale. */
export function reserve(hold: StockHold): StockDelta {
  return {
    ...delta(hold, { reserved: hold.quantity }),
    requireAvailable: hold.quantity,
    requireActive: true,
  };
}

/**
 * An open order ends unpaid: its units are available again. An order from before this stock
 * model (`legacy`) took its units out of the count instead of reserving them, so they come back
 * onto the shelf.
 */
export function release(hold: StockHold, legacy: boolean): StockDelta {
  return legacy ? delta(hold, { onHand: hold.quantity }) : delta(hold, { reserved: -hold.quantity });
}

/** The order is paid: its units leave the shelf and count as sold. */
export function sell(hold: StockHold, legacy: boolean): StockDelta {
  return legacy
    ? delta(hold, { sold: hold.quantity })
    : delta(hold, { onHand: -hold.quantity, reserved: -hold.quantity, sold: hold.quantity });
}

/** The goods came back after a refund: on the shelf again, no longer sold. */
export function restock(hold: StockHold): StockDelta {
  return delta(hold, { onHand: hold.quantity, sold: -hold.quantity });
}
