import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { OrderEventType } from '../checkout/model/order-event.js';
import { type MailOutcome, mailShopper } from '../checkout/use-cases/order-mail.js';
import type { OrderView } from '../checkout/views/order-view.js';
import type { OrderMailWiring } from '../wiring/order-mail.js';

const ORDER_ID = /^[0-9A-Za-z]{1,40}$/;

/** What a failed mail tells Lambda (and so its logs and the dead-letter queue): never the shopper. */
export class OrderMailError extends Error {
  override readonly name = 'OrderMailError';
}

/**
 * The mail function: an EventBridge rule delivers OrderPaid / OrderRefunded here. A failure is
 * thrown, so Lambda retries it and then parks the event in the dead-letter queue (alarmed);
 * the sent-mail log makes a repeated event mail once. Logs name the order and the outcome,
 * never an address, a name or what SES said about them.
 */
export function orderMailHandler(wiring: OrderMailWiring) {
  const { logger } = wiring;
  const run = async (event: EventBridgeEvent<string, unknown>): Promise<MailOutcome> => {
    const orderId = (event.detail as Partial<OrderView> | undefined)?.orderId;
    if (typeof orderId !== 'string' || !ORDER_ID.test(orderId)) {
      logger.error('order event without an order', { detailType: event['detail-type'] });
      throw new OrderMailError(`${event['detail-type']} event carries no order`);
    }
    logger.appendKeys({ orderId });
    // The event carries no shopper (EVENTS_INCLUDE_CUSTOMER is off by default): the order has them.
    const order = await wiring.orders.getOrder(orderId);
    if (!order) {
      logger.error('order event for an order that is not there');
      throw new OrderMailError(`order ${orderId} is not there`);
    }
    try {
      const result = await mailShopper(wiring.mail, event['detail-type'] as OrderEventType, order);
      // Sent but not recorded: a retry after the lease would mail again; worth a look, not a failure.
      if (result.outcome === 'sent' && result.unmarked)
        logger.warn('order mail sent, not recorded', { ...result });
      else logger.info('order mail', { detailType: event['detail-type'], ...result });
      return result;
    } catch (error) {
      // SES's own messages can quote the recipient's address: only the error's name is kept.
      const name = (error as Error).name ?? 'Error';
      logger.error('order mail failed', { detailType: event['detail-type'], error: name });
      throw new OrderMailError(`mail for order ${orderId} failed: ${name}`);
    }
  };
  return middy<EventBridgeEvent<string, unknown>, MailOutcome, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(run);
}
