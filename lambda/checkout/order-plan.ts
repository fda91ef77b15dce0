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
  | { readonly succeeded: true; readonly ersReference: string }
  | { readonly succeeded: false; readonly reason: string };

/**
 * A planned change: the order exactly as it is to be written, what the stored order must still
 * be for the write to happen (compare-and-set on its version, so two writers can never both
 * win), and the stock effects to apply in the same transaction. A store applies it as it is.
 */
export interface OrderChange {
  readonly expected: { readonly version: number; readonly status: OrderStatus } | 'new';
  readonly order: Order;
  readonly stock: readonly StockDelta[];
}

/** A new order: it must not exist yet, and it reserves every unit it holds. */
export function planNewOrder(order: Order): OrderChange {
  if (order.status !== 'RESERVED' || !order.stock?.length || order.version !== undefined) {
    throw new OrderStateConflictError(order.orderId, 'RESERVED');
  }
  return { expected: 'new', order: { ...order, version: 1 }, stock: order.stock.map(reserve) };
}

/**
 * The state machine: what `event` does to `order` at `now`. Throws OrderStateConflictError when
 * the order's state does not allow it (the caller may have read an old copy).
 */
export function planChange(order: Order, event: LifecycleEvent, now: Date): OrderChange {
  const at = now.toISOString();
  const { holds, legacy } = holdsOf(order);
  const conflict = (wanted: string) => new OrderStateConflictError(order.orderId, wanted);
  const next = (
    fields: Partial<Order>,
    move?: { to: OrderStatus; reason?: string | undefined },
    stock: readonly StockDelta[] = [],
  ): OrderChange => {
    if (move && !canTransition(order.status, move.to)) throw conflict(move.to);
    const entry: StatusChange[] = move
      ? [move.reason ? { status: move.to, at, reason: move.reason } : { status: move.to, at }]
      : [];
    const version = order.version ?? 0;
    return {
      expected: { version, status: order.status },
      order: {
        ...order,
        ...fields,
        status: move?.to ?? order.status,
        version: version + 1,
        updatedAt: at,
        history: [...order.history, ...entry],
      },
      stock,
    };
  };

  switch (event.type) {
    case 'invoiced':
      return next({ invoiceReference: event.invoiceReference, invoiceVersion: 0 }, { to: 'INVOICED' });
    case 'paid':
      return next(
        {
          ersReference: event.ersReference,
          paymentReference: event.paymentReference,
          paidAt: event.paidAt,
          invoiceVersion: event.invoiceVersion,
        },
        { to: 'PAID' },
        holds.map((hold) => sell(hold, legacy)),
      );
    case 'canceled':
      return next(
        event.invoiceVersion === undefined ? {} : { invoiceVersion: event.invoiceVersion },
        { to: 'CANCELED', reason: event.reason },
        holds.map((hold) => release(hold, legacy)),
      );
    case 'failed':
      return next(
        { failureReason: event.reason },
        { to: 'FAILED', reason: event.reason },
        holds.map((hold) => release(hold, legacy)),
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
    stock?: readonly StockDelta[],
  ) => OrderChange,
  conflict: (wanted: string) => OrderStateConflictError,
): OrderChange {
  const refunds = order.refunds ?? [];
  const index = refunds.findIndex((refund) => refund.refundId === refundId && refund.status === 'PENDING');
  const pending = refunds[index];
  if (!pending || order.pendingRefundId !== refundId) throw conflict('refund');
  const settled: Refund = outcome.succeeded
    ? { ...pending, status: 'SUCCEEDED', ersReference: outcome.ersReference, completedAt: at }
    : { ...pending, status: 'FAILED', failure: outcome.reason, completedAt: at };
  const fields: Partial<Order> = {
    refunds: refunds.map((refund, position) => (position === index ? settled : refund)),
    pendingRefundId: undefined,
  };
  if (!outcome.succeeded) return next(fields);
  // `refundedMinor` already counts the pending refund.
  const to = refundedMinor(order) >= order.totalMinor ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  const reason = `refund ${refundId} of ${formatMinor(pending.amountMinor)} ${order.currency}`;
  if (!pending.restock || order.restocked) return next(fields, { to, reason });
  const { holds } = holdsOf(order);
  return next({ ...fields, restocked: true }, { to, reason }, holds.map(restock));
}
