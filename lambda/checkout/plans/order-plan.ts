import { OpenOrderLimitError, OrderStateConflictError, RequestInProgressError } from '../model/errors.js';
import { formatMinor } from '../model/money.js';
import {
  CLOSED_STATUSES,
  canTransition,
  type Order,
  type OrderStatus,
  type Refund,
  refundedMinor,
  type StatusChange,
} from '../model/order.js';
import type { OrderEventType } from '../model/order-event.js';
import { type LookupEntry, lookupChanges, lookupEntriesOf } from '../model/order-lookups.js';
import { release, reserve, restock, type StockDelta, type StockHold, sell } from '../model/stock.js';
import type { Change, CounterWrite, RequestEffect, Write } from './change.js';

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
      /** Its OrderPaid is left in the order's outbox for the reconciler to publish. */
      readonly deferEvent?: boolean | undefined;
    }
  /** The invoice was cancelled or expired unpaid. */
  | {
      readonly type: 'canceled';
      readonly reason: string;
      readonly invoiceVersion?: number | undefined;
      /** Its OrderCanceled is left in the order's outbox for the reconciler to publish. */
      readonly deferEvent?: boolean | undefined;
    }
  /** Events from the order's outbox were published. */
  | { readonly type: 'published'; readonly events: readonly OrderEventType[] }
  /** The shopper's personal data is erased: only what the books need stays. */
  | { readonly type: 'forgotten' }
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
 * A planned change to one order: the order exactly as it is to be written, what the stored order
 * must still be for the write to happen (compare-and-set on its version, so two writers can never
 * both win), and what goes with it in the same transaction: stock, the request record a retry
 * finds, the shopper's unpaid-order counters, what finds the order. `changeOf` turns it into the
 * writes a store applies.
 */
export interface OrderChange {
  readonly expected: { readonly version: number; readonly status: OrderStatus } | 'new';
  readonly order: Order;
  readonly stock: readonly StockDelta[];
  readonly request?: RequestEffect | undefined;
  readonly counters: readonly CounterEffect[];
  /** What finds the order (order-lookups.ts): entries that become true, and ones that stop. */
  readonly lookups: { readonly add: readonly LookupEntry[]; readonly remove: readonly LookupEntry[] };
}

/** +1 when an order opens (refused at `cap`), −1 when it is paid or ends unpaid. */
export type CounterEffect = Pick<CounterWrite, 'key' | 'delta' | 'cap' | 'expiresAt'>;

export interface NewOrderTerms {
  readonly request?: Extract<RequestEffect, { kind: 'claim' }> | undefined;
  /** At most this many unpaid orders per shopper and product. */
  readonly openOrderLimit?: number | undefined;
  readonly counterExpiresAt?: number | undefined;
  /** Per hold, the units open orders may hold on its stock item at most (`heldCap`), when known. */
  readonly heldAtMost?: (hold: StockHold) => number | undefined;
}

/** A new order: it must not exist yet; it reserves every unit it holds and counts in its shopper's counters. */
export function planNewOrder(order: Order, terms: NewOrderTerms = {}): OrderChange {
  if (order.status !== 'RESERVED' || !order.stock.length || order.version !== undefined) {
    throw new OrderStateConflictError(order.orderId, 'RESERVED');
  }
  const written = { ...order, version: 1 };
  return {
    expected: 'new',
    order: written,
    lookups: lookupChanges(undefined, written),
    stock: order.stock.map((hold) => reserve(hold, terms.heldAtMost?.(hold))),
    request: terms.request,
    counters: (order.shopperCounters ?? []).map((key) => ({
      key,
      delta: 1,
      cap: terms.openOrderLimit,
      expiresAt: terms.counterExpiresAt,
    })),
  };
}

type Effects = Pick<OrderChange, 'stock' | 'request' | 'counters'>;

/**
 * The state machine: what `event` does to `order` at `now`. Throws OrderStateConflictError when
 * the order's state does not allow it (the caller may have read an old copy).
 */
export function planChange(order: Order, event: LifecycleEvent, now: Date): OrderChange {
  const at = now.toISOString();
  const holds = order.stock;
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
    // Every stored order has one (planNewOrder writes 1): one without was never written.
    if (order.version === undefined) throw conflict(move?.to ?? order.status);
    const { version } = order;
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
      counters: effects.counters ?? [],
      lookups: lookupChanges(order, written),
    };
  };
  const outbox = (defer: boolean | undefined, type: OrderEventType): Partial<Order> =>
    defer ? { unpublished: [...(order.unpublished ?? []), type] } : {};
  // An order that stops being open stops counting in its shopper's counters.
  const closing = (): CounterEffect[] => (order.shopperCounters ?? []).map((key) => ({ key, delta: -1 }));
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
          ...outbox(event.deferEvent, 'OrderPaid'),
        },
        { to: 'PAID' },
        { stock: holds.map(sell), counters: closing() },
      );
    case 'canceled':
      return next(
        {
          ...(event.invoiceVersion === undefined ? {} : { invoiceVersion: event.invoiceVersion }),
          ...outbox(event.deferEvent, 'OrderCanceled'),
        },
        { to: 'CANCELED', reason: event.reason },
        { stock: holds.map(release), counters: closing(), request: releasing() },
      );
    case 'forgotten': {
      // An open order still needs its shopper (the invoice, the delivery): erase it once closed.
      if (order.forgottenAt || !(CLOSED_STATUSES as readonly string[]).includes(order.status)) {
        throw conflict('forgotten');
      }
      const { city, country } = order.customer;
      return next({
        customer: { clientName: '', street: '', zip: '', state: '', email: '', msisdn: '', city, country },
        // The counters' keys name the shopper's mailbox and phone: they go with the rest.
        shopperCounters: undefined,
        forgottenAt: at,
      });
    }
    case 'published': {
      const left = (order.unpublished ?? []).filter((type) => !event.events.includes(type));
      if (left.length === (order.unpublished ?? []).length) throw conflict('published');
      return next({ unpublished: left.length > 0 ? left : undefined });
    }
    case 'failed':
      return next(
        { failureReason: event.reason },
        { to: 'FAILED', reason: event.reason },
        { stock: holds.map(release), counters: closing(), request: releasing() },
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
  return next({ ...fields, restocked: true }, { to, reason }, { stock: order.stock.map(restock) });
}

/**
 * The writes that apply `change`, in the order a store tries them: the order first (its guard
 * failing means another writer won), then its stock, request record, counters and lookups.
 */
export function changeOf(change: OrderChange): Change {
  const { order } = change;
  const conflict = () => new OrderStateConflictError(order.orderId, order.status);
  const writes: Write[] = [
    { kind: 'order', order, expected: change.expected, refusal: { kind: 'refuse', error: conflict } },
    ...change.stock.map(
      (delta): Write => ({
        kind: 'stock',
        delta,
        // A reservation is refused as the shopper asked for it: a bundle by the bundle's token.
        refusal: {
          kind: 'sale',
          soldAs: order.purchaseToken,
          needed: delta.requireAvailable ?? 0,
          heldAtMost: delta.heldAtMost,
        },
      }),
    ),
    ...(change.request
      ? [
          {
            kind: 'request' as const,
            effect: change.request,
            refusal:
              change.request.kind === 'claim'
                ? { kind: 'refuse' as const, error: () => new RequestInProgressError() }
                : { kind: 'skip' as const },
          },
        ]
      : []),
    ...change.counters.map(
      (counter): Write => ({
        kind: 'counter',
        ...counter,
        // Lowering a counter that is gone never stops the order's own change.
        refusal:
          counter.delta > 0
            ? { kind: 'refuse', error: () => new OpenOrderLimitError(order.purchaseToken) }
            : { kind: 'skip' },
      }),
    ),
    ...change.lookups.add.map(
      (entry): Write => ({
        kind: 'lookup',
        orderId: order.orderId,
        entry,
        put: true,
        refusal: { kind: 'refuse', error: conflict },
      }),
    ),
    ...change.lookups.remove
      .filter((entry) => !change.lookups.add.some((added) => added.key === entry.key))
      .map(
        (entry): Write => ({
          kind: 'lookup',
          orderId: order.orderId,
          entry,
          put: false,
          refusal: { kind: 'refuse', error: conflict },
        }),
      ),
  ];
  return { writes };
}

/**
 * Every entry that should find `order` as it is now, written again: for orders stored before
 * an entry kind existed (`orders reindex`). Puts of what is already there change nothing, so a
 * run may be repeated or resumed; the order itself is not touched.
 */
export function planReindex(order: Order): Change {
  return {
    writes: lookupEntriesOf(order).map(
      (entry): Write => ({
        kind: 'lookup',
        orderId: order.orderId,
        entry,
        put: true,
        refusal: { kind: 'skip' },
      }),
    ),
  };
}
