import {
  type Bundle,
  type BundlePart,
  bundleAvailable,
  bundleHasNoStock,
  bundleInTheWay,
  productInTheWay,
} from '../../lambda/checkout/bundle.js';
import {
  GlaseUnavailableError,
  OpenOrderLimitError,
  OrderStateConflictError,
  ProductNotForSaleError,
  RefusedError,
  RequestInProgressError,
  SoldOutError,
  UnknownPurchaseTokenError,
} from '../../lambda/checkout/errors.js';
import { ORDER_STATUSES, type Order, type OrderStatus } from '../../lambda/checkout/order.js';
import type { OrderChange } from '../../lambda/checkout/order-plan.js';
import type {
  CallBudget,
  CatalogAdmin,
  Clock,
  EventPublisher,
  Invoice,
  LookupQuery,
  Mail,
  Mailer,
  MailLog,
  OpenOrdersPage,
  OrderEvent,
  OrderQuery,
  OrderStore,
  PaymentGateway,
  PaymentStatus,
  PurchaseLookup,
  RefundRequest,
  StatusQuery,
  StockChange,
} from '../../lambda/checkout/ports.js';
import { type CatalogEntry, MAX_STOCK_SHARDS, type Product } from '../../lambda/checkout/product.js';
import type { RequestRecord } from '../../lambda/checkout/purchase-requests.js';
import {
  afterShardRemoved,
  type ShardLevels,
  type StockDelta,
  spreadStock,
} from '../../lambda/checkout/stock.js';

/**
 * Every port in memory, with the DynamoDB adapters' semantics (test/contract proves they
 * agree): use cases run against them in unit tests, with no Java and no network.
 */

const copy = <T>(value: T): T => structuredClone(value);

/** One stock item's counters; shard 0 may be legacy (no onHand/reserved: available and sold only). */
interface StoredShard {
  onHand?: number;
  reserved?: number;
  available: number;
  sold: number;
}

interface StoredProduct {
  details: Omit<CatalogEntry, 'onHand'>;
  /** Index k is stock shard k; shard 0 is the product's own counters. */
  shards: StoredShard[];
  active: boolean;
  /** A bundle's parts; its one shard stays at zero. */
  components?: BundlePart[];
}

const levelsOf = (shard: number, stored: StoredShard): ShardLevels => {
  const reserved = stored.reserved ?? 0;
  return { shard, onHand: stored.onHand ?? stored.available + reserved, reserved, sold: stored.sold };
};

export class InMemoryCatalog implements CatalogAdmin {
  readonly items = new Map<string, StoredProduct>();

  /** A product as written before the onHand/reserved model: available and sold only. */
  seedLegacy(entry: Omit<CatalogEntry, 'onHand'>, stock: { available: number; sold?: number }): void {
    this.items.set(entry.purchaseToken, {
      details: copy(entry),
      shards: [{ available: stock.available, sold: stock.sold ?? 0 }],
      active: true,
    });
  }

  async getProduct(purchaseToken: string): Promise<Product | undefined> {
    const item = this.items.get(purchaseToken);
    return item ? this.withBundleStock(view(item)) : undefined;
  }

  private withBundleStock(product: Product): Product {
    if (!product.components) return product;
    const availableOf = (token: string) => {
      const part = this.items.get(token);
      return part ? view(part).available : 0;
    };
    return { ...product, available: bundleAvailable({ components: product.components }, availableOf) };
  }

  async upsertBundle(bundle: Bundle): Promise<'created' | 'updated'> {
    const item = this.items.get(bundle.purchaseToken);
    if (item && !item.components) throw new RefusedError(productInTheWay(bundle.purchaseToken));
    const { purchaseToken, sku, description, unitPriceMinor, currency, taxRatePercent } = bundle;
    this.items.set(bundle.purchaseToken, {
      details: { purchaseToken, sku, description, unitPriceMinor, currency, taxRatePercent },
      components: copy([...bundle.components]),
      shards: [{ onHand: 0, reserved: 0, available: 0, sold: 0 }],
      active: item?.active ?? true,
    });
    return item ? 'updated' : 'created';
  }

  /** The product as a purchase reads it: the product item's own counters, not the shards'. */
  ownView(purchaseToken: string): Product | undefined {
    const item = this.items.get(purchaseToken);
    return item ? view(item, true) : undefined;
  }

  async upsert(entry: CatalogEntry, { setStock }: { setStock: boolean }): Promise<'created' | 'updated'> {
    const { onHand } = entry;
    const details = {
      purchaseToken: entry.purchaseToken,
      sku: entry.sku,
      description: entry.description,
      unitPriceMinor: entry.unitPriceMinor,
      currency: entry.currency,
      taxRatePercent: entry.taxRatePercent,
      ...(entry.ean ? { ean: entry.ean } : {}),
    };
    const item = this.items.get(entry.purchaseToken);
    if (item?.components) throw new RefusedError(bundleInTheWay(entry.purchaseToken));
    if (!item) {
      this.items.set(entry.purchaseToken, {
        details: copy(details),
        shards: [{ onHand, reserved: 0, available: onHand, sold: 0 }],
        active: true,
      });
      return 'created';
    }
    item.details = copy(details);
    if (setStock) this.respread(item, (total) => ({ shards: total.shards, onHand }));
    return 'updated';
  }

  async listProducts(): Promise<{ products: Product[]; nextPage?: string | undefined }> {
    return { products: [...this.items.values()].map((item) => this.withBundleStock(view(item))) };
  }

  async adjustStock(purchaseToken: string, change: StockChange): Promise<Product> {
    const item = this.known(purchaseToken);
    const amount = 'set' in change ? change.set : change.delta;
    if (!Number.isSafeInteger(amount) || ('set' in change && amount < 0)) {
      throw new RefusedError('stock must be a whole number ≥ 0');
    }
    this.refuseBundle(item);
    if ('set' in change) this.respread(item, (total) => ({ shards: total.shards, onHand: change.set }));
    else {
      const { available } = view(item);
      if (change.delta < 0 && available < -change.delta) {
        throw new RefusedError(
          `only ${available} of ${purchaseToken} available; cannot take ${-change.delta}`,
        );
      }
      this.respread(item, (total) => ({ shards: total.shards, onHand: total.onHand + change.delta }));
    }
    return view(item);
  }

  async setActive(purchaseToken: string, active: boolean): Promise<Product> {
    const item = this.known(purchaseToken);
    item.active = active;
    return view(item);
  }

  async setStockShards(purchaseToken: string, shards: number): Promise<Product> {
    if (!Number.isSafeInteger(shards) || shards < 1 || shards > MAX_STOCK_SHARDS) {
      throw new RefusedError(`stock shards must be a whole number from 1 to ${MAX_STOCK_SHARDS}`);
    }
    const item = this.known(purchaseToken);
    this.refuseBundle(item);
    this.respread(item, (total) => ({ shards, onHand: total.onHand }));
    return view(item);
  }

  /** The guard a reservation's transaction item checks, without writing. */
  hasStockItem(delta: StockDelta): boolean {
    return this.items.get(delta.purchaseToken)?.shards[delta.shard ?? 0] !== undefined;
  }

  check(delta: StockDelta): void {
    const item = this.items.get(delta.purchaseToken);
    const shard = item?.shards[delta.shard ?? 0];
    if (!item || (delta.requireActive && !item.active)) throw new ProductNotForSaleError(delta.purchaseToken);
    // A shard that is gone was taken away by a re-spread: that shard is empty, not the product.
    if (!shard) throw new SoldOutError(delta.purchaseToken);
    if (delta.requireAvailable !== undefined && shard.available < delta.requireAvailable) {
      throw new SoldOutError(delta.purchaseToken);
    }
  }

  applyDelta(delta: StockDelta): void {
    const shard = this.known(delta.purchaseToken).shards[delta.shard ?? 0];
    if (!shard) throw new UnknownPurchaseTokenError(delta.purchaseToken);
    shard.onHand = (shard.onHand ?? shard.available) + delta.onHand;
    shard.reserved = (shard.reserved ?? 0) + delta.reserved;
    shard.available += delta.onHand - delta.reserved;
    shard.sold += delta.sold;
  }

  /** Sets onHand (and the shard count) through the same rule as DynamoDB: `spreadStock`. */
  private respread(
    item: StoredProduct,
    plan: (total: { onHand: number; shards: number }) => { shards: number; onHand: number },
  ): void {
    const current = item.shards.map((stored, shard) => levelsOf(shard, stored));
    const onHand = current.reduce((sum, levels) => sum + levels.onHand, 0);
    const next = spreadStock(
      item.details.purchaseToken,
      current,
      plan({ onHand, shards: item.shards.length }),
    );
    item.shards = next.map((levels) => ({
      onHand: levels.onHand,
      reserved: levels.reserved,
      available: levels.onHand - levels.reserved,
      sold: levels.sold,
    }));
  }

  private refuseBundle(item: StoredProduct): void {
    const { purchaseToken } = item.details;
    if (item.components)
      throw new RefusedError(bundleHasNoStock({ purchaseToken, components: item.components }));
  }

  private known(purchaseToken: string): StoredProduct {
    const item = this.items.get(purchaseToken);
    if (!item) throw new UnknownPurchaseTokenError(purchaseToken);
    return item;
  }
}

function view(item: StoredProduct, ownOnly = false): Product {
  const shards = ownOnly ? item.shards.slice(0, 1) : item.shards;
  const levels = shards.map((stored, shard) => levelsOf(shard, stored));
  const sum = (pick: (levels: ShardLevels) => number) => levels.reduce((total, one) => total + pick(one), 0);
  return {
    ...copy(item.details),
    onHand: sum((one) => one.onHand),
    reserved: sum((one) => one.reserved),
    available: shards.reduce((total, one) => total + one.available, 0),
    sold: sum((one) => one.sold),
    active: item.active,
    stockShards: item.shards.length,
    ...(item.components ? { components: copy(item.components) } : {}),
  };
}

export class InMemoryOrderStore implements OrderStore {
  readonly orders = new Map<string, Order>();
  readonly requests = new Map<string, RequestRecord>();
  /** Shoppers' unpaid-order counters. */
  readonly holds = new Map<string, number>();
  /** Lookup entries: key → (orderId → when). */
  readonly lookups = new Map<string, Map<string, string>>();
  constructor(readonly catalog: InMemoryCatalog) {}

  async lookup(purchaseToken: string, requestKey: string, stockShards = 1): Promise<PurchaseLookup> {
    const request = this.requests.get(requestKey);
    const shards = this.catalog.items.get(purchaseToken)?.shards;
    return {
      product: this.catalog.ownView(purchaseToken),
      request: request && copy(request),
      shardsAvailable:
        shards && stockShards > 1 && shards.length === stockShards
          ? shards.map((shard) => shard.available)
          : undefined,
    };
  }

  async get(orderId: string): Promise<Order | undefined> {
    const order = this.orders.get(orderId);
    return order ? copy(order) : undefined;
  }

  async apply(change: OrderChange): Promise<void> {
    const current = this.orders.get(change.order.orderId);
    const conflict = () => new OrderStateConflictError(change.order.orderId, change.order.status);
    if (change.expected === 'new') {
      if (current) throw conflict();
    } else if (
      !current ||
      current.status !== change.expected.status ||
      (current.version ?? 0) !== change.expected.version
    ) {
      throw conflict();
    }
    // A restock aimed at a shard a re-spread took away follows its sold units to shard 0.
    const stock = change.stock.map((delta) =>
      this.catalog.hasStockItem(delta) ? delta : (afterShardRemoved(delta) ?? delta),
    );
    // All or nothing: every guard before any write.
    for (const delta of stock) this.catalog.check(delta);
    const request = change.request;
    if (request?.kind === 'claim') {
      const held = this.requests.get(request.record.key);
      const free =
        !held ||
        held.expiresAt * 1000 < request.now ||
        (held.state === 'IN_PROGRESS' && held.lockedUntil < request.now);
      if (!free) throw new RequestInProgressError();
    }
    for (const hold of change.holds) {
      if (hold.delta > 0 && hold.cap !== undefined && (this.holds.get(hold.key) ?? 0) >= hold.cap) {
        throw new OpenOrderLimitError(change.order.purchaseToken);
      }
    }
    for (const delta of stock) this.catalog.applyDelta(delta);
    this.orders.set(change.order.orderId, copy(stripUndefined(change.order)));
    // Bookkeeping that is no longer this order's is skipped, as DynamoDB's optional items are.
    if (request?.kind === 'claim') this.requests.set(request.record.key, copy(request.record));
    const mine =
      request && request.kind !== 'claim' && this.requests.get(request.key)?.orderId === request.orderId;
    if (request?.kind === 'complete' && mine) {
      const record = this.requests.get(request.key) as RequestRecord;
      this.requests.set(request.key, {
        ...record,
        state: 'COMPLETED',
        invoiceReference: request.invoiceReference,
      });
    }
    if (request?.kind === 'release' && mine) this.requests.delete(request.key);
    for (const hold of change.holds) {
      const count = this.holds.get(hold.key) ?? 0;
      if (hold.delta > 0) this.holds.set(hold.key, count + 1);
      else if (count > 0) this.holds.set(hold.key, count - 1);
    }
    const orderId = change.order.orderId;
    for (const entry of change.lookups.remove) this.lookups.get(entry.key)?.delete(orderId);
    for (const entry of change.lookups.add) {
      const entries = this.lookups.get(entry.key) ?? new Map<string, string>();
      entries.set(orderId, entry.at);
      this.lookups.set(entry.key, entries);
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

  async listByStatus(status: OrderStatus, createdBefore: string, page?: string): Promise<OpenOrdersPage> {
    const matching = [...this.orders.values()]
      .filter((order) => order.status === status && order.createdAt < createdBefore)
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

/** DynamoDB's marshaller drops undefined attributes; so does this store. */
function stripUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
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
export function overridden(store: OrderStore, replacements: Partial<OrderStore>): OrderStore {
  return {
    lookup: (...args) => store.lookup(...args),
    get: (orderId) => store.get(orderId),
    apply: (change) => store.apply(change),
    listByStatus: (...args) => store.listByStatus(...args),
    findOrders: (query) => store.findOrders(query),
    findByLookup: (...args) => store.findByLookup(...args),
    countByLookup: (...args) => store.countByLookup(...args),
    ...replacements,
  };
}

/** A store whose writes fail when `when` says so, to stand for a crash or DynamoDB trouble. */
export function failingWrites(
  store: OrderStore,
  when: (change: OrderChange) => boolean,
  error = new Error('DynamoDB is unavailable'),
): OrderStore {
  return overridden(store, {
    apply: async (change) => {
      if (when(change)) throw error;
      return store.apply(change);
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
