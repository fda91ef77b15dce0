import { OrderStateConflictError } from './errors.js';
import { formatMinor } from './money.js';
import {
  canTransition,
  holdsOf,
  type Order,
  type OrderStatus,
  type Refund,
  refundedMinor,
  type StatusChange,
} from './order.js';
import { type LookupEntry, lookupChanges } from './order-lookups.js';
import type { RequestRecord } from './purchase-requests.js';
import { release, reserve, restock, type StockDelta, sell } from './stock.js';

/** Something that happened to an order; `planChange` says what it does to it. */
export type LifecycleEvent =
  /** Glase issued the invoice. */
  | { readonly type: 'invoiced'; readonly invoiceReference: string }
  /** Glase says the invoice is paid: the commit. */
  | {
      readonly type: 'paid';
      readonly paidAt: string;
      readonly invoiceVersion: number;
      readonly ersReference?: string | undefined;
      readonly paymentReference?: string | undefined;
    }
  /** The invoice was cancelled or expired unpaid. */
  | { readonly type: 'canceled'; readonly reason: string; readonly invoiceVersion?: number | undefined }
  /** The order never got an invoice we could stand behind. */
  | { readonly type: 'failed'; readonly reason: string }
  /** Glase reported a newer invoice version, nothing else changed. */
  | { readonly type: 'invoice-version'; readonly invoiceVersion: number }
  /** A refund is about to be asked of Glase: recorded as pending first. */
  | { readonly type: 'refund-requested'; readonly refund: Refund }
  /** What became of the pending refund. */
  | { readonly type: 'refund-settled'; readonly refundId: string; readonly outcome: RefundOutcome };

export type RefundOutcome =
  | {
      readonly succeeded: true;
      readonly ersReference: string;
      /** What Glase says it refunded, when less than was asked (an operator's settlement). */
      readonly amountMinor?: number | undefined;
    }
  | { readonly succeeded: false; readonly reason: string };

/**
 * A planned change: the order exactly as it is to be written, what the stored order must still
 * be for the write to happen (compare-and-set on its version, so two writers can never both
 * win), and what goes with it in the same transaction: stock, the request record a retry
 * finds, the shopper's unpaid-order counters. A store applies it as it is.
 */
export interface OrderChange {
  readonly expected: { readonly version: number; readonly status: OrderStatus } | 'new';
  readonly order: Order;
  readonly stock: readonly StockDelta[];
  readonly request?: RequestEffect | undefined;
  readonly holds: readonly HoldEffect[];
  /** What finds the order (order-lookups.ts): entries that become true, and ones that stop. */
  readonly lookups: { readonly add: readonly LookupEntry[]; readonly remove: readonly LookupEntry[] };
}

/**
 * `claim`: take the record for this order, unless another live request holds it (the claim may
 * replace one that expired, or whose request died: `lockedUntil` before `now`). `complete`: the
 * invoice is out, a retry gets it. `release`: the order ended unpaid, a retry starts anew. The
 * last two touch the record only while it is still this order's.
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

/** +1 when an order opens (refused at `cap`), −1 when it is paid or ends unpaid. */
export interface HoldEffect {
  readonly key: string;
  readonly delta: 1 | -1;
  readonly cap?: number | undefined;
  /** Epoch seconds: a counter nobody touched for this long is forgotten (a safety net). */
  readonly expiresAt?: number | undefined;
}

export interface NewOrderTerms {
  readonly request?: Extract<RequestEffect, { kind: 'claim' }> | undefined;
  /** At most this many unpaid orders per shopper and product. */
  readonly openOrderLimit?: number | undefined;
  readonly holdExpiresAt?: number | undefined;
}

/** A new order: it must not exist yet; it reserves every unit it holds and counts in its shopper's holds. */
export function planNewOrder(order: Order, terms: NewOrderTerms = {}): OrderChange {
  if (order.status !== 'RESERVED' || !order.stock?.length || order.version !== undefined) {
    throw new OrderStateConflictError(order.orderId, 'RESERVED');
  }
  const written = { ...order, version: 1 };
  return {
    expected: 'new',
    order: written,
    lookups: lookupChanges(undefined, written),
    stock: order.stock.map(reserve),
    request: terms.request,
    holds: (order.shopperHolds ?? []).map((key) => ({
      key,
      delta: 1,
      cap: terms.openOrderLimit,
      expiresAt: terms.holdExpiresAt,
    })),
  };
}

type Effects = Pick<OrderChange, 'stock' | 'request' | 'holds'>;

/**
 * The state machine: what `event` does to `order` at `now`. Throws OrderStateConflictError when
 * the order's state does not allow it (the caller may have read an old copy).
 */
export function planChange(order: Order, event: LifecycleEvent, now: Date): OrderChange {
  const at = now.toISOString();
  const { holds: stockHolds, legacy } = holdsOf(order);
  const conflict = (wanted: string) => new OrderStateConflictError(order.orderId, wanted);
  const next = (
    fields: Partial<Order>,
    move?: { to: OrderStatus; reason?: string | undefined },
    effects: Partial<Effects> = {},
  ): OrderChange => {
    if (move && !canTransition(order.status, move.to)) throw conflict(move.to);
    const entry: StatusChange[] = move
      ? [move.reason ? { status: move.to, at, reason: move.reason } : { status: move.to, at }]
      : [];
    const version = order.version ?? 0;
    const written: Order = {
      ...order,
      ...fields,
      status: move?.to ?? order.status,
      version: version + 1,
      updatedAt: at,
      history: [...order.history, ...entry],
    };
    return {
      expected: { version, status: order.status },
      order: written,
      stock: effects.stock ?? [],
      request: effects.request,
      holds: effects.holds ?? [],
      lookups: lookupChanges(order, written),
    };
  };
  // An order that stops being open stops counting in its shopper's holds.
  const closing = (): HoldEffect[] => (order.shopperHolds ?? []).map((key) => ({ key, delta: -1 }));
  // ...and one that ends unpaid lets a retry of its request start anew.
  const releasing = (): RequestEffect | undefined =>
    order.requestKey ? { kind: 'release', key: order.requestKey, orderId: order.orderId } : undefined;

  // An operator must always be able to find out why an order ended unpaid.
  if ((event.type === 'failed' || event.type === 'canceled') && !event.reason.trim()) {
    throw new TypeError(`order ${order.orderId}: ${event.type} needs a reason for its history`);
  }
  switch (event.type) {
    case 'invoiced':
      return next(
        { invoiceReference: event.invoiceReference, invoiceVersion: 0 },
        { to: 'INVOICED' },
        {
          request: order.requestKey
            ? {
                kind: 'complete',
                key: order.requestKey,
                orderId: order.orderId,
                invoiceReference: event.invoiceReference,
              }
            : undefined,
        },
      );
    case 'paid':
      return next(
        {
          ersReference: event.ersReference,
          paymentReference: event.paymentReference,
          paidAt: event.paidAt,
          invoiceVersion: event.invoiceVersion,
        },
        { to: 'PAID' },
        { stock: stockHolds.map((hold) => sell(hold, legacy)), holds: closing() },
      );
    case 'canceled':
      return next(
        event.invoiceVersion === undefined ? {} : { invoiceVersion: event.invoiceVersion },
        { to: 'CANCELED', reason: event.reason },
        { stock: stockHolds.map((hold) => release(hold, legacy)), holds: closing(), request: releasing() },
      );
    case 'failed':
      return next(
        { failureReason: event.reason },
        { to: 'FAILED', reason: event.reason },
        { stock: stockHolds.map((hold) => release(hold, legacy)), holds: closing(), request: releasing() },
      );
    case 'invoice-version':
      // Versions only grow; never let a slow writer take one back.
      if (order.status !== 'INVOICED' || event.invoiceVersion <= (order.invoiceVersion ?? 0)) {
        throw conflict('invoice version');
      }
      return next({ invoiceVersion: event.invoiceVersion });
    case 'refund-requested':
      if (order.status !== 'PAID' && order.status !== 'PARTIALLY_REFUNDED') throw conflict('refund');
      if (order.pendingRefundId) throw conflict('refund');
      return next({
        refunds: [...(order.refunds ?? []), event.refund],
        pendingRefundId: event.refund.refundId,
      });
    case 'refund-settled':
      return settleRefund(order, event.refundId, event.outcome, at, next, conflict);
  }
}

function settleRefund(
  order: Order,
  refundId: string,
  outcome: RefundOutcome,
  at: string,
  next: (
    fields: Partial<Order>,
    move?: { to: OrderStatus; reason?: string },
    effects?: Partial<Effects>,
  ) => OrderChange,
  conflict: (wanted: string) => OrderStateConflictError,
): OrderChange {
  const refunds = order.refunds ?? [];
  const index = refunds.findIndex((refund) => refund.refundId === refundId && refund.status === 'PENDING');
  const pending = refunds[index];
  if (!pending || order.pendingRefundId !== refundId) throw conflict('refund');
  const amountMinor = outcome.succeeded ? (outcome.amountMinor ?? pending.amountMinor) : pending.amountMinor;
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0 || amountMinor > pending.amountMinor) {
    throw conflict('refund');
  }
  const settled: Refund = outcome.succeeded
    ? { ...pending, amountMinor, status: 'SUCCEEDED', ersReference: outcome.ersReference, completedAt: at }
    : { ...pending, status: 'FAILED', failure: outcome.reason, completedAt: at };
  const fields = {
    refunds: refunds.map((refund, position) => (position === index ? settled : refund)),
    pendingRefundId: undefined,
  };
  if (!outcome.succeeded) return next(fields);
  const to = refundedMinor(fields) >= order.totalMinor ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  const reason = `refund ${refundId} of ${formatMinor(amountMinor)} ${order.currency}`;
  if (!pending.restock || order.restocked) return next(fields, { to, reason });
  const { holds } = holdsOf(order);
  return next({ ...fields, restocked: true }, { to, reason }, { stock: holds.map(restock) });
}
