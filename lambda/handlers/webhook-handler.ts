import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ORDER_EVENT_TYPES, type OrderEventType } from '../../contract/events.js';
import { deliverWebhook, type WebhookSource } from '../checkout/use-cases/webhooks.js';
import type { WebhookWiring } from '../wiring/webhooks.js';

const ORDER_ID = /^[0-9A-Za-z]{1,40}$/;

/** An order event as the bus hands it to the queue, checked before it goes anywhere. */
function sourceOf(record: SQSRecord): WebhookSource | undefined {
  let event: { 'detail-type'?: unknown; detail?: { orderId?: unknown } };
  try {
    event = JSON.parse(record.body);
  } catch {
    return undefined;
  }
  const type = event['detail-type'];
  const orderId = event.detail?.orderId;
  if (!ORDER_EVENT_TYPES.includes(type as OrderEventType)) return undefined;
  if (typeof orderId !== 'string' || !ORDER_ID.test(orderId)) return undefined;
  return { type: type as OrderEventType, data: event.detail as WebhookSource['data'] };
}

/**
 * The webhook function: an EventBridge rule puts OrderPaid / OrderCanceled / OrderRefunded on a
 * queue, this delivers each to the endpoints that take it. A message whose endpoints are not all
 * done stays on the queue, put off until its retry is due (30 s … 12 h); after the schedule's
 * last attempt the queue parks it in the dead-letter queue (alarmed). Logs name the event, the
 * order and the outcome, never the body (it may carry a customer) or an endpoint's answer.
 */
export function webhookHandler(wiring: WebhookWiring) {
  const { logger } = wiring;
  const run = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      const source = sourceOf(record);
      if (!source) {
        // Nothing a retry could mend: logged and dropped, never left to block the queue.
        logger.error('queue message is no order event', { messageId: record.messageId });
        continue;
      }
      try {
        const result = await deliverWebhook(wiring.webhooks, source);
        if (!result) continue;
        logger.info('webhook', { ...result, orderId: source.data.orderId });
        if (result.outcome === 'retry' || result.outcome === 'gave-up') {
          // Gave up: the message comes back at once and its receive count parks it.
          await wiring.retryLater(
            record.receiptHandle,
            result.outcome === 'retry' ? result.retryAfterSeconds : 0,
          );
          failures.push({ itemIdentifier: record.messageId });
        }
      } catch (error) {
        logger.error('webhook failed', { orderId: source.data.orderId, error: (error as Error).name });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
  return middy<SQSEvent, SQSBatchResponse, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(run);
}
