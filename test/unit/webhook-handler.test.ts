import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { WEBHOOK_RETRY_SECONDS } from '../../lambda/checkout/model/webhook.js';
import { orderEventView } from '../../lambda/checkout/views/order-view.js';
import { webhookHandler } from '../../lambda/handlers/webhook-handler.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { InMemoryWebhookLog, ManualClock, RecordingPoster } from '../support/in-memory.js';
import { anOrder } from '../support/orders.js';

const order = anOrder({
  status: 'PAID',
  customer: {
    clientName: 'Åsa Secret',
    email: 'asa@private.example',
    msisdn: '46701234567',
    street: 'Hemliga gatan 1',
    zip: '11122',
    city: 'Stockholm',
    country: 'Sweden',
    state: '',
  },
});
const context = {
  functionName: 'webhooks',
  awsRequestId: 'r1',
  getRemainingTimeInMillis: () => 30_000,
} as Context;

const message = (id: string, body: unknown) => ({
  messageId: id,
  receiptHandle: `handle-${id}`,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
/** As EventBridge puts an order event on the queue. */
const busEvent = (detailType: string, detail: unknown) => ({
  source: 'glase-checkout',
  'detail-type': detailType,
  detail,
});

function setup() {
  const logger = new CapturingLogger();
  const poster = new RecordingPoster();
  const log = new InMemoryWebhookLog();
  const putOff: { handle: string; seconds: number }[] = [];
  const handler = webhookHandler({
    logger,
    webhooks: {
      log,
      poster,
      clock: new ManualClock(),
      targets: [{ id: 'shop', url: 'https://shop.example/h', events: [] }],
    },
    retryLater: async (handle, seconds) => {
      putOff.push({ handle, seconds });
    },
  });
  const invoke = (records: ReturnType<typeof message>[]) =>
    handler({ Records: records } as unknown as SQSEvent, context) as Promise<SQSBatchResponse>;
  return { logger, poster, log, putOff, invoke };
}

describe('the webhook function (SQS → endpoints)', () => {
  it('delivers a queued order event; a failed endpoint keeps its message, put off until the retry is due', async () => {
    const { poster, putOff, invoke } = setup();
    poster.answers = [{ status: 200 }, { status: 500 }];
    const result = await invoke([
      message('m1', busEvent('OrderPaid', orderEventView(order))),
      message(
        'm2',
        busEvent('OrderCanceled', orderEventView(anOrder({ orderId: 'OTHER1', status: 'CANCELED' }))),
      ),
    ]);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect(putOff).toEqual([{ handle: 'handle-m2', seconds: WEBHOOK_RETRY_SECONDS[0] }]);
    expect(poster.posts.map((post) => JSON.parse(post.body).type)).toEqual(['order.paid', 'order.canceled']);
  });

  it('a message that is no order event is dropped and logged, never retried or sent', async () => {
    const { poster, invoke, logger } = setup();
    const result = await invoke([
      message('bad1', 'not json'),
      message('bad2', busEvent('OrderShipped', { orderId: 'A1' })),
      message('bad3', busEvent('OrderPaid', { orderId: '../../etc' })),
    ]);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(poster.posts).toHaveLength(0);
    expect(logger.lines.filter((line) => line.includes('queue message is no order event'))).toHaveLength(3);
  });

  it('after the schedule runs out the message fails at once, so the queue parks it in the dead-letter queue', async () => {
    const { poster, putOff, invoke } = setup();
    poster.answers = Array.from({ length: 20 }, () => ({ status: 500 }));
    const event = message('m1', busEvent('OrderPaid', orderEventView(order)));
    for (let receive = 1; receive <= WEBHOOK_RETRY_SECONDS.length + 1; receive++) {
      expect(await invoke([event])).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    }
    expect(putOff.map((entry) => entry.seconds)).toEqual([...WEBHOOK_RETRY_SECONDS, 0]);
  });

  it('logs the event, order and outcome, never the shopper or the body', async () => {
    const { invoke, logger } = setup();
    await invoke([message('m1', busEvent('OrderPaid', orderEventView(order, true)))]);
    const logged = logger.lines.join('\n');
    expect(logged).toContain(order.orderId);
    expect(logged).toContain('"outcome":"delivered"');
    for (const secret of ['Åsa Secret', 'asa@private.example', 'Hemliga'])
      expect(logged).not.toContain(secret);
  });
});
