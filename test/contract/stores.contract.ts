import { ulid } from 'ulid';
import { type Bundle, composeBundle, MAX_BUNDLE_COMPONENTS } from '../../lambda/checkout/model/bundle.js';
import { readHeld, readProduct } from '../../lambda/checkout/model/catalog-item.js';
import {
  OpenOrderLimitError,
  OrderStateConflictError,
  ProductNotForSaleError,
  RefusedError,
  RequestInProgressError,
  SoldOutError,
  UnknownPurchaseTokenError,
} from '../../lambda/checkout/model/errors.js';
import type { Order } from '../../lambda/checkout/model/order.js';
import { lookupKeysFor, PENDING_REFUND } from '../../lambda/checkout/model/order-lookups.js';
import type { CatalogEntry } from '../../lambda/checkout/model/product.js';
import type { RequestRecord } from '../../lambda/checkout/model/request-record.js';
import {
  changeOf,
  type LifecycleEvent,
  type OrderChange,
  planChange,
  planNewOrder,
} from '../../lambda/checkout/plans/order-plan.js';
import type { Store } from '../../lambda/checkout/ports.js';
import { type CatalogAdmin, catalogOf } from '../../lambda/checkout/use-cases/catalog.js';
import { commit } from '../../lambda/checkout/use-cases/commit.js';

/** What a contract run needs of an implementation of the store. */
export interface StoreUnderTest {
  readonly store: Store;
  close(): Promise<void>;
}

const NOW = new Date('2026-11-27T10:00:00.000Z');
const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

function details(purchaseToken: string): Omit<CatalogEntry, 'onHand'> {
  return {
    purchaseToken,
    sku: `SKU-${purchaseToken}`,
    description: 'Contract mug',
    unitPriceMinor: 14900,
    currency: 'SEK',
    taxRatePercent: 25,
  };
}

function newOrder(purchaseToken: string, quantity = 1, createdAt = NOW): Order {
  return {
    orderId: ulid(),
    status: 'RESERVED',
    purchaseToken,
    product: {
      sku: 'SKU',
      description: 'Contract mug',
      unitPriceMinor: 14900,
      currency: 'SEK',
      taxRatePercent: 25,
    },
    quantity,
    totalMinor: 14900 * quantity,
    currency: 'SEK',
    customer: {
      clientName: 'Ann',
      email: 'ann@example.com',
      msisdn: '',
      street: 's 1',
      zip: '111 22',
      city: 'Stockholm',
      state: '',
      country: 'Sweden',
    },
    stock: [{ purchaseToken, quantity }],
    createdAt: createdAt.toISOString(),
    updatedAt: createdAt.toISOString(),
    history: [{ status: 'RESERVED', at: createdAt.toISOString() }],
  };
}

/** The contract every Store keeps, whatever holds the data: orders and the catalog through it. */
export function describeStores(kind: string, make: () => Promise<StoreUnderTest>): void {
  describe(`${kind}: store contract (orders and catalog)`, () => {
    let under: StoreUnderTest;
    let store: Store;
    let catalog: CatalogAdmin;
    let tokens = 0;
    beforeAll(async () => {
      under = await make();
      store = under.store;
      catalog = catalogOf(store);
    });
    afterAll(() => under.close());
    const apply = (change: OrderChange) => commit(store, changeOf(change));
    /** What createPurchase's first read gives, as it reads it. */
    const lookup = async (purchaseToken: string, requestKey: string, shards?: number) => {
      const read = await store.readForPurchase(purchaseToken, requestKey, shards);
      const product = read.product && readProduct(read.product);
      return {
        product,
        request: read.request,
        shardsAvailable:
          product && read.shards && product.stockShards === shards
            ? [product.available, ...read.shards.map((item) => readHeld(item)?.available ?? 0)]
            : undefined,
      };
    };

    /** A fresh product with `onHand` units, so tests never share stock. */
    async function product(onHand = 3): Promise<string> {
      const token = `C-${kind.replace(/\W/g, '')}-${++tokens}-${ulid().slice(-6)}`;
      expect(await catalog.upsert({ ...details(token), onHand }, { setStock: false })).toBe('created');
      return token;
    }
    const stock = async (token: string) => {
      const found = await catalog.getProduct(token);
      if (!found) throw new Error(`no product ${token}`);
      const { onHand, reserved, available, sold, active } = found;
      return { onHand, reserved, available, sold, active };
    };
    async function placed(token: string, quantity = 1, createdAt = NOW): Promise<Order> {
      const change = planNewOrder(newOrder(token, quantity, createdAt));
      await apply(change);
      return change.order;
    }
    const move = async (order: Order, event: LifecycleEvent, at = later(1)) => {
      const change = planChange(order, event, at);
      await apply(change);
      return change.order;
    };

    it('records a new order and reserves its units in one step; the order reads back as written', async () => {
      const token = await product(3);
      const order = await placed(token, 2);
      expect(await store.getOrder(order.orderId)).toEqual(order);
      expect(order.version).toBe(1);
      expect(await stock(token)).toEqual({ onHand: 3, reserved: 2, available: 1, sold: 0, active: true });
    });

    it('refuses a second order with the same id, writing nothing', async () => {
      const token = await product(3);
      const order = await placed(token);
      const again = planNewOrder({ ...newOrder(token), orderId: order.orderId });
      await expect(apply(again)).rejects.toBeInstanceOf(OrderStateConflictError);
      expect(await stock(token)).toMatchObject({ reserved: 1, available: 2 });
    });

    it('refuses a reservation larger than what is available: SOLD_OUT, no order, stock untouched', async () => {
      const token = await product(2);
      await placed(token);
      const order = newOrder(token, 2);
      await expect(apply(planNewOrder(order))).rejects.toBeInstanceOf(SoldOutError);
      expect(await store.getOrder(order.orderId)).toBeUndefined();
      expect(await stock(token)).toEqual({ onHand: 2, reserved: 1, available: 1, sold: 0, active: true });
    });

    it('refuses a reservation of a product off sale, or gone: NOT_FOR_SALE, nothing written', async () => {
      const token = await product(5);
      await catalog.setActive(token, false);
      const order = newOrder(token);
      await expect(apply(planNewOrder(order))).rejects.toBeInstanceOf(ProductNotForSaleError);
      expect(await store.getOrder(order.orderId)).toBeUndefined();
      expect(await stock(token)).toMatchObject({ reserved: 0, available: 5, active: false });
      const ghost = newOrder(`GONE-${ulid()}`);
      await expect(apply(planNewOrder(ghost))).rejects.toBeInstanceOf(ProductNotForSaleError);
      expect(await store.getOrder(ghost.orderId)).toBeUndefined();
    });

    it('applies a change only to the version it was planned from: two writers never both win', async () => {
      const token = await product(3);
      const order = await placed(token);
      const first = planChange(order, { type: 'failed', reason: 'first writer' }, later(1));
      const second = planChange(order, { type: 'invoiced', invoiceReference: '123' }, later(1));
      await apply(first);
      await expect(apply(second)).rejects.toBeInstanceOf(OrderStateConflictError);
      expect(await store.getOrder(order.orderId)).toEqual(first.order);
      expect(await stock(token)).toMatchObject({ reserved: 0, available: 3 });
    });

    it('paid sells the units; failed and canceled release them; a restock puts sold units back', async () => {
      const token = await product(5);
      const paid = await placed(token);
      const invoiced = await move(paid, { type: 'invoiced', invoiceReference: '1' });
      const sold = await move(invoiced, {
        type: 'paid',
        paidAt: later(2).toISOString(),
        invoiceVersion: 1,
        ersReference: 'E1',
      });
      expect(await stock(token)).toEqual({ onHand: 4, reserved: 0, available: 4, sold: 1, active: true });

      const failed = await placed(token);
      await move(failed, { type: 'failed', reason: 'Glase down' });
      const canceled = await move(await placed(token), { type: 'invoiced', invoiceReference: '2' });
      await move(canceled, { type: 'canceled', reason: 'declined' });
      expect(await stock(token)).toEqual({ onHand: 4, reserved: 0, available: 4, sold: 1, active: true });

      const refund = {
        refundId: 'R1',
        amountMinor: sold.totalMinor,
        status: 'PENDING' as const,
        requestedAt: later(3).toISOString(),
        restock: true,
      };
      const pending = await move(sold, { type: 'refund-requested', refund });
      const refunded = await move(pending, {
        type: 'refund-settled',
        refundId: 'R1',
        outcome: { succeeded: true, ersReference: 'E2' },
      });
      expect(refunded).toMatchObject({ status: 'REFUNDED', restocked: true });
      expect(await stock(token)).toEqual({ onHand: 5, reserved: 0, available: 5, sold: 0, active: true });
    });

    it('catalog: creates on sale, updates details without touching stock unless asked, never below what orders hold', async () => {
      const token = await product(4);
      await placed(token, 3);
      const changed = { ...details(token), description: 'Renamed mug', unitPriceMinor: 9900, onHand: 100 };
      expect(await catalog.upsert(changed, { setStock: false })).toBe('updated');
      expect(await catalog.getProduct(token)).toMatchObject({
        description: 'Renamed mug',
        unitPriceMinor: 9900,
        onHand: 4,
        reserved: 3,
      });
      await expect(catalog.upsert({ ...changed, onHand: 2 }, { setStock: true })).rejects.toThrow(
        /2 on hand is fewer than the 3 held by open orders; set at least 3/,
      );
      expect(await stock(token)).toMatchObject({ onHand: 4, reserved: 3, available: 1 });
      await catalog.upsert({ ...changed, onHand: 10 }, { setStock: true });
      expect(await stock(token)).toMatchObject({ onHand: 10, reserved: 3, available: 7 });
    });

    it('catalog: sets and moves onHand atomically, refusing what would take reserved or missing units', async () => {
      const token = await product(5);
      await placed(token, 2);
      expect(await catalog.adjustStock(token, { set: 8 })).toMatchObject({
        onHand: 8,
        reserved: 2,
        available: 6,
      });
      expect(await catalog.adjustStock(token, { delta: -6 })).toMatchObject({
        onHand: 2,
        reserved: 2,
        available: 0,
      });
      await expect(catalog.adjustStock(token, { delta: -1 })).rejects.toThrow(
        /only 0 of .* available; cannot take 1/,
      );
      await expect(catalog.adjustStock(token, { set: 1 })).rejects.toBeInstanceOf(RefusedError);
      expect(await catalog.adjustStock(token, { delta: 3 })).toMatchObject({
        onHand: 5,
        available: 3,
      });
      await expect(catalog.adjustStock(`NOPE-${ulid()}`, { set: 1 })).rejects.toBeInstanceOf(
        UnknownPurchaseTokenError,
      );
      expect((await catalog.setActive(token, false)).active).toBe(false);
      expect((await catalog.setActive(token, true)).active).toBe(true);
      await expect(catalog.setActive(`NOPE-${ulid()}`, false)).rejects.toBeInstanceOf(
        UnknownPurchaseTokenError,
      );
    });

    const record = (orderId: string, overrides: Partial<RequestRecord> = {}): RequestRecord => ({
      key: `key-${ulid()}`,
      fingerprint: 'f1',
      orderId,
      state: 'IN_PROGRESS',
      expiresAt: Math.floor(NOW.getTime() / 1000) + 600,
      lockedUntil: NOW.getTime() + 15_000,
      ...overrides,
    });
    const claimed = async (
      token: string,
      request: RequestRecord,
      now = NOW.getTime(),
      shopperCounters?: string[],
    ) => {
      const order = { ...newOrder(token), requestKey: request.key, shopperCounters };
      const change = planNewOrder(
        { ...order, orderId: request.orderId },
        {
          request: { kind: 'claim', record: request, now },
          openOrderLimit: 1,
          counterExpiresAt: 2_000_000_000,
        },
      );
      await apply(change);
      return change.order;
    };

    it('reads the product and the request record in one lookup; a claim is seen at once', async () => {
      const token = await product(3);
      const request = record(ulid());
      expect(await lookup(token, request.key)).toEqual({
        product: await catalog.getProduct(token),
        request: undefined,
      });
      await claimed(token, request);
      const found = await lookup(token, request.key);
      expect(found.request).toEqual(request);
      expect(found.product?.reserved).toBe(1);
      expect((await lookup(`NOPE-${ulid()}`, 'nothing')).product).toBeUndefined();
    });

    it('a live claim keeps another request out: REQUEST_IN_PROGRESS, nothing written', async () => {
      const token = await product(3);
      const first = record(ulid());
      await claimed(token, first);
      const second = { ...first, orderId: ulid() };
      await expect(claimed(token, second)).rejects.toBeInstanceOf(RequestInProgressError);
      expect(await store.getOrder(second.orderId)).toBeUndefined();
      expect(await stock(token)).toMatchObject({ reserved: 1 });
      expect((await lookup(token, first.key)).request?.orderId).toBe(first.orderId);
    });

    it('a claim takes over a record that expired, or whose request died (lock run out)', async () => {
      const token = await product(5);
      const expired = record(ulid(), { expiresAt: Math.floor(NOW.getTime() / 1000) - 1 });
      await claimed(token, expired);
      const later = { ...expired, orderId: ulid(), expiresAt: Math.floor(NOW.getTime() / 1000) + 600 };
      await claimed(token, later);
      expect((await lookup(token, expired.key)).request?.orderId).toBe(later.orderId);
      const abandoned = record(ulid(), { lockedUntil: NOW.getTime() - 1 });
      await claimed(token, abandoned);
      await claimed(token, { ...abandoned, orderId: ulid() });
    });

    it('completes the record with the invoice, and releases it when the order ends unpaid', async () => {
      const token = await product(3);
      const request = record(ulid());
      const order = await claimed(token, request);
      const invoiced = await move(order, { type: 'invoiced', invoiceReference: '42' });
      expect((await lookup(token, request.key)).request).toEqual({
        ...request,
        state: 'COMPLETED',
        invoiceReference: '42',
      });
      await move(invoiced, { type: 'canceled', reason: 'declined' });
      expect((await lookup(token, request.key)).request).toBeUndefined();
    });

    it('a record taken over by another order is left alone: the first order still moves on', async () => {
      const token = await product(5);
      const request = record(ulid(), { lockedUntil: NOW.getTime() - 1 });
      const first = await claimed(token, request);
      const second = await claimed(token, { ...request, orderId: ulid() });
      const failed = await move(first, { type: 'failed', reason: 'abandoned' });
      expect(failed.status).toBe('FAILED');
      expect((await store.getOrder(first.orderId))?.status).toBe('FAILED');
      expect((await lookup(token, request.key)).request?.orderId).toBe(second.orderId);
      expect(await stock(token)).toMatchObject({ reserved: 1 });
    });

    it('counts a shopper’s unpaid orders: refused at the cap with nothing written, freed when paid or ended', async () => {
      const token = await product(5);
      const holds = [`${token}|email:ann@example.com`];
      const first = await claimed(token, record(ulid()), NOW.getTime(), holds);
      const blocked = record(ulid());
      await expect(claimed(token, blocked, NOW.getTime(), holds)).rejects.toBeInstanceOf(OpenOrderLimitError);
      expect(await store.getOrder(blocked.orderId)).toBeUndefined();
      expect((await lookup(token, blocked.key)).request).toBeUndefined();
      expect(await stock(token)).toMatchObject({ reserved: 1 });
      await move(first, { type: 'failed', reason: 'x' });
      const second = await claimed(token, record(ulid()), NOW.getTime(), holds);
      const invoiced = await move(second, { type: 'invoiced', invoiceReference: '7' });
      await move(invoiced, { type: 'paid', paidAt: later(2).toISOString(), invoiceVersion: 1 });
      await claimed(token, record(ulid()), NOW.getTime(), holds);
    });

    /** An order that holds its unit on `shard` of the product. */
    async function placedOn(token: string, shard: number): Promise<Order> {
      const order = newOrder(token);
      const change = planNewOrder({ ...order, stock: [{ purchaseToken: token, quantity: 1, shard }] });
      await apply(change);
      return change.order;
    }

    it('stock shards: the operator sets one number, spread evenly; each purchase takes from one shard, and its order settles there', async () => {
      const token = await product(10);
      const sharded = await catalog.setStockShards(token, 4);
      expect(sharded).toMatchObject({ onHand: 10, reserved: 0, available: 10, sold: 0, stockShards: 4 });
      // A purchase reads the product item alone: its own counters (shard 0's 3 of 10) and the count.
      expect((await lookup(token, 'none')).product).toMatchObject({
        available: 3,
        stockShards: 4,
      });
      // Told how many shards there are, it reads theirs in the same round trip; told wrong, none.
      expect((await lookup(token, 'none', 4)).shardsAvailable).toEqual([3, 3, 2, 2]);
      expect((await lookup(token, 'none', 2)).shardsAvailable).toBeUndefined();
      // 10 over 4: shards 0 and 1 hold 3 each, 2 and 3 hold 2. Shard 3 runs dry after two.
      const first = await placedOn(token, 3);
      await placedOn(token, 3);
      await expect(placedOn(token, 3)).rejects.toBeInstanceOf(SoldOutError);
      expect(await stock(token)).toEqual({ onHand: 10, reserved: 2, available: 8, sold: 0, active: true });
      const invoiced = await move(first, { type: 'invoiced', invoiceReference: '7' });
      await move(invoiced, { type: 'paid', paidAt: later(2).toISOString(), invoiceVersion: 1 });
      expect(await stock(token)).toEqual({ onHand: 9, reserved: 1, available: 8, sold: 1, active: true });
      // Shard 3 got nothing back from the sale: it is still empty of available units.
      await expect(placedOn(token, 3)).rejects.toBeInstanceOf(SoldOutError);
      // Setting stock re-deals what is available, reservations staying where they are.
      expect(await catalog.adjustStock(token, { set: 13 })).toMatchObject({
        onHand: 13,
        reserved: 1,
        available: 12,
        stockShards: 4,
      });
      await placedOn(token, 3);
      expect(await catalog.adjustStock(token, { delta: -10 })).toMatchObject({
        onHand: 3,
        available: 1,
      });
      await expect(catalog.adjustStock(token, { delta: -2 })).rejects.toThrow(/only 1 of .* available/);
      await expect(catalog.adjustStock(token, { set: 1 })).rejects.toThrow(/set at least 2/);
      const listed = (await catalog.listProducts()).products.filter((one) =>
        one.purchaseToken.startsWith(token),
      );
      expect(listed).toEqual([await catalog.getProduct(token)]);
    });

    it('stock shards: a shard never sells what the product off sale would not; shrinking waits for reservations to settle', async () => {
      const token = await product(8);
      await catalog.setStockShards(token, 4);
      await catalog.setActive(token, false);
      await expect(placedOn(token, 2)).rejects.toBeInstanceOf(ProductNotForSaleError);
      await catalog.setActive(token, true);
      const held = await placedOn(token, 2);
      await expect(catalog.setStockShards(token, 2)).rejects.toThrow(/shard 2 still holds units reserved/);
      expect(await stock(token)).toMatchObject({ onHand: 8, reserved: 1 });
      const invoiced = await move(held, { type: 'invoiced', invoiceReference: '8' });
      const paid = await move(invoiced, { type: 'paid', paidAt: later(2).toISOString(), invoiceVersion: 1 });
      // What the leaving shards sold stays counted; their units move to the shards that stay.
      expect(await catalog.setStockShards(token, 2)).toMatchObject({
        onHand: 7,
        reserved: 0,
        available: 7,
        sold: 1,
        stockShards: 2,
      });
      // A buyer still aiming at a shard that went (it read the product before) finds it empty.
      await expect(placedOn(token, 3)).rejects.toBeInstanceOf(SoldOutError);
      expect(await catalog.setStockShards(token, 1)).toMatchObject({
        onHand: 7,
        sold: 1,
        stockShards: 1,
      });
      // The goods of the order sold from a shard that went come back: the unit returns to the
      // shelf and leaves the sold count, wherever that count lives now.
      const refunding = await move(paid, {
        type: 'refund-requested',
        refund: { refundId: 'R1', amountMinor: 14900, status: 'PENDING', requestedAt: 'T', restock: true },
      });
      const restocked = await move(refunding, {
        type: 'refund-settled',
        refundId: 'R1',
        outcome: { succeeded: true, ersReference: '1' },
      });
      expect(restocked).toMatchObject({ status: 'REFUNDED', restocked: true });
      expect(await stock(token)).toMatchObject({ onHand: 8, reserved: 0, available: 8, sold: 0 });
      await expect(catalog.setStockShards(token, 0)).rejects.toBeInstanceOf(RefusedError);
      await expect(catalog.setStockShards(token, 33)).rejects.toBeInstanceOf(RefusedError);
    });

    it('finds an order by what a support call quotes, from the change that makes it true; pending refunds while pending', async () => {
      const token = await product(5);
      const shopper = `Ann.${ulid().toLowerCase()}@Example.com`;
      const phone = `+46 70 ${Math.floor(Math.random() * 1e7)}`;
      const base = newOrder(token);
      const change = planNewOrder({ ...base, customer: { ...base.customer, email: shopper, msisdn: phone } });
      await apply(change);
      const ids = async (term: string) =>
        (await store.findByLookup(lookupKeysFor(term), { limit: 10 })).map((order) => order.orderId);
      const id = change.order.orderId;
      expect(await ids(shopper.toUpperCase())).toEqual([id]);
      expect(await ids(phone.replace(/\D/g, ''))).toEqual([id]);
      const invoiceReference = `9${Date.now()}`;
      expect(await ids(invoiceReference)).toEqual([]);
      const invoiced = await move(change.order, { type: 'invoiced', invoiceReference });
      expect(await ids(invoiceReference)).toEqual([id]);
      const ers = `7${Date.now()}`;
      const paid = await move(invoiced, {
        type: 'paid',
        paidAt: later(2).toISOString(),
        invoiceVersion: 2,
        ersReference: ers,
        paymentReference: `P-${ers}`,
      });
      expect(await ids(ers)).toEqual([id]);
      expect(await ids(`P-${ers}`)).toEqual([id]);
      // Found orders are read whole and current, not from the index.
      expect((await store.findByLookup(lookupKeysFor(ers), { limit: 10 }))[0]).toEqual(paid);

      const askedAt = '2031-01-01T00:00:00.000Z';
      const pending = await move(paid, {
        type: 'refund-requested',
        refund: { refundId: 'R1', amountMinor: 100, status: 'PENDING', requestedAt: askedAt, restock: false },
      });
      const pendingIds = async (before?: string) =>
        (await store.findByLookup([PENDING_REFUND], { limit: 1000, before })).map((order) => order.orderId);
      expect(await pendingIds()).toContain(id);
      expect(await pendingIds(askedAt)).not.toContain(id);
      expect(await pendingIds('2031-01-01T00:00:01.000Z')).toContain(id);
      const olderThan = (time: string) => store.countByLookup(PENDING_REFUND, time);
      expect((await olderThan('2031-01-01T00:00:01.000Z')) - (await olderThan(askedAt))).toBe(1);
      const refundErs = `8${Date.now()}`;
      await move(pending, {
        type: 'refund-settled',
        refundId: 'R1',
        outcome: { succeeded: true, ersReference: refundErs },
      });
      expect(await pendingIds()).not.toContain(id);
      expect(await ids(refundErs)).toEqual([id]);
      // Two orders of one shopper: newest first, and `limit` holds.
      const second = planNewOrder({
        ...newOrder(token, 1, later(5)),
        customer: { ...base.customer, email: shopper, msisdn: '' },
      });
      await apply(second);
      expect(await ids(shopper)).toEqual([second.order.orderId, id]);
      expect(await store.findByLookup(lookupKeysFor(shopper), { limit: 1 })).toHaveLength(1);
      // A lookup item is never an order, whatever id is asked for.
      expect(await store.getOrder(`lookup#${PENDING_REFUND}#${id}`)).toBeUndefined();
    });

    it('lists open orders of one status created before a time, oldest first; finds orders newest first', async () => {
      const token = await product(20);
      const base = new Date('2030-01-01T00:00:00.000Z');
      const at = (minutes: number) => new Date(base.getTime() + minutes * 60_000);
      const a = await placed(token, 1, at(1));
      const b = await placed(token, 1, at(2));
      const c = await placed(token, 1, at(3));
      await move(b, { type: 'failed', reason: 'x' }, at(4));
      const open = await store.listByStatus('RESERVED', at(3).toISOString());
      const ours = open.orders.filter((order) => order.purchaseToken === token).map((order) => order.orderId);
      expect(ours).toEqual([a.orderId]);
      const found = await store.findOrders({ since: at(0).toISOString(), limit: 10 });
      expect(found.filter((order) => order.purchaseToken === token).map((order) => order.orderId)).toEqual([
        c.orderId,
        b.orderId,
        a.orderId,
      ]);
      const failed = await store.findOrders({
        status: 'FAILED',
        since: at(0).toISOString(),
        limit: 10,
      });
      expect(failed.map((order) => order.orderId)).toEqual([b.orderId]);
      expect(await store.findOrders({ since: at(0).toISOString(), limit: 1 })).toHaveLength(1);
    });

    /** A bundle of `tokens`, one unit each, composed as an import does. */
    async function bundleOf(tokens: readonly string[]): Promise<string> {
      const token = `B-${kind.replace(/\W/g, '')}-${++tokens_}-${ulid().slice(-6)}`;
      const composed = composeBundle(
        {
          purchaseToken: token,
          sku: 'KIT',
          description: 'Contract kit',
          currency: 'SEK',
          components: tokens.map((purchaseToken) => ({ purchaseToken, quantity: 1 })),
        },
        (component) => ({ ...details(component), stockShards: 1 }),
      );
      if (!composed.ok) throw new Error(JSON.stringify(composed.issues));
      expect(await catalog.upsertBundle(composed.value)).toBe('created');
      return token;
    }
    let tokens_ = 0;

    it('bundles: stored with their parts, as available as the scarcest part; one token, one kind; no stock commands', async () => {
      const [mug, beans] = [await product(5), await product(1)];
      const kit = await bundleOf([mug, beans]);
      const read = await catalog.getProduct(kit);
      expect(read).toMatchObject({
        purchaseToken: kit,
        active: true,
        available: 1,
        unitPriceMinor: 29800,
        stockShards: 1,
      });
      expect(
        read?.components?.map((part) => [part.purchaseToken, part.quantity, part.unitPriceMinor]),
      ).toEqual([
        [mug, 1, 14900],
        [beans, 1, 14900],
      ]);
      expect(
        (await catalog.listProducts()).products.find((one) => one.purchaseToken === kit)?.available,
      ).toBe(1);
      // The purchase's own read sees the parts too.
      expect((await lookup(kit, `key-${ulid()}`)).product?.components).toHaveLength(2);
      expect(await catalog.upsertBundle({ ...(read as Bundle), description: 'Renamed kit' })).toBe('updated');
      expect((await catalog.getProduct(kit))?.description).toBe('Renamed kit');
      await expect(catalog.upsertBundle({ ...(read as Bundle), purchaseToken: mug })).rejects.toThrow(
        /is a product with stock of its own/,
      );
      await expect(catalog.upsert({ ...details(kit), onHand: 3 }, { setStock: false })).rejects.toThrow(
        /is a bundle; give the product a purchase token of its own/,
      );
      await expect(catalog.upsert({ ...details(kit), onHand: 3 }, { setStock: true })).rejects.toThrow(
        /is a bundle; give the product a purchase token of its own/,
      );
      await expect(catalog.adjustStock(kit, { delta: 1 })).rejects.toBeInstanceOf(RefusedError);
      await expect(catalog.setStockShards(kit, 2)).rejects.toBeInstanceOf(RefusedError);
      expect(await catalog.getProduct(mug)).toMatchObject({ onHand: 5, sku: `SKU-${mug}` });
      expect((await catalog.getProduct(kit))?.components).toHaveLength(2);
    });

    it(`bundles: an order of ${MAX_BUNDLE_COMPONENTS} components with every extra item fits one transaction; all or nothing; every change moves every part`, async () => {
      const parts = await Promise.all(Array.from({ length: MAX_BUNDLE_COMPONENTS }, () => product(2)));
      const kit = await bundleOf(parts);
      const request = record(ulid());
      const bundleOrder = (orderId: string, email: string): Order => ({
        ...newOrder(kit),
        orderId,
        customer: { ...newOrder(kit).customer, email, msisdn: '+46701234567' },
        stock: parts.map((purchaseToken) => ({ purchaseToken, quantity: 1 })),
        requestKey: request.key,
        shopperCounters: [`${kit}|${email}`, `${kit}|46701234567`],
      });
      const terms = {
        request: { kind: 'claim', record: request, now: NOW.getTime() },
        openOrderLimit: 1,
        counterExpiresAt: 2_000_000_000,
      } as const;
      const first = planNewOrder(bundleOrder(request.orderId, 'kit@example.com'), terms);
      // The order, its request record, two shopper counters, two lookup entries and every part.
      expect(1 + 1 + first.counters.length + first.lookups.add.length + first.stock.length).toBe(
        MAX_BUNDLE_COMPONENTS + 6,
      );
      await apply(first);
      for (const part of parts) expect(await stock(part)).toMatchObject({ reserved: 1, available: 1 });

      // One part short: the whole bundle is refused and nothing else is reserved.
      const last = parts.at(-1) as string;
      await catalog.adjustStock(last, { delta: -1 });
      const second = planNewOrder({
        ...bundleOrder(ulid(), 'other@example.com'),
        requestKey: undefined,
        shopperCounters: undefined,
      });
      await expect(apply(second)).rejects.toBeInstanceOf(SoldOutError);
      expect(await store.getOrder(second.order.orderId)).toBeUndefined();
      for (const part of parts.slice(0, -1))
        expect(await stock(part)).toMatchObject({ reserved: 1, available: 1 });

      const invoiced = await move(first.order, { type: 'invoiced', invoiceReference: `INV-${ulid()}` });
      const paid = await move(invoiced, {
        type: 'paid',
        paidAt: later(2).toISOString(),
        invoiceVersion: 1,
        ersReference: '5550001',
      });
      for (const part of parts.slice(0, 2))
        expect(await stock(part)).toMatchObject({ onHand: 1, reserved: 0, sold: 1 });
      const refund = {
        refundId: 'R1',
        amountMinor: paid.totalMinor,
        status: 'PENDING',
        requestedAt: later(3).toISOString(),
        restock: true,
      } as const;
      const pending = await move(paid, { type: 'refund-requested', refund });
      await move(pending, {
        type: 'refund-settled',
        refundId: 'R1',
        outcome: { succeeded: true, ersReference: '5550002' },
      });
      for (const part of parts.slice(0, 2))
        expect(await stock(part)).toMatchObject({ onHand: 2, reserved: 0, sold: 0 });

      const again = await placed(parts[0] as string);
      const failedBundle = planNewOrder({
        ...bundleOrder(ulid(), 'third@example.com'),
        requestKey: undefined,
        shopperCounters: undefined,
        stock: parts.slice(0, 3).map((purchaseToken) => ({ purchaseToken, quantity: 1 })),
      });
      await apply(failedBundle);
      await move(failedBundle.order, { type: 'failed', reason: 'sendInvoice failed' });
      await move(again, { type: 'failed', reason: 'x' });
      for (const part of parts.slice(0, 3))
        expect(await stock(part)).toMatchObject({ onHand: 2, reserved: 0, available: 2 });
    });
  });
}
