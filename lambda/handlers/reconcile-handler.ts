import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { METRIC } from '../../contract/metrics.js';
import { type ReconcileReport, reconcile } from '../checkout/use-cases/reconcile.js';
import { RETENTION_WINDOW_DAYS } from '../checkout/use-cases/shoppers.js';
import type { RetentionLogs, SettlementWiring } from '../wiring/settlement.js';

/** Leave this much of the function's time for finishing the orders already started. */
const SAFETY_MARGIN_MS = 15_000;

/**
 * The scheduled reconciler (every minute when deployed, on an interval under `npm start`).
 * It reports what it settled as metrics; a payment it had to commit means a notification
 * was lost, which the stack alarms on.
 */
export function reconcileHandler(wiring: SettlementWiring, logs: RetentionLogs) {
  const { logger, metrics, config } = wiring;

  const run = async (_event: unknown, context: Context): Promise<ReconcileReport> => {
    // Once an hour is enough for the retention period; each run looks two days back past the cutoff.
    const hourly = wiring.settlement.clock.now().getUTCMinutes() === 0;
    const report = await reconcile({
      ...wiring.settlement,
      invoiceTtlSeconds: config.invoiceTtlSeconds,
      refundPendingAlertMinutes: config.refundPendingAlertMinutes,
      outOfTime: () => context.getRemainingTimeInMillis() < SAFETY_MARGIN_MS,
      ...(hourly
        ? {
            retention: {
              days: config.personalDataRetentionDays,
              windowDays: RETENTION_WINDOW_DAYS,
              mailLog: logs.mailLog,
              webhookLog: logs.webhookLog,
            },
          }
        : {}),
    });
    metrics.addMetric(METRIC.reconcilePaymentsCommitted, MetricUnit.Count, report.paid);
    metrics.addMetric(METRIC.reconcileInvoicesExpired, MetricUnit.Count, report.expired);
    metrics.addMetric(METRIC.reconcileReservationsReleased, MetricUnit.Count, report.abandonedReservations);
    metrics.addMetric(METRIC.reconcileErrors, MetricUnit.Count, report.errors);
    metrics.addMetric(METRIC.refundsPendingOverdue, MetricUnit.Count, report.refundsPendingOverdue);
    metrics.addMetric(METRIC.personalDataErased, MetricUnit.Count, report.personalDataErased);
    const busy =
      report.paid + report.canceled + report.expired + report.abandonedReservations + report.errors > 0;
    if (busy) logger.info('reconciled', { ...report });
    else logger.debug('reconciled', { ...report });
    return report;
  };

  return middy<unknown, ReconcileReport, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .handler(run);
}
