import {
  delivered,
  retryAfterSeconds,
  takes,
  WEBHOOK_RETRY_SECONDS,
  type WebhookTarget,
  webhookEventId,
} from '../../lambda/checkout/model/webhook.js';
import {
  attemptDueWebhooks,
  attemptWebhook,
  deliverWebhook,
  redeliverWebhook,
  type WebhookDeps,
} from '../../lambda/checkout/use-cases/webhooks.js';
import { orderEventView } from '../../lambda/checkout/views/order-view.js';
import { InMemoryWebhookLog, ManualClock, RecordingPoster } from '../support/in-memory.js';
import { anOrder } from '../support/orders.js';

const SHOP: WebhookTarget = { id: 'shop', url: 'https://shop.example/hooks', events: [] };
const BOOKS: WebhookTarget = { id: 'books', url: 'https://books.example/in', events: ['order.refunded'] };

function setup(targets = [SHOP]) {
  const clock = new ManualClock();
  const log = new InMemoryWebhookLog();
  const poster = new RecordingPoster();
  const deps: WebhookDeps = { log, poster, targets, clock };
  return { clock, log, poster, deps };
}

const paid = anOrder({ status: 'PAID', paidAt: '2026-11-27T10:00:00.000Z' });
const paidSource = { type: 'OrderPaid' as const, data: orderEventView(paid) };

describe('webhooks: what is sent, and how often', () => {
  it('POSTs { id, type, created, data } to every endpoint that takes the type, data the order as events tell it (no customer by default)', async () => {
    const { deps, poster } = setup([SHOP, BOOKS]);
    const result = await deliverWebhook(deps, paidSource);
    expect(result).toEqual({ outcome: 'delivered', eventId: webhookEventId('OrderPaid', paid.orderId) });
    expect(poster.posts.map((post) => post.endpointId)).toEqual(['shop']);
    const body = JSON.parse(poster.posts[0]?.body as string);
    expect(body).toEqual({
      id: result?.eventId,
      type: 'order.paid',
      created: Date.parse('2026-11-27T10:00:00.000Z') / 1000,
      data: JSON.parse(JSON.stringify(orderEventView(paid))),
    });
    expect(body.data.customer).toBeNull();
    expect(body.data.orderId).toBe(paid.orderId);
  });

  it('an event no endpoint takes is not logged at all', async () => {
    const { deps, log, poster } = setup([BOOKS]);
    expect(await deliverWebhook(deps, paidSource)).toBeUndefined();
    expect(log.items.size).toBe(0);
    expect(poster.posts).toHaveLength(0);
  });

  it('the same event published twice is one event: one id, one log record, no second POST once delivered', async () => {
    const { deps, log, poster } = setup();
    const first = await deliverWebhook(deps, paidSource);
    const second = await deliverWebhook(deps, paidSource);
    expect(second?.eventId).toBe(first?.eventId);
    expect(log.items.size).toBe(1);
    expect(poster.posts).toHaveLength(1);
  });

  it('ids: stable per event, different per type, order and refund', () => {
    const id = webhookEventId('OrderPaid', 'A');
    expect(id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(webhookEventId('OrderPaid', 'A')).toBe(id);
    expect(new Set([id, webhookEventId('OrderCanceled', 'A'), webhookEventId('OrderPaid', 'B')]).size).toBe(
      3,
    );
    expect(webhookEventId('OrderRefunded', 'A', 'R1')).not.toBe(webhookEventId('OrderRefunded', 'A', 'R2'));
  });

  it('a refund event is about the newest refund: each refund its own event', async () => {
    const { deps, poster } = setup([BOOKS]);
    const refunded = (ids: string[]) =>
      anOrder({
        status: 'PAID',
        refunds: ids.map((refundId) => ({
          refundId,
          amountMinor: 100,
          status: 'SUCCEEDED' as const,
          restock: false,
          requestedAt: '2026-11-27T10:00:00.000Z',
        })),
      });
    const one = await deliverWebhook(deps, { type: 'OrderRefunded', data: orderEventView(refunded(['R1'])) });
    const two = await deliverWebhook(deps, {
      type: 'OrderRefunded',
      data: orderEventView(refunded(['R1', 'R2'])),
    });
    expect(one?.eventId).toBe(webhookEventId('OrderRefunded', paid.orderId, 'R1'));
    expect(two?.eventId).toBe(webhookEventId('OrderRefunded', paid.orderId, 'R2'));
    expect(poster.posts.map((post) => JSON.parse(post.body).type)).toEqual([
      'order.refunded',
      'order.refunded',
    ]);
  });
});

describe('webhooks: retries', () => {
  it('the schedule: the first retry within 30 s, every retry for at least 24 h, growing, at most 12 h apart (SQS)', () => {
    expect(WEBHOOK_RETRY_SECONDS[0]).toBeLessThanOrEqual(30);
    expect(WEBHOOK_RETRY_SECONDS.reduce((sum, seconds) => sum + seconds, 0)).toBeGreaterThanOrEqual(86_400);
    for (let i = 1; i < WEBHOOK_RETRY_SECONDS.length; i++) {
      expect(WEBHOOK_RETRY_SECONDS[i]).toBeGreaterThanOrEqual(WEBHOOK_RETRY_SECONDS[i - 1] as number);
      expect(WEBHOOK_RETRY_SECONDS[i]).toBeLessThanOrEqual(43_200);
    }
    expect(retryAfterSeconds(1)).toBe(WEBHOOK_RETRY_SECONDS[0]);
    expect(retryAfterSeconds(WEBHOOK_RETRY_SECONDS.length + 1)).toBeUndefined();
  });

  it('after a 500 and after a timeout the same id and body go again when due, and the log says how each went', async () => {
    const { deps, poster, log, clock } = setup();
    poster.answers = [{ status: 500 }, { failure: 'timeout' }];
    const first = await deliverWebhook(deps, paidSource);
    expect(first).toMatchObject({ outcome: 'retry', retryAfterSeconds: 30 });
    const eventId = first?.eventId as string;
    expect((await log.get(eventId))?.endpoints.shop).toMatchObject({
      state: 'failed',
      attempts: 1,
      lastStatus: 'HTTP 500',
    });

    // Not due yet: the sweep leaves it.
    clock.advance(29_000);
    expect(await attemptDueWebhooks(deps)).toEqual([]);
    clock.advance(1_000);
    expect(await attemptDueWebhooks(deps)).toEqual([{ outcome: 'retry', eventId, retryAfterSeconds: 120 }]);
    expect((await log.get(eventId))?.endpoints.shop).toMatchObject({ attempts: 2, lastStatus: 'timeout' });

    clock.advance(120_000);
    expect(await attemptDueWebhooks(deps)).toEqual([{ outcome: 'delivered', eventId }]);
    expect((await log.get(eventId))?.endpoints.shop).toMatchObject({
      state: 'delivered',
      attempts: 3,
      lastStatus: '200',
    });
    expect((await log.get(eventId))?.nextAttemptAt).toBeUndefined();
    expect(new Set(poster.posts.map((post) => post.body)).size).toBe(1);
    expect(poster.posts).toHaveLength(3);
  });

  it('only the endpoint that failed is tried again', async () => {
    const { deps, poster } = setup([SHOP, { ...BOOKS, events: [] }]);
    poster.post = async (endpointId, url, body) => {
      poster.posts.push({ endpointId, url, body });
      return endpointId === 'books' ? { status: 503 } : { status: 204 };
    };
    const first = await deliverWebhook(deps, paidSource);
    await attemptWebhook(deps, first?.eventId as string);
    expect(poster.posts.map((post) => post.endpointId).sort()).toEqual(['books', 'books', 'shop']);
  });

  it('a thrown poster (a secret not configured) counts as a failed attempt, not a lost event', async () => {
    const { deps, poster, log } = setup();
    poster.post = () => Promise.reject(new Error('no secret'));
    const result = await deliverWebhook(deps, paidSource);
    expect(result?.outcome).toBe('retry');
    expect((await log.get(result?.eventId as string))?.endpoints.shop?.lastStatus).toBe('network error');
  });

  it('gives up after the last retry; a redirect is a failure too', async () => {
    const { deps, poster, clock } = setup();
    poster.answers = Array.from({ length: 20 }, () => ({ status: 301 }));
    let result = await deliverWebhook(deps, paidSource);
    for (const wait of WEBHOOK_RETRY_SECONDS) {
      expect(result).toMatchObject({ outcome: 'retry', retryAfterSeconds: wait });
      clock.advance(wait * 1000);
      result = await attemptWebhook(deps, result?.eventId as string);
    }
    expect(result?.outcome).toBe('gave-up');
    expect(poster.posts).toHaveLength(WEBHOOK_RETRY_SECONDS.length + 1);
    clock.advance(86_400_000);
    expect(await attemptDueWebhooks(deps)).toEqual([]);
  });

  it('redelivery sends the same id and body again, even when it was delivered, with a fresh schedule', async () => {
    const { deps, poster, log } = setup();
    const first = await deliverWebhook(deps, paidSource);
    const again = await redeliverWebhook(deps, first?.eventId as string);
    expect(again).toEqual({ outcome: 'delivered', eventId: first?.eventId });
    expect(poster.posts).toHaveLength(2);
    expect(poster.posts[1]?.body).toBe(poster.posts[0]?.body);
    expect((await log.get(first?.eventId as string))?.endpoints.shop?.attempts).toBe(1);
    expect(await redeliverWebhook(deps, 'evt_missing')).toEqual({
      outcome: 'unknown',
      eventId: 'evt_missing',
    });
  });
});

describe('webhooks: the rules at their edges', () => {
  it('2xx is delivered, nothing else: not 199, not a redirect, not 300', () => {
    expect([199, 200, 204, 299, 300, 301, 404, 500].map(delivered)).toEqual([
      false,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });

  it('an endpoint takes the types it lists, every type when it lists none', () => {
    expect(takes(SHOP, 'order.canceled')).toBe(true);
    expect(takes(BOOKS, 'order.refunded')).toBe(true);
    expect(takes(BOOKS, 'order.paid')).toBe(false);
  });

  it('an attempt at an event the log does not hold says so and sends nothing', async () => {
    const { deps, poster } = setup();
    expect(await attemptWebhook(deps, 'evt_none')).toEqual({ outcome: 'unknown', eventId: 'evt_none' });
    expect(poster.posts).toEqual([]);
  });

  it('the sweep reads the log a page at a time up to its limit, and tries only what is due', async () => {
    const { deps, poster, clock, log } = setup();
    poster.answers = Array.from({ length: 150 }, () => ({ status: 500 }));
    for (let i = 0; i < 150; i++) {
      await deliverWebhook(deps, { type: 'OrderPaid', data: { orderId: `ORDER${i}` } });
      clock.advance(1_000);
    }
    expect(poster.posts).toHaveLength(150);
    // Event i was tried at second i and is due at i + 30; the clock is now at 170, so 0…140 are
    // due. The sweep reads the newest 120 (149…30): of those, 30…140 are due.
    clock.advance(20_000);
    let reads = 0;
    const get = log.get.bind(log);
    log.get = (eventId) => {
      reads += 1;
      return get(eventId);
    };
    const due = await attemptDueWebhooks(deps, 120);
    expect(due).toHaveLength(111);
    // The page read is the record each attempt works on: no second read per event.
    expect(reads).toBe(0);
    expect(due.every((result) => result.outcome === 'delivered')).toBe(true);
    const tried = new Set(due.map((result) => result.eventId));
    expect(tried.has(webhookEventId('OrderPaid', 'ORDER30'))).toBe(true);
    expect(tried.has(webhookEventId('OrderPaid', 'ORDER140'))).toBe(true);
    expect(tried.has(webhookEventId('OrderPaid', 'ORDER29'))).toBe(false);
    expect(tried.has(webhookEventId('OrderPaid', 'ORDER141'))).toBe(false);
    const pending = [...log.items.values()].filter((item) => item.delivery.nextAttemptAt !== undefined);
    expect(pending).toHaveLength(150 - 111);
  });
});
