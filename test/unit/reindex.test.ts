import type { Order } from '../../lambda/checkout/model/order.js';
import { findOrders } from '../../lambda/checkout/use-cases/find-orders.js';
import { reindexOrders, unindexedOrders } from '../../lambda/checkout/use-cases/reindex.js';
import { InMemoryStore } from '../support/in-memory.js';
import { anOrder, CUSTOMER } from '../support/orders.js';

const NOW = new Date('2026-12-05T12:00:00.000Z');

/** Orders as an old release stored them: the order items alone, no lookup entry. */
function storedBeforeTheIndex(orders: Order[]): InMemoryStore {
  const store = new InMemoryStore();
  for (const order of orders) store.orders.set(order.orderId, order);
  return store;
}

const OLD = [
  anOrder({ orderId: 'A', status: 'PAID', paymentReference: '7001', createdAt: '2026-01-01T10:00:00.000Z' }),
  anOrder({
    orderId: 'B',
    status: 'INVOICED',
    invoiceReference: '5002',
    createdAt: '2026-01-02T10:00:00.000Z',
  }),
  anOrder({
    orderId: 'C',
    status: 'PAID',
    customer: { ...CUSTOMER, email: 'Bo@Shop.se', msisdn: '070-123 45 67' },
    createdAt: '2026-01-03T10:00:00.000Z',
  }),
];

describe('orders reindex', () => {
  it('makes orders stored before the lookup index findable, and doctor’s check sees the difference', async () => {
    const store = storedBeforeTheIndex(OLD);
    expect(await findOrders(store, '7001', 10)).toEqual([]);
    expect((await unindexedOrders(store, NOW)).map((order) => order.orderId).sort()).toEqual(['A', 'B']);

    const done = await reindexOrders(store, { now: NOW });
    expect(done).toMatchObject({ orders: 3, entries: 3 + 1 + 1 + 1, next: undefined });
    expect((await findOrders(store, '7001', 10)).map((order) => order.orderId)).toEqual(['A']);
    expect((await findOrders(store, 'bo@shop.se', 10)).map((order) => order.orderId)).toEqual(['C']);
    expect((await findOrders(store, '+46701234567', 10)).map((order) => order.orderId)).toEqual(['C']);
    expect(await unindexedOrders(store, NOW)).toEqual([]);
  });

  it('is idempotent: a second run writes the same entries and the orders are untouched', async () => {
    const store = storedBeforeTheIndex(OLD);
    await reindexOrders(store, { now: NOW });
    const lookups = JSON.stringify([...store.lookups].map(([key, entries]) => [key, [...entries]]));
    const orders = JSON.stringify([...store.orders]);
    await reindexOrders(store, { now: NOW });
    expect(JSON.stringify([...store.lookups].map(([key, entries]) => [key, [...entries]]))).toBe(lookups);
    expect(JSON.stringify([...store.orders])).toBe(orders);
  });

  it('reports each page with where to resume, and resumes from there', async () => {
    const store = storedBeforeTheIndex(OLD);
    const pages: { status: string; next?: unknown }[] = [];
    await reindexOrders(store, { now: NOW, onPage: (progress) => pages.push(progress) });
    // Every status is visited, the last one with nothing after it.
    expect(pages.at(-1)?.next).toBeUndefined();
    const invoiced = pages.find((page) => page.status === 'INVOICED');
    expect(invoiced?.next).toEqual({ status: expect.any(String) });

    // A run stopped after the INVOICED page resumes with the statuses after it only.
    const resumed = storedBeforeTheIndex(OLD);
    const rest = await reindexOrders(resumed, { now: NOW, from: invoiced?.next as never });
    expect(rest.orders).toBe(2); // A and C are PAID, after INVOICED
    expect(await findOrders(resumed, '5002', 10)).toEqual([]);
  });
});
