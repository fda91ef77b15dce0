import type { WebhookDelivery } from '../../lambda/checkout/model/webhook.js';
import type { WebhookLog } from '../../lambda/checkout/ports.js';

const delivery = (eventId: string, created: number): WebhookDelivery => ({
  eventId,
  type: 'order.paid',
  orderId: `O${eventId}`,
  created,
  body: `{"id":"${eventId}","data":{"city":"Göteborg"}}`,
  endpoints: { shop: { url: 'https://shop.example/h', state: 'pending', attempts: 0 } },
  nextAttemptAt: created,
});

/** The contract every webhook delivery log keeps (DynamoDB and in memory). */
export function describeWebhookLogs(
  kind: string,
  make: () => Promise<{ log: WebhookLog; close(): Promise<void> }>,
) {
  describe(`${kind}: webhook delivery log contract`, () => {
    let log: WebhookLog;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ log, close } = await make());
    });
    afterAll(() => close());

    it('records an event once: a second record answers the first, unchanged', async () => {
      const first = delivery('evt_a', 1_764_000_000);
      expect(await log.record(first, 1_766_000_000)).toEqual(first);
      const again = { ...first, created: 1_764_000_999, body: '{}' };
      expect(await log.record(again, 1_766_000_000)).toEqual(first);
      expect(await log.get('evt_a')).toEqual(first);
      expect(await log.get('evt_none')).toBeUndefined();
    });

    it('keeps what an attempt left, and forgets the next attempt when nothing is left to try', async () => {
      await log.record(delivery('evt_b', 1_764_000_100), 1_766_000_000);
      const endpoints = {
        shop: {
          url: 'https://shop.example/h',
          state: 'failed' as const,
          attempts: 1,
          lastStatus: 'HTTP 500',
          lastAttemptAt: '2026-11-27T10:00:00.000Z',
        },
      };
      await log.update('evt_b', endpoints, 1_764_000_130);
      expect(await log.get('evt_b')).toMatchObject({ endpoints, nextAttemptAt: 1_764_000_130 });
      await log.update(
        'evt_b',
        { shop: { ...endpoints.shop, state: 'delivered', attempts: 2, lastStatus: '200' } },
        undefined,
      );
      const done = await log.get('evt_b');
      expect(done?.endpoints.shop?.state).toBe('delivered');
      expect(done?.nextAttemptAt).toBeUndefined();
    });

    it('lists newest first, a page at a time', async () => {
      await log.record(delivery('evt_c', 1_764_000_200), 1_766_000_000);
      const first = await log.list(2);
      expect(first.deliveries.map((one) => one.eventId)).toEqual(['evt_c', 'evt_b']);
      const rest = await log.list(2, first.nextPage);
      expect(rest.deliveries.map((one) => one.eventId)).toEqual(['evt_a']);
    });
  });
}
