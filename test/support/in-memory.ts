import { SHARD_OF, stockItemKey } from '../../contract/tables.js';
import type { ProductItems } from '../../lambda/checkout/model/catalog-item.js';
import { GlaseUnavailableError } from '../../lambda/checkout/model/errors.js';
import type {
  CallBudget,
  Invoice,
  PaymentStatus,
  RefundRequest,
  StatusQuery,
} from '../../lambda/checkout/model/invoice.js';
import type { Mail } from '../../lambda/checkout/model/mail.js';
import { ORDER_STATUSES, type Order, type OrderStatus } from '../../lambda/checkout/model/order.js';
import type { OrderEvent } from '../../lambda/checkout/model/order-event.js';
import type { RequestRecord } from '../../lambda/checkout/model/request-record.js';
import type { StockLevels } from '../../lambda/checkout/model/stock.js';
import type { EndpointDelivery, WebhookDelivery } from '../../lambda/checkout/model/webhook.js';
import type { Change, Rejection, Write } from '../../lambda/checkout/plans/change.js';
import type {
  Clock,
  EventPublisher,
  LookupQuery,
  Mailer,
  MailLog,
  OpenOrdersPage,
  OrderQuery,
  PaymentGateway,
  PostOutcome,
  PurchaseRead,
  Store,
  WebhookLog,
  WebhookPoster,
  WriteBudget,
} from '../../lambda/checkout/ports.js';

/**
 * Every port in memory, with the DynamoDB adapters' semantics (test/contract proves they agree):
 * use cases run against them in unit tests, with no Java and no network.
 */

const copy = <T>(value: T): T => structuredClone(value);
/** DynamoDB's marshaller drops undefined attributes; so does this store. */
const stored = <T extends object>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

type Item = Record<string, unknown>;

/** Which item a write touches, as table and key. */
function itemOf(write: Write): string {
  switch (write.kind) {
    case 'order':
      return `orders ${write.order.orderId}`;
    case 'stock':
      return `products ${stockItemKey(write.delta.purchaseToken, write.delta.shard)}`;
    case 'stock-item':
    case 'active':
      return `products ${stockItemKey(write.purchaseToken, write.shard)}`;
    case 'product':
      return `products ${write.details.purchaseToken}`;
    case 'bundle':
      return `products ${write.bundle.purchaseToken}`;
    case 'request':
      return `idempotency request ${write.effect.kind === 'claim' ? write.effect.record.key : write.effect.key}`;
    case 'counter':
      return `idempotency counter ${write.key}`;
    case 'lookup':
      return `orders lookup ${write.entry.key} ${write.orderId}`;
  }
}
const counters = (levels: StockLevels) => ({
  onHand: levels.onHand,
  reserved: levels.reserved,
  available: levels.onHand - levels.reserved,
  sold: levels.sold,
});
const sameLevels = (item: Item, levels: StockLevels) =>
  item.onHand === levels.onHand && item.reserved === levels.reserved && item.sold === levels.sold;

/**
 * Orders and the catalog as three maps of items, keyed as DynamoDB keys them: a planned change's
 * writes are checked, all of them, then applied — or the failed guards are reported, with what
 * those items held, and nothing is written. Like the DynamoDB store it decides nothing.
 */
export class InMemoryStore implements Store {
  readonly products = new Map<string, Item>();
  readonly orders = new Map<string, Order>();
  readonly requests = new Map<string, RequestRecord>();
  /** Shoppers' unpaid-order counters. */
  readonly counters = new Map<string, number>();
  /** Lookup entries: key → (orderId → when). */
  readonly lookups = new Map<string, Map<string, string>>();

  async readForPurchase(
    purchaseToken: string,
    requestKey: string,
    stockShards = 1,
    _budget?: WriteBudget,
  ): Promise<PurchaseRead> {
    const request = this.requests.get(requestKey);
    const product = this.products.get(purchaseToken);
    return {
      product: product && copy(product),
      ...(stockShards > 1
        ? {
            shards: Array.from({ length: stockShards - 1 }, (_, index) => {
              const item = this.products.get(stockItemKey(purchaseToken, index + 1));
              return item && copy(item);
            }),
          }
        : {}),
      request: request && copy(request),
    };
  }

  async getOrder(orderId: string): Promise<Order | undefined> {
    const order = this.orders.get(orderId);
    return order ? copy(order) : undefined;
  }

  async getProductItems(purchaseToken: string): Promise<ProductItems | undefined> {
    const product = this.products.get(purchaseToken);
    if (!product || product[SHARD_OF] !== undefined) return undefined;
    const count = Number.isSafeInteger(product.stockShards) ? (product.stockShards as number) : 1;
    return {
      product: copy(product),
      shards: Array.from({ length: count - 1 }, (_, index) => {
        const item = this.products.get(stockItemKey(purchaseToken, index + 1));
        return item && copy(item);
      }),
    };
  }

  async listProductItems(): Promise<{ items: Item[]; nextPage?: string | undefined }> {
    return { items: [...this.products.values()].filter((item) => item[SHARD_OF] === undefined).map(copy) };
  }

  async apply(change: Change, _budget?: WriteBudget): Promise<Rejection | undefined> {
    // As DynamoDB refuses a transaction that names one item twice.
    const items = change.writes.map(itemOf);
    if (new Set(items).size < items.length) {
      throw new Error(
        'ValidationException: Transaction request cannot include multiple operations on one item',
      );
    }
    // All or nothing: every guard before any write.
    const failed: number[] = [];
    const held: (Item | undefined)[] = [];
    change.writes.forEach((write, index) => {
      const found = this.check(write);
      held[index] = found.held && copy(found.held);
      if (!found.ok) failed.push(index);
    });
    if (failed.length > 0) return { failed, held };
    for (const write of change.writes) this.write(write);
    return undefined;
  }

  /** Whether `write`'s guard holds, and what its item holds now. */
  private check(write: Write): { ok: boolean; held?: Item | undefined } {
    switch (write.kind) {
      case 'order': {
        const current = this.orders.get(write.order.orderId);
        const ok =
          write.expected === 'new'
            ? !current
            : current?.status === write.expected.status && current.version === write.expected.version;
        return { ok };
      }
      case 'stock': {
        const { delta } = write;
        const item = this.products.get(stockItemKey(delta.purchaseToken, delta.shard));
        const ok =
          !!item &&
          (delta.requireAvailable === undefined || (item.available as number) >= delta.requireAvailable) &&
          (!delta.requireActive || item.active === true) &&
          (delta.heldAtMost === undefined ||
            (item.reserved as number) + delta.reserved <= delta.heldAtMost) &&
          (write.onHandWas === undefined || item.onHand === write.onHandWas) &&
          (write.reservedAtMost === undefined || (item.reserved as number) <= write.reservedAtMost);
        return { ok, held: item };
      }
      case 'stock-item': {
        const item = this.products.get(stockItemKey(write.purchaseToken, write.shard));
        if (write.expected === 'absent') return { ok: !item };
        const productItem = write.shardCount !== undefined;
        const ok =
          !!item &&
          sameLevels(item, write.expected) &&
          (!productItem || (item.active === write.active && item.stockShards === write.shardCount?.was));
        return { ok };
      }
      case 'active': {
        const item = this.products.get(stockItemKey(write.purchaseToken, write.shard));
        return { ok: !!item && (write.shardCount === undefined || item.stockShards === write.shardCount) };
      }
      case 'product': {
        const item = this.products.get(write.details.purchaseToken);
        return { ok: write.create ? !item : !!item && item.components === undefined };
      }
      case 'bundle': {
        const item = this.products.get(write.bundle.purchaseToken);
        return { ok: !item || item.components !== undefined };
      }
      case 'request': {
        const { effect } = write;
        if (effect.kind !== 'claim') return { ok: this.requests.get(effect.key)?.orderId === effect.orderId };
        const held = this.requests.get(effect.record.key);
        const free =
          !held ||
          held.expiresAt * 1000 < effect.now ||
          (held.state === 'IN_PROGRESS' && held.lockedUntil < effect.now);
        return { ok: free };
      }
      case 'counter': {
        const count = this.counters.get(write.key);
        if (write.delta < 0) return { ok: (count ?? 0) > 0 };
        return { ok: write.cap === undefined || (count ?? 0) < write.cap };
      }
      case 'lookup':
        return { ok: true };
    }
  }

  private write(write: Write): void {
    switch (write.kind) {
      case 'order':
        this.orders.set(write.order.orderId, copy(stored(write.order)));
        return;
      case 'stock': {
        const { delta } = write;
        const item = this.products.get(stockItemKey(delta.purchaseToken, delta.shard)) as Item;
        item.onHand = (item.onHand as number) + delta.onHand;
        item.reserved = (item.reserved as number) + delta.reserved;
        item.available = (item.available as number) + delta.onHand - delta.reserved;
        item.sold = (item.sold as number) + delta.sold;
        return;
      }
      case 'stock-item': {
        const key = stockItemKey(write.purchaseToken, write.shard);
        if (!write.levels) {
          this.products.delete(key);
          return;
        }
        if (write.expected === 'absent') {
          this.products.set(key, {
            purchaseToken: key,
            [SHARD_OF]: write.purchaseToken,
            ...counters(write.levels),
            active: write.active,
          });
          return;
        }
        Object.assign(this.products.get(key) as Item, counters(write.levels), {
          ...(write.shardCount ? { stockShards: write.shardCount.becomes } : {}),
        });
        return;
      }
      case 'active':
        (this.products.get(stockItemKey(write.purchaseToken, write.shard)) as Item).active = write.active;
        return;
      case 'product': {
        // The catalog's own fields by name, as the DynamoDB store writes them.
        const { purchaseToken, sku, description, unitPriceMinor, currency, taxRatePercent, ean } =
          write.details;
        const fields = stored({
          purchaseToken,
          sku,
          description,
          unitPriceMinor,
          currency,
          taxRatePercent,
          ean,
        });
        if (write.create) {
          const { onHand } = write.create;
          this.products.set(purchaseToken, {
            ...fields,
            ...counters({ onHand, reserved: 0, sold: 0 }),
            active: true,
            stockShards: 1,
          });
          return;
        }
        const item = this.products.get(purchaseToken) as Item;
        delete item.ean;
        Object.assign(item, fields);
        return;
      }
      case 'bundle': {
        const { purchaseToken, sku, description, unitPriceMinor, currency, taxRatePercent, components } =
          write.bundle;
        const before = this.products.get(purchaseToken);
        this.products.set(purchaseToken, {
          ...stored({ purchaseToken, sku, description, unitPriceMinor, currency, taxRatePercent }),
          components: copy([...components]),
          ...counters({ onHand: 0, reserved: 0, sold: 0 }),
          active: before?.active ?? true,
          stockShards: 1,
        });
        return;
      }
      case 'request': {
        const { effect } = write;
        if (effect.kind === 'claim') this.requests.set(effect.record.key, copy(effect.record));
        else if (effect.kind === 'release') this.requests.delete(effect.key);
        else {
          const record = this.requests.get(effect.key) as RequestRecord;
          this.requests.set(effect.key, {
            ...record,
            state: 'COMPLETED',
            invoiceReference: effect.invoiceReference,
          });
        }
        return;
      }
      case 'counter':
        this.counters.set(write.key, (this.counters.get(write.key) ?? 0) + write.delta);
        return;
      case 'lookup': {
        const entries = this.lookups.get(write.entry.key) ?? new Map<string, string>();
        if (write.put) entries.set(write.orderId, write.entry.at);
        else entries.delete(write.orderId);
        this.lookups.set(write.entry.key, entries);
        return;
      }
    }
  }

  private entries(key: string, before: string | undefined): { orderId: string; at: string }[] {
    return [...(this.lookups.get(key) ?? [])]
      .map(([orderId, at]) => ({ orderId, at }))
      .filter((entry) => !before || entry.at < before);
  }

  async findByLookup(keys: readonly string[], query: LookupQuery): Promise<Order[]> {
    const entries = [...new Set(keys)].flatMap((key) => this.entries(key, query.before));
    entries.sort((a, b) => b.at.localeCompare(a.at));
    const ids = [...new Set(entries.map((entry) => entry.orderId))].slice(0, query.limit);
    return ids.flatMap((id) => {
      const order = this.orders.get(id);
      return order ? [copy(order)] : [];
    });
  }

  async countByLookup(key: string, before: string): Promise<number> {
    return this.entries(key, before).length;
  }

  async listByStatus(
    status: OrderStatus,
    createdBefore: string,
    page?: string,
    createdSince?: string,
  ): Promise<OpenOrdersPage> {
    const matching = [...this.orders.values()]
      .filter(
        (order) =>
          order.status === status &&
          order.createdAt < createdBefore &&
          (!createdSince || order.createdAt >= createdSince),
      )
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const start = Number(page ?? 0);
    const orders = matching.slice(start, start + 100).map(copy);
    return { orders, nextPage: start + 100 < matching.length ? String(start + 100) : undefined };
  }

  async findOrders(query: OrderQuery): Promise<Order[]> {
    const statuses: readonly OrderStatus[] = query.status ? [query.status] : ORDER_STATUSES;
    return [...this.orders.values()]
      .filter((order) => statuses.includes(order.status) && (!query.since || order.createdAt >= query.since))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, query.limit)
      .map(copy);
  }
}

type Behaviour<T> = T | Error | (() => T | Promise<T>);

/**
 * Glase's Payment API as a script: each operation answers from its queue of behaviours (a
 * value, an error to throw, or a function), then falls back to a well-behaved default.
 */
export class ScriptedGlase implements PaymentGateway {
  readonly calls: {
    operation: string;
    orderId: string;
    budget?: CallBudget | undefined;
    request?: unknown;
  }[] = [];
  private readonly queues: Record<string, Behaviour<unknown>[]> = {};
  private sequence = 1_000;

  /** Queues what `operation` does on its next calls. */
  script<K extends keyof PaymentGateway>(
    operation: K,
    ...behaviours: Behaviour<Awaited<ReturnType<PaymentGateway[K]>>>[]
  ): this {
    const queue = this.queues[operation] ?? [];
    queue.push(...behaviours);
    this.queues[operation] = queue;
    return this;
  }

  callsTo(operation: keyof PaymentGateway) {
    return this.calls.filter((call) => call.operation === operation);
  }

  private async answer<T>(operation: keyof PaymentGateway, fallback: () => T): Promise<T> {
    const next = this.queues[operation]?.shift() as Behaviour<T> | undefined;
    if (next === undefined) return fallback();
    if (next instanceof Error) throw next;
    return typeof next === 'function' ? (next as () => T | Promise<T>)() : next;
  }

  async sendInvoice(invoice: Invoice, budget?: CallBudget): Promise<{ invoiceReference: string }> {
    this.calls.push({ operation: 'sendInvoice', orderId: invoice.orderId, budget, request: invoice });
    return this.answer('sendInvoice', () => ({ invoiceReference: String(++this.sequence) }));
  }

  async getPaymentStatus(query: StatusQuery, budget?: CallBudget): Promise<PaymentStatus> {
    this.calls.push({ operation: 'getPaymentStatus', orderId: query.orderId, budget, request: query });
    return this.answer('getPaymentStatus', () => ({
      status: 'ISSUED' as const,
      version: query.invoiceVersion,
    }));
  }

  async cancelInvoice(orderId: string, invoiceReference: string, budget?: CallBudget): Promise<void> {
    this.calls.push({ operation: 'cancelInvoice', orderId, budget, request: invoiceReference });
    return this.answer('cancelInvoice', () => undefined);
  }

  async refundPayment(refund: RefundRequest): Promise<{ ersReference: string }> {
    this.calls.push({ operation: 'refundPayment', orderId: refund.orderId, request: refund });
    return this.answer('refundPayment', () => ({ ersReference: `E${++this.sequence}` }));
  }
}

export const unavailable = (operation = 'getPaymentStatus') =>
  new GlaseUnavailableError(`Glase ${operation} could not be reached`, 'unreachable');

export class RecordingEvents implements EventPublisher {
  readonly published: OrderEvent[] = [];
  failWith?: Error;
  async publish(event: OrderEvent): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.published.push(copy(event));
  }
}

/** A clock a test moves by hand. */
export class ManualClock implements Clock {
  constructor(private current = new Date('2026-11-27T10:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** The store with some of its methods replaced: how a test stands a crash or a race at an exact point. */
export function overridden(store: Store, replacements: Partial<Store>): Store {
  return {
    readForPurchase: (...args) => store.readForPurchase(...args),
    getOrder: (orderId) => store.getOrder(orderId),
    getProductItems: (token) => store.getProductItems(token),
    listProductItems: (page) => store.listProductItems(page),
    apply: (change, budget) => store.apply(change, budget),
    listByStatus: (...args) => store.listByStatus(...args),
    findOrders: (query) => store.findOrders(query),
    findByLookup: (...args) => store.findByLookup(...args),
    countByLookup: (...args) => store.countByLookup(...args),
    ...replacements,
  };
}

/** The order a change writes, if it writes one. */
export function orderOf(change: Change): Order | undefined {
  return change.writes.find((write) => write.kind === 'order')?.order;
}

/** What a store answers when a change's first stock guard fails on an item with nothing left. */
export function shortOfStock(change: Change): Rejection {
  const index = change.writes.findIndex((write) => write.kind === 'stock');
  return { failed: [index], held: change.writes.map(() => ({ active: true, available: 0 })) };
}

/** A store whose writes fail when `when` says so, to stand for a crash or DynamoDB trouble. */
export function failingWrites(
  store: Store,
  when: (change: Change) => boolean,
  error = new Error('DynamoDB is unavailable'),
): Store {
  return overridden(store, {
    apply: async (change, budget) => {
      if (when(change)) throw error;
      return store.apply(change, budget);
    },
  });
}

/** Sent mails in memory, with DynamoMailLog's semantics: a claim per key, taken over only once its lease lapsed. */
export class InMemoryMailLog implements MailLog {
  readonly claims = new Map<string, { state: 'SENDING' | 'SENT'; leaseUntil: number; expiresAt: number }>();
  async claim(key: string, lease: { now: number; leaseUntil: number; expiresAt: number }): Promise<boolean> {
    const held = this.claims.get(key);
    if (held && (held.state === 'SENT' || held.leaseUntil >= lease.now)) return false;
    this.claims.set(key, { state: 'SENDING', leaseUntil: lease.leaseUntil, expiresAt: lease.expiresAt });
    return true;
  }
  async markSent(key: string): Promise<void> {
    const held = this.claims.get(key);
    if (held) held.state = 'SENT';
  }
  async release(key: string): Promise<void> {
    this.claims.delete(key);
  }

  async records(keys: readonly string[]): Promise<{ key: string; state: string }[]> {
    return keys.flatMap((key) => {
      const held = this.claims.get(key);
      return held ? [{ key, state: held.state }] : [];
    });
  }

  async forget(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.claims.delete(key);
  }
}

/** The webhook delivery log in memory, newest first like the index. */
export class InMemoryWebhookLog implements WebhookLog {
  readonly items = new Map<string, { delivery: WebhookDelivery; expiresAt: number }>();

  async record(delivery: WebhookDelivery, expiresAt: number): Promise<WebhookDelivery> {
    const held = this.items.get(delivery.eventId);
    if (held) return copy(held.delivery);
    this.items.set(delivery.eventId, { delivery: stored(delivery), expiresAt });
    return copy(delivery);
  }

  async get(eventId: string): Promise<WebhookDelivery | undefined> {
    const held = this.items.get(eventId);
    return held ? copy(held.delivery) : undefined;
  }

  async update(
    eventId: string,
    endpoints: Readonly<Record<string, EndpointDelivery>>,
    nextAttemptAt: number | undefined,
  ): Promise<void> {
    const held = this.items.get(eventId);
    if (!held) throw new Error(`no delivery ${eventId}`);
    held.delivery = stored({ ...held.delivery, endpoints, nextAttemptAt });
  }

  async forget(eventIds: readonly string[]): Promise<void> {
    for (const eventId of eventIds) this.items.delete(eventId);
  }

  async list(limit: number, page?: string) {
    const all = [...this.items.values()]
      .map((held) => held.delivery)
      .sort((a, b) => b.created - a.created || b.eventId.localeCompare(a.eventId));
    const start = page ? Number(page) : 0;
    const deliveries = all.slice(start, start + limit).map(copy);
    return { deliveries, nextPage: start + limit < all.length ? String(start + limit) : undefined };
  }
}

/** A webhook endpoint in memory: answers each POST from `answers` (then 200) and keeps what came. */
export class RecordingPoster implements WebhookPoster {
  readonly posts: { endpointId: string; url: string; body: string }[] = [];
  answers: PostOutcome[] = [];
  async post(endpointId: string, url: string, body: string): Promise<PostOutcome> {
    this.posts.push({ endpointId, url, body });
    return this.answers.shift() ?? { status: 200 };
  }
}

/** A mailer that keeps what it was given, or fails with `failWith`. */
export class RecordingMailer implements Mailer {
  readonly sent: Mail[] = [];
  failWith?: Error;
  async send(mail: Mail): Promise<{ location?: string }> {
    if (this.failWith) throw this.failWith;
    this.sent.push(copy(mail));
    return { location: `memory:${this.sent.length}` };
  }
}
