import { CREATE_PURCHASE_TIMEOUT_SECONDS } from '../../../contract/service.js';
import { OrderStateConflictError } from '../model/errors.js';
import type { Order, OrderStatus } from '../model/order.js';
import { PENDING_REFUND, UNPUBLISHED_EVENTS } from '../model/order-lookups.js';
import type { MailLog, WebhookLog } from '../ports.js';
import { transition } from './commit.js';
import {
  type CompletePaymentDeps,
  cancelInvoiced,
  completePayment,
  type Settlement,
} from './complete-payment.js';
import { applyRetention } from './shoppers.js';

export interface ReconcileDeps extends CompletePaymentDeps {
  /** An ISSUED invoice older than this is withdrawn (INVOICE_TTL_SECONDS, default 900). */
  readonly invoiceTtlSeconds: number;
  /**
   * A RESERVED order older than this was given up by its createPurchase (a crash, or a
   * reservation that landed after its attempt had answered 503); default twice the function's
   * timeout, after which no attempt can still be working on it.
   */
  readonly reservationGraceSeconds?: number;
  /** Settle at most this many orders at once, to be gentle with Glase. */
  readonly concurrency?: number;
  /** A refund Glase has not confirmed for this long is overdue (REFUND_PENDING_ALERT_MINUTES). */
  readonly refundPendingAlertMinutes?: number;
  /** Stop starting new work when this returns true (the Lambda is about to time out). */
  readonly outOfTime?: () => boolean;
  /**
   * The retention period of shoppers' personal data, applied this run (the handler runs it
   * hourly): closed orders older than `days` are pseudonymised (shoppers.ts).
   */
  readonly retention?: {
    readonly days: number;
    readonly windowDays?: number;
    readonly mailLog: MailLog;
    readonly webhookLog: WebhookLog;
  };
}

export interface ReconcileReport {
  abandonedReservations: number;
  paid: number;
  canceled: number;
  expired: number;
  pending: number;
  unchanged: number;
  errors: number;
  /** Orders that an unfinished run left for the next one. */
  deferred: number;
  /** Refunds pending (outcome unknown) for longer than the alert time: a person must settle them. */
  refundsPendingOverdue: number;
  /** Events taken from orders' outboxes and published. */
  eventsPublished: number;
  /** Closed orders whose shopper data the retention period erased this run. */
  personalDataErased: number;
}

/** The outbox's events published per run, at most: a backlog drains over the next runs. */
const OUTBOX_BATCH = 100;

/**
 * Settles what a lost notification or a crash left open, so no unit stays reserved forever:
 * abandoned RESERVED orders fail and release their unit; INVOICED orders are asked about and
 * committed, cancelled, or — once past their time to live — withdrawn at Glase.
 */
export async function reconcile(deps: ReconcileDeps): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    abandonedReservations: 0,
    paid: 0,
    canceled: 0,
    expired: 0,
    pending: 0,
    unchanged: 0,
    errors: 0,
    deferred: 0,
    refundsPendingOverdue: 0,
    eventsPublished: 0,
    personalDataErased: 0,
  };
  await publishOutbox(deps, report);
  if (deps.retention) {
    try {
      const run = await applyRetention(
        {
          store: deps.store,
          clock: deps.clock,
          mailLog: deps.retention.mailLog,
          webhookLog: deps.retention.webhookLog,
        },
        deps.retention,
      );
      report.personalDataErased = run.forgotten;
    } catch (error) {
      report.errors++;
      deps.warn?.('could not apply the personal data retention', { error: (error as Error).message });
    }
  }
  const now = deps.clock.now().getTime();
  if (deps.refundPendingAlertMinutes !== undefined) {
    const overdueBefore = new Date(now - deps.refundPendingAlertMinutes * 60_000).toISOString();
    try {
      report.refundsPendingOverdue = await deps.store.countByLookup(PENDING_REFUND, overdueBefore);
    } catch (error) {
      report.errors++;
      deps.warn?.('could not count pending refunds', { error: (error as Error).message });
    }
  }
  const graceMs = (deps.reservationGraceSeconds ?? 2 * CREATE_PURCHASE_TIMEOUT_SECONDS) * 1000;
  const expiresBefore = new Date(now - deps.invoiceTtlSeconds * 1000).toISOString();

  await eachOpenOrder(deps, 'RESERVED', new Date(now - graceMs).toISOString(), report, async (order) => {
    try {
      await transition(deps, order, { type: 'failed', reason: 'reservation abandoned before invoicing' });
      report.abandonedReservations++;
    } catch (error) {
      if (!(error instanceof OrderStateConflictError)) throw error;
      report.unchanged++;
    }
  });

  await eachOpenOrder(deps, 'INVOICED', new Date(now).toISOString(), report, async (order) => {
    let settlement: Settlement = await completePayment(deps, order);
    if (settlement.outcome === 'pending' && order.createdAt < expiresBefore) {
      settlement = await cancelInvoiced(deps, settlement.order, 'invoice expired unpaid');
      if (settlement.outcome === 'canceled') {
        report.expired++;
        return;
      }
    }
    count(report, settlement);
  });
  return report;
}

/**
 * Publishes the events orders carry in their outbox (committed by a function without an event
 * client), oldest first, and takes each off once published: a publish that fails leaves it for
 * the next run, so an event is published at least once and never lost.
 */
async function publishOutbox(deps: ReconcileDeps, report: ReconcileReport): Promise<void> {
  let waiting: Order[];
  try {
    waiting = await deps.store.findByLookup([UNPUBLISHED_EVENTS], { limit: OUTBOX_BATCH });
  } catch (error) {
    report.errors++;
    deps.warn?.('could not read the order outbox', { error: (error as Error).message });
    return;
  }
  for (const order of waiting.reverse()) {
    const events = order.unpublished ?? [];
    try {
      for (const type of events) await deps.events.publish({ type, order });
      await transition(deps, order, { type: 'published', events });
      report.eventsPublished += events.length;
    } catch (error) {
      if (error instanceof OrderStateConflictError) continue; // another run took it
      report.errors++;
      deps.warn?.('could not publish an order’s outbox', {
        orderId: order.orderId,
        error: (error as Error).message,
      });
    }
  }
}

function count(report: ReconcileReport, settlement: Settlement): void {
  if (settlement.outcome === 'paid') report.paid++;
  else if (settlement.outcome === 'canceled') report.canceled++;
  else if (settlement.outcome === 'pending') report.pending++;
  else report.unchanged++;
}

async function eachOpenOrder(
  deps: ReconcileDeps,
  status: OrderStatus,
  createdBefore: string,
  report: ReconcileReport,
  work: (order: Order) => Promise<void>,
): Promise<void> {
  const concurrency = deps.concurrency ?? 5;
  let page: string | undefined;
  do {
    const result = await deps.store.listByStatus(status, createdBefore, page);
    const orders = [...result.orders];
    while (orders.length > 0) {
      if (deps.outOfTime?.()) {
        report.deferred += orders.length;
        return;
      }
      await Promise.all(
        orders.splice(0, concurrency).map(async (order) => {
          try {
            await work(order);
          } catch (error) {
            report.errors++;
            deps.warn?.('could not reconcile an order', {
              orderId: order.orderId,
              status,
              error: (error as Error).message,
            });
          }
        }),
      );
    }
    page = result.nextPage;
  } while (page);
}
