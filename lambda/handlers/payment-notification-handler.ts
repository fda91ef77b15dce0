import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { METRIC, RELEASE_METRIC } from '../../contract/metrics.js';
import { MAX_NOTIFICATION_BODY_BYTES } from '../../contract/routes.js';
import { OrderNotFoundError } from '../checkout/model/errors.js';
import { isValidSignature } from '../checkout/model/notification-signature.js';
import { completePayment } from '../checkout/use-cases/complete-payment.js';
import type { SettlementWiring } from '../wiring/settlement.js';
import { RequestRefusal } from './http-errors.js';
import { httpRoute, json } from './http-middleware.js';
import { releaseMetric } from './release-metric.js';

const ORDER_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
/** Glase reverses a payment it was not asked about within this long after notifying. */
const GLASE_REVERSES_AFTER_MS = 20_000;

/**
 * POST NOTIFY_RESOURCE?sig=… (contract/routes.ts): Glase's empty "something happened to this invoice".
 * The signature is checked before anything is read, and getPaymentStatus is called at once:
 * Glase reverses a payment it has not been asked about within 20 seconds.
 */
export function paymentNotificationHandler(wiring: SettlementWiring) {
  const { logger, metrics, config, secrets, urgentSettlement } = wiring;

  const notify = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    // When API Gateway took the call: a cold start's time already counts against Glase's 20 s.
    const receivedAt = event.requestContext?.requestTimeEpoch || Date.now();
    const orderId = event.pathParameters?.orderId ?? '';
    const signingKey = await secrets.signingKey();
    if (!ORDER_ID.test(orderId) || !isValidSignature(orderId, event.queryStringParameters?.sig, signingKey)) {
      metrics.addMetric(METRIC.notificationRejected, MetricUnit.Count, 1);
      throw new RequestRefusal('INVALID_SIGNATURE', 'the notification URL is not one this shop issued');
    }
    // A signed id is ours: every log line of this call, errors too, names it.
    logger.appendKeys({ orderId });
    const order = await urgentSettlement.store.getOrder(orderId);
    if (!order) throw new OrderNotFoundError(orderId);

    const settlement = await completePayment(urgentSettlement, order, {
      deadline: receivedAt + config.glase.notificationDeadlineMs,
    });
    const elapsedMs = Date.now() - receivedAt;
    metrics.addMetric(METRIC.notificationToSettledMs, MetricUnit.Milliseconds, elapsedMs);
    if (elapsedMs > GLASE_REVERSES_AFTER_MS) {
      metrics.addMetric(METRIC.notificationLate, MetricUnit.Count, 1);
      releaseMetric(metrics, RELEASE_METRIC.notificationLate);
    }
    if (settlement.outcome === 'paid') metrics.addMetric(METRIC.orderPaid, MetricUnit.Count, 1);
    if (settlement.outcome === 'canceled') metrics.addMetric(METRIC.orderCanceled, MetricUnit.Count, 1);
    logger.info('notification settled', {
      orderId,
      outcome: settlement.outcome,
      status: settlement.order.status,
      elapsedMs,
    });
    return json(200, { orderId, status: settlement.order.status });
  };

  return httpRoute(wiring, MAX_NOTIFICATION_BODY_BYTES).handler(notify);
}
