import type { Bundle } from '../model/bundle.js';
import { readHeld, type StoredItem } from '../model/catalog-item.js';
import type { CheckoutError } from '../model/errors.js';
import type { Order, OrderStatus } from '../model/order.js';
import type { LookupEntry } from '../model/order-lookups.js';
import type { ProductDetails } from '../model/product.js';
import type { RequestRecord } from '../model/request-record.js';
import { afterShardRemoved, type StockDelta, type StockLevels, saleRefusal } from '../model/stock.js';

/**
 * What the domain asks a store to write, all or nothing: every item to write, and the state each
 * must be found in for the write to happen. The planners (order-plan.ts, catalog-plan.ts) make
 * changes; a store translates them (one conditional write, or one transaction) and reports which
 * guards failed, never what that means: `afterRejection` decides, here.
 */
export interface Change {
  readonly writes: readonly Write[];
}

/** What a failed guard means, as the planner said when it planned the write. */
export type Refusal =
  /** Bookkeeping that is no longer this change's: the rest is written without it. */
  | { readonly kind: 'skip' }
  /** The items moved since they were read: read again and plan again (`ReplanNeeded`). */
  | { readonly kind: 'replan' }
  /** A sale's stock guard: what the item held says sold out, off sale or held (`saleRefusal`). */
  | {
      readonly kind: 'sale';
      readonly soldAs: string;
      readonly needed: number;
      readonly heldAtMost?: number | undefined;
    }
  /** Anything else: this error, as the planner wrote it. */
  | { readonly kind: 'refuse'; readonly error: () => CheckoutError };

interface Guarded {
  readonly refusal: Refusal;
}

/** The order itself: new, or exactly the version and status the plan read. */
export interface OrderWrite extends Guarded {
  readonly kind: 'order';
  readonly order: Order;
  readonly expected: 'new' | { readonly version: number; readonly status: OrderStatus };
}

/** A stock item's counters moved by deltas, never set: what purchases, payments and restocks do. */
export interface StockWrite extends Guarded {
  readonly kind: 'stock';
  readonly delta: StockDelta;
  /** Also refused unless the item's onHand is this (a set planned from a read), and… */
  readonly onHandWas?: number | undefined;
  /** …unless no more than this many units are reserved (never below what open orders hold). */
  readonly reservedAtMost?: number | undefined;
}

/** A stock item written whole (a re-spread): only if it is exactly as read, or absent when new. */
export interface StockItemWrite extends Guarded {
  readonly kind: 'stock-item';
  readonly purchaseToken: string;
  readonly shard: number;
  /** The counters to write; undefined: the item goes. */
  readonly levels: StockLevels | undefined;
  readonly expected: StockLevels | 'absent';
  /** A new shard item copies its product's flag. */
  readonly active: boolean;
  /** Shard 0 only: the product's shard count, as read and as it becomes. */
  readonly shardCount?: { readonly was: number; readonly becomes: number } | undefined;
}

/** The product's on-sale flag, which every stock item carries (a reservation reads only its own). */
export interface ActiveWrite extends Guarded {
  readonly kind: 'active';
  readonly purchaseToken: string;
  readonly shard: number;
  readonly active: boolean;
  /** Shard 0 only: refused unless the product still has this many shards. */
  readonly shardCount?: number | undefined;
}

/**
 * A product's details. `create`: only where no item is, with its first stock and on sale;
 * otherwise only where a product (not a bundle) is, its stock untouched.
 */
export interface ProductWrite extends Guarded {
  readonly kind: 'product';
  readonly details: ProductDetails;
  readonly create?: { readonly onHand: number } | undefined;
}

/** A bundle's item: only where none is, or a bundle is already (on sale when new). */
export interface BundleWrite extends Guarded {
  readonly kind: 'bundle';
  readonly bundle: Bundle;
}

/**
 * The record a retry of a purchase finds. `claim`: take it, unless another live request holds it
 * (it may replace one that expired, or whose request died: `lockedUntil` before `now`).
 * `complete`: the invoice is out, a retry gets it. `release`: the order ended unpaid, a retry
 * starts anew. The last two touch the record only while it is still this order's.
 */
export type RequestEffect =
  | { readonly kind: 'claim'; readonly record: RequestRecord; readonly now: number }
  | {
      readonly kind: 'complete';
      readonly key: string;
      readonly orderId: string;
      readonly invoiceReference: string;
    }
  | { readonly kind: 'release'; readonly key: string; readonly orderId: string };

export interface RequestWrite extends Guarded {
  readonly kind: 'request';
  readonly effect: RequestEffect;
}

/** A shopper's count of unpaid orders: +1 when an order opens (refused at `cap`), −1 when it closes. */
export interface CounterWrite extends Guarded {
  readonly kind: 'counter';
  readonly key: string;
  readonly delta: 1 | -1;
  readonly cap?: number | undefined;
  /** Epoch seconds: a counter nobody touched for this long is forgotten (a safety net). */
  readonly expiresAt?: number | undefined;
}

/** What finds an order (order-lookups.ts), put or deleted with the order's own change. */
export interface LookupWrite extends Guarded {
  readonly kind: 'lookup';
  readonly orderId: string;
  readonly entry: LookupEntry;
  readonly put: boolean;
}

export type Write =
  | OrderWrite
  | StockWrite
  | StockItemWrite
  | ActiveWrite
  | ProductWrite
  | BundleWrite
  | RequestWrite
  | CounterWrite
  | LookupWrite;

/** Which writes' guards failed, and what each of those items held then (where the store says). */
export interface Rejection {
  readonly failed: readonly number[];
  readonly held: readonly (StoredItem | undefined)[];
}

/** The catalog items moved under a plan: the caller reads them again and plans anew. */
export class ReplanNeeded extends Error {
  override readonly name = 'ReplanNeeded';
}

/**
 * What a rejection means: throws the refusal of the first write that may not fail, or answers
 * the writes to try again — without bookkeeping that is no longer this change's, and with a
 * restock aimed at a shard a re-spread took away following its sold units to the product item.
 */
export function afterRejection(writes: readonly Write[], rejection: Rejection): Write[] {
  let next = [...writes];
  for (const index of rejection.failed) {
    const write = writes[index] as Write;
    const { refusal } = write;
    if (refusal.kind === 'skip') {
      next = next.filter((kept) => kept !== write);
      continue;
    }
    const held = rejection.held[index];
    if (write.kind === 'stock' && !held) {
      const moved = afterShardRemoved(write.delta);
      if (moved) {
        next = next.map((kept) => (kept === write ? { ...write, delta: moved } : kept));
        continue;
      }
    }
    if (refusal.kind === 'replan') throw new ReplanNeeded();
    if (refusal.kind === 'refuse') throw refusal.error();
    // A shard that is gone is empty, not the product gone: only the product item says not for sale.
    const found =
      write.kind === 'stock' && write.delta.shard && !held ? { active: true, available: 0 } : readHeld(held);
    throw (
      saleRefusal(refusal.soldAs, found, refusal.needed, refusal.heldAtMost) ??
      // The item held enough when read back: it was short at the time of the write.
      saleRefusal(refusal.soldAs, { active: true, available: 0 }, refusal.needed)
    );
  }
  return next;
}
