import { GlaseRejectedError, OrderNotFoundError, RefundPendingError, RefusedError } from '../model/errors.js';
import type { ShopSettings } from '../model/invoice.js';
import { formatMinor } from '../model/money.js';
import { type Order, type Refund, refundedMinor } from '../model/order.js';
import type { RefundOutcome } from '../plans/order-plan.js';
import type { Clock, EventPublisher, PaymentGateway, Store } from '../ports.js';
import { transition } from './commit.js';
import { publishCommitted } from './publish.js';

export interface RefundDeps {
  readonly store: Store;
  readonly glase: PaymentGateway;
  readonly shop: ShopSettings;
  readonly clock: Clock;
  readonly newRefundId: () => string;
  /** OrderRefunded goes out for every refund Glase confirms (the shopper's mail hooks in here). */
  readonly events: EventPublisher;
  readonly warn?: ((message: string, details: Record<string, unknown>) => void) | undefined;
}

export interface RefundCommand {
  readonly orderId: string;
  /** Minor units; the whole remainder when absent. */
  readonly amountMinor?: number | undefined;
  /** Put the unit back in stock (the goods came back). */
  readonly restock?: boolean;
  /** Refuse a refund of the same amount completed within this window: a command run twice. */
  readonly duplicateWindowSeconds?: number;
  /** The operator means it: a second refund of the same amount. */
  readonly again?: boolean;
}

export const DUPLICATE_REFUND_WINDOW_SECONDS = 600;

/**
 * Glase's refundPayment for a PAID or PARTIALLY_REFUNDED order. The refund is written as
 * PENDING before Glase is called, so a crash or timeout can never lead to a second refund:
 * while one is pending, no other starts until an operator settles it.
 */
export async function refund(deps: RefundDeps, command: RefundCommand): Promise<Order> {
  const order = await deps.store.getOrder(command.orderId);
  if (!order) throw new OrderNotFoundError(command.orderId);
  if (order.status !== 'PAID' && order.status !== 'PARTIALLY_REFUNDED') {
    throw new RefusedError(
      `order ${order.orderId} is ${order.status}; only PAID or PARTIALLY_REFUNDED orders can be refunded`,
    );
  }
  if (order.pendingRefundId) {
    throw new RefusedError(
      `refund ${order.pendingRefundId} of order ${order.orderId} is still pending: Glase did not confirm it, so it ` +
        'may have gone through. Check it with Glase, then settle it with `orders settle-refund`.',
    );
  }
  if (!order.ersReference)
    throw new RefusedError(`order ${order.orderId} has no payment reference to refund`);
  const remaining = order.totalMinor - refundedMinor(order);
  const amountMinor = command.amountMinor ?? remaining;
  const money = (minor: number) => `${formatMinor(minor)} ${order.currency}`;
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) {
    throw new RefusedError(
      remaining <= 0 ? `order ${order.orderId} is fully refunded` : 'refund amount must be positive',
    );
  }
  if (amountMinor > remaining) {
    throw new RefusedError(
      `refund of ${money(amountMinor)} is more than the ${money(remaining)} left to refund`,
    );
  }
  const now = deps.clock.now();
  const windowMs = (command.duplicateWindowSeconds ?? DUPLICATE_REFUND_WINDOW_SECONDS) * 1000;
  const twin = (order.refunds ?? []).find(
    (earlier) =>
      earlier.status === 'SUCCEEDED' &&
      earlier.amountMinor === amountMinor &&
      now.getTime() - Date.parse(earlier.completedAt ?? earlier.requestedAt) < windowMs,
  );
  if (twin && !command.again) {
    const seconds = Math.round((now.getTime() - Date.parse(twin.completedAt ?? twin.requestedAt)) / 1000);
    throw new RefusedError(
      `a refund of ${money(amountMinor)} (${twin.refundId}) was made ${seconds} s ago; ` +
        'this looks like the same command run twice. Add --again to refund that amount once more.',
    );
  }
  if (command.restock && order.restocked)
    throw new RefusedError(`order ${order.orderId} was already restocked`);

  const pending: Refund = {
    refundId: deps.newRefundId(),
    amountMinor,
    status: 'PENDING',
    requestedAt: now.toISOString(),
    restock: command.restock ?? false,
  };
  const recorded = await transition(deps, order, { type: 'refund-requested', refund: pending });

  let ersReference: string;
  try {
    ({ ersReference } = await deps.glase.refundPayment({
      orderId: order.orderId,
      refundId: pending.refundId,
      paymentErsReference: order.ersReference,
      amountMinor,
      currency: order.currency,
      title: deps.shop.title,
      cashierId: deps.shop.cashierId,
    }));
  } catch (error) {
    if (!(error instanceof GlaseRejectedError) || error.retryable) {
      // Outcome unknown: it stays PENDING, and the operator is told exactly what to do next.
      throw new RefundPendingError(order.orderId, pending.refundId, money(amountMinor), error as Error);
    }
    // Glase definitely refused: nothing was refunded.
    await transition(deps, recorded, {
      type: 'refund-settled',
      refundId: pending.refundId,
      outcome: { succeeded: false, reason: `Glase refused: ${error.detail}` },
    });
    throw new RefusedError(`Glase refused the refund: ${error.meaning} (${error.detail})`);
  }
  const refunded = await transition(deps, recorded, {
    type: 'refund-settled',
    refundId: pending.refundId,
    outcome: { succeeded: true, ersReference },
  });
  await publishCommitted(deps, 'OrderRefunded', refunded);
  return refunded;
}

/**
 * The form of Glase's references (ersReference): decimal digits, as its server issues them and
 * every example in its documents shows. An operator typing something else has the wrong value.
 */
const GLASE_REFERENCE = /^\d{1,40}$/;

/**
 * The operator's answer for a refund left pending: what Glase says happened to it. A success
 * names the refund's own Glase reference (not the payment's) and, if Glase refunded less than
 * was asked, how much; nothing is recorded when either is wrong. Returns the order and the
 * refund as recorded.
 */
export async function resolvePendingRefund(
  deps: Pick<RefundDeps, 'store' | 'clock' | 'events' | 'warn'>,
  orderId: string,
  outcome: RefundOutcome,
): Promise<{ order: Order; refund: Refund }> {
  const order = await deps.store.getOrder(orderId);
  if (!order) throw new OrderNotFoundError(orderId);
  const pending = order.refunds?.find((refund) => refund.refundId === order.pendingRefundId);
  if (!pending) throw new RefusedError(`order ${orderId} has no pending refund`);
  const money = (minor: number) => `${formatMinor(minor)} ${order.currency}`;
  if (outcome.succeeded) {
    const reference = outcome.ersReference.trim();
    if (!GLASE_REFERENCE.test(reference)) {
      throw new RefusedError(
        `"${outcome.ersReference}" is not a Glase reference: use the refund's ersReference Glase gave you (digits only)`,
      );
    }
    if (reference === order.ersReference) {
      throw new RefusedError(
        `${reference} is the payment's own reference; give the reference of the refund transaction`,
      );
    }
    const amount = outcome.amountMinor;
    if (
      amount !== undefined &&
      (!Number.isSafeInteger(amount) || amount <= 0 || amount > pending.amountMinor)
    ) {
      throw new RefusedError(
        `the amount refunded must be more than 0 and at most the ${money(pending.amountMinor)} pending`,
      );
    }
    outcome = { ...outcome, ersReference: reference };
  } else if (!outcome.reason.trim()) {
    throw new RefusedError('say why the refund failed, as Glase told you');
  }
  const settled = await transition(deps, order, {
    type: 'refund-settled',
    refundId: pending.refundId,
    outcome,
  });
  const refund = settled.refunds?.find((each) => each.refundId === pending.refundId) as Refund;
  if (refund.status === 'SUCCEEDED') await publishCommitted(deps, 'OrderRefunded', settled);
  return { order: settled, refund };
}
