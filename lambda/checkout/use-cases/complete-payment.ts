import { GlaseRejectedError, OrderStateConflictError, RefusedError } from '../model/errors.js';
import type { CallBudget, PaymentStatus } from '../model/invoice.js';
import type { Order, OrderStatus } from '../model/order.js';
import type { LifecycleEvent } from '../plans/order-plan.js';
import type { Clock, EventPublisher, PaymentGateway, Store } from '../ports.js';
import { transition } from './commit.js';
import { publishCommitted } from './publish.js';

export interface CompletePaymentDeps {
  readonly store: Store;
  readonly glase: PaymentGateway;
  readonly events: EventPublisher;
  readonly clock: Clock;
  readonly warn?: (message: string, details: Record<string, unknown>) => void;
  /** Waits between re-reads of an order whose INVOICED write has not landed yet. */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Leave OrderPaid / OrderCanceled in the order's outbox instead of publishing them: for a
   * function that carries no event client (createPurchase). The reconciler publishes them.
   */
  readonly deferEvents?: boolean;
}

export type Settlement =
  | { readonly outcome: 'paid'; readonly order: Order }
  | { readonly outcome: 'canceled'; readonly order: Order }
  | { readonly outcome: 'pending'; readonly order: Order; readonly invoiceStatus: string }
  /** Nothing to do: already settled, another writer won, or never invoiced. */
  | { readonly outcome: 'unchanged'; readonly order: Order };

/** How often a commit re-reads and retries when only an unrelated field moved under it. */
const COMMIT_ATTEMPTS = 3;

/**
 * Glase has told us an invoice changed: ask for its status (the 20-second rule) and settle
 * the order. PAID commits the sale; CANCELED/FAILED gives the unit back; anything else waits.
 * Safe to run any number of times, concurrently: only one transition can win.
 */
export async function completePayment(
  deps: CompletePaymentDeps,
  given: Order,
  budget: CallBudget = {},
): Promise<Settlement> {
  const order = await waitUntilInvoiced(deps, given);
  if (order.status !== 'INVOICED' || !order.invoiceReference) return { outcome: 'unchanged', order };
  const status = await deps.glase.getPaymentStatus(
    {
      orderId: order.orderId,
      invoiceReference: order.invoiceReference,
      invoiceVersion: order.invoiceVersion ?? 0,
    },
    budget,
  );
  return settle(deps, order, status);
}

/** Applies a getPaymentStatus answer to an INVOICED order. */
export async function settle(
  deps: CompletePaymentDeps,
  order: Order,
  status: PaymentStatus,
): Promise<Settlement> {
  if (status.status === 'PAID') {
    return commit(deps, order, {
      type: 'paid',
      ersReference: status.ersReference,
      paymentReference: status.paymentReference,
      paidAt: status.paidAt ?? deps.clock.now().toISOString(),
      invoiceVersion: status.version,
    });
  }
  if (status.status === 'CANCELED' || status.status === 'FAILED') {
    return commit(deps, order, {
      type: 'canceled',
      reason: `invoice ${status.status.toLowerCase()} at Glase`,
      invoiceVersion: status.version,
    });
  }
  if (status.version > (order.invoiceVersion ?? 0)) {
    // Only so the next getPaymentStatus sends it back; losing this race costs nothing.
    await transition(deps, order, { type: 'invoice-version', invoiceVersion: status.version }).catch(
      (error: unknown) => {
        if (!(error instanceof OrderStateConflictError)) throw error;
      },
    );
  }
  return { outcome: 'pending', order, invoiceStatus: status.status };
}

/**
 * An operator's cancel: only an unpaid (INVOICED) order can be withdrawn; a paid one is refunded.
 */
export async function cancelByOperator(deps: CompletePaymentDeps, order: Order): Promise<Settlement> {
  if (order.status !== 'INVOICED') {
    throw new RefusedError(
      `order ${order.orderId} is ${order.status}; only INVOICED (unpaid) orders can be cancelled` +
        (order.status === 'PAID' ? ' — refund it instead' : ''),
    );
  }
  return cancelInvoiced(deps, order, 'cancelled by operator');
}

/**
 * Withdraws an unpaid invoice and gives the unit back. If Glase says it was paid in the
 * meantime, the payment is committed instead: a paid order is never cancelled.
 */
export async function cancelInvoiced(
  deps: CompletePaymentDeps,
  order: Order,
  reason: string,
): Promise<Settlement> {
  if (order.status !== 'INVOICED' || !order.invoiceReference)
    throw new OrderStateConflictError(order.orderId, 'CANCELED');
  try {
    await deps.glase.cancelInvoice(order.orderId, order.invoiceReference);
  } catch (error) {
    const alreadySettled =
      error instanceof GlaseRejectedError &&
      (error.refusal === 'invoice-paid' || error.refusal === 'invoice-canceled');
    if (!alreadySettled) throw error;
    // Paid or cancelled at Glase meanwhile: Glase's state decides.
    return completePayment(deps, order);
  }
  return commit(deps, order, { type: 'canceled', reason });
}

/**
 * Moves an INVOICED order to PAID or CANCELED and announces it. If a concurrent notification or
 * the reconciler settled it first, theirs stands and this is a no-op; if only an unrelated field
 * moved under it (a newer invoice version), it reads the order again and commits.
 */
async function commit(
  deps: CompletePaymentDeps,
  given: Order,
  event: Extract<LifecycleEvent, { type: 'paid' | 'canceled' }>,
): Promise<Settlement> {
  const from: OrderStatus = given.status;
  let order = given;
  for (let attempt = 1; ; attempt++) {
    try {
      const settled = await transition(deps, order, { ...event, deferEvent: deps.deferEvents });
      const paid = event.type === 'paid';
      if (!deps.deferEvents) await publishCommitted(deps, paid ? 'OrderPaid' : 'OrderCanceled', settled);
      return { outcome: paid ? 'paid' : 'canceled', order: settled };
    } catch (error) {
      if (!(error instanceof OrderStateConflictError)) throw error;
      const current = (await deps.store.getOrder(order.orderId)) ?? order;
      if (current.status !== from || attempt >= COMMIT_ATTEMPTS)
        return { outcome: 'unchanged', order: current };
      order = current;
    }
  }
}

/**
 * Glase can notify in the moment between sendInvoice answering and our INVOICED write. Give
 * that write a short while to land instead of answering as if the order were unknown.
 */
async function waitUntilInvoiced(deps: CompletePaymentDeps, order: Order): Promise<Order> {
  let current = order;
  const sleep = deps.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 0; current.status === 'RESERVED' && attempt < 3; attempt++) {
    await sleep(300);
    current = (await deps.store.getOrder(order.orderId)) ?? current;
  }
  return current;
}
