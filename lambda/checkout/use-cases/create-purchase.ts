import { bundleLines, isBundle } from '../model/bundle.js';
import { readHeld, readProduct } from '../model/catalog-item.js';
import {
  GlaseRejectedError,
  GlaseUnavailableError,
  IdempotencyKeyReusedError,
  ProductNotForSaleError,
  RequestInProgressError,
  SoldOutError,
  UnknownPurchaseTokenError,
} from '../model/errors.js';
import type { CallBudget, Invoice, ShopSettings } from '../model/invoice.js';
import { sumMinor } from '../model/money.js';
import { linesOf, type Order } from '../model/order.js';
import type { Product } from '../model/product.js';
import type { PurchaseRequest } from '../model/purchase-request.js';
import { type RequestRecord, requestKeys, shopperKeys } from '../model/request-record.js';
import { type StockHold, saleRefusal } from '../model/stock.js';
import { changeOf, planNewOrder } from '../plans/order-plan.js';
import type { Clock, PaymentGateway, PurchaseRead, Store } from '../ports.js';
import { commit, transition } from './commit.js';

export interface CreatePurchaseDeps {
  readonly store: Store;
  readonly glase: PaymentGateway;
  readonly shop: ShopSettings;
  readonly policy: PurchasePolicy;
  readonly clock: Clock;
  readonly newOrderId: () => string;
  /** The signed URL Glase will call when this order is paid. */
  readonly notificationUrlFor: (orderId: string) => string;
  /** Told about failures the caller never sees, e.g. a best-effort cleanup that failed. */
  readonly warn?: (message: string, details: Record<string, unknown>) => void;
  /** The order in which to try a sharded product's stock shards; random unless a test fixes it. */
  readonly shardOrder?: (shards: number) => readonly number[];
  /**
   * How many stock shards each product had when this container last read it (kept for the life
   * of the container), so the next purchase reads the shards' counters in its first round trip.
   */
  readonly stockShardsSeen?: Map<string, number>;
}

/** The shop's rules for taking purchases (configuration, docs/configuration.md). */
export interface PurchasePolicy {
  /** A retried request gets the same answer this long; after that it is a new purchase. */
  readonly idempotencyTtlSeconds: number;
  /** Unpaid orders of one product one shopper may hold at once (0: no limit). */
  readonly openOrdersPerShopper: number;
  /** How long an invoice may stay unpaid; shoppers' counters outlive it by a day, as a safety net. */
  readonly invoiceTtlSeconds: number;
}

export interface PurchaseOptions extends CallBudget {
  /** The caller's Idempotency-Key header: a retry carries the same, or failing that the same body. */
  readonly idempotencyKey?: string | undefined;
}

export interface PurchaseResult {
  readonly orderId: string;
  readonly invoiceReference: string;
  /** The answer to an earlier identical request: nothing new was created. */
  readonly replayed: boolean;
}

/** Kept back from sendInvoice's time for what a failure needs afterwards (FAILED, a withdrawal). */
export const CLEANUP_RESERVE_MS = 1_500;
/** How long a request holds its record without a deadline of its own (locally, in tests). */
const DEFAULT_LOCK_MS = 60_000;
const COUNTER_SAFETY_SECONDS = 86_400;

/**
 * Glase's createPurchase: reserve one unit (of a bundle: every component's units, all or nothing)
 * and record the order, send Glase the invoice, then mark the order INVOICED. If the invoice
 * cannot be sent, the order ends FAILED with its units back in stock before the error reaches the
 * caller. With a deadline (the function's own timeout), sendInvoice leaves room for that cleanup.
 *
 * A retry (same Idempotency-Key, or the same body) gets the first answer from one read and
 * creates nothing — unless that order ended CANCELED or FAILED, when it is served anew. Three
 * writes at most, in three round trips: the read, the reservation, the invoice.
 */
export async function createPurchase(
  deps: CreatePurchaseDeps,
  request: PurchaseRequest,
  options: PurchaseOptions = {},
): Promise<PurchaseResult> {
  const now = deps.clock.now();
  const keys = requestKeys(request, options.idempotencyKey);
  const read = await readPurchase(deps, request.purchaseToken, keys.key);
  const replayed = replay(read.request, keys.fingerprint, now);
  if (replayed) return replayed;
  const product = forSale(request.purchaseToken, read);
  const order = await reserve(deps, { request, product, read, keys, now, options });
  const invoiceReference = await invoice(deps, order, now, options);
  await recordInvoice(deps, order, invoiceReference, options);
  return { orderId: order.orderId, invoiceReference, replayed: false };
}

interface Read {
  readonly product: Product | undefined;
  readonly request: RequestRecord | undefined;
  /** Units available on each stock shard (index = shard), when the shards were read with it. */
  readonly shardsAvailable: readonly number[] | undefined;
}

/** The first round trip: the product, the request a retry repeats, and the shards last seen. */
async function readPurchase(deps: CreatePurchaseDeps, purchaseToken: string, key: string): Promise<Read> {
  const seen = deps.stockShardsSeen?.get(purchaseToken);
  const read = await deps.store.readForPurchase(purchaseToken, key, seen);
  const product = read.product && readProduct(read.product);
  if (product) deps.stockShardsSeen?.set(purchaseToken, product.stockShards);
  return { product, request: read.request, shardsAvailable: shardsAvailable(product, read, seen) };
}

/** Each shard's units, when the shards read are the product's shards: it may have been re-spread. */
function shardsAvailable(
  product: Product | undefined,
  read: PurchaseRead,
  shardsRead: number | undefined,
): number[] | undefined {
  if (!product || !read.shards || product.stockShards <= 1 || product.stockShards !== shardsRead)
    return undefined;
  return [product.available, ...read.shards.map((item) => readHeld(item)?.available ?? 0)];
}

/** The first answer again, for a live earlier identical request; undefined: serve this one. */
function replay(
  earlier: RequestRecord | undefined,
  fingerprint: string,
  now: Date,
): PurchaseResult | undefined {
  if (!earlier || earlier.expiresAt * 1000 <= now.getTime()) return undefined;
  if (earlier.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
  if (earlier.state === 'COMPLETED' && earlier.invoiceReference) {
    return { orderId: earlier.orderId, invoiceReference: earlier.invoiceReference, replayed: true };
  }
  if (earlier.lockedUntil > now.getTime()) throw new RequestInProgressError();
  // Left IN_PROGRESS by a request that died: this one takes it over.
  return undefined;
}

/**
 * The product, if it may be sold: cheap early answers from the read. The reservation's guard is
 * what really decides; a sharded product read without its shards, or a bundle (no stock of its
 * own), is left to it.
 */
function forSale(purchaseToken: string, read: Read): Product {
  const { product, shardsAvailable: shards } = read;
  if (!product) throw new UnknownPurchaseTokenError(purchaseToken);
  if (isBundle(product)) {
    if (!product.active) throw new ProductNotForSaleError(purchaseToken);
    return product;
  }
  if (product.stockShards > 1 && !shards) {
    if (!product.active) throw new ProductNotForSaleError(purchaseToken);
    return product;
  }
  const available = shards ? shards.reduce((sum, units) => sum + units, 0) : product.available;
  const refusal = saleRefusal(purchaseToken, { active: product.active, available }, 1);
  if (refusal) throw refusal;
  return product;
}

interface Reservation {
  readonly request: PurchaseRequest;
  readonly product: Product;
  readonly read: Read;
  readonly keys: { readonly key: string; readonly fingerprint: string };
  readonly now: Date;
  readonly options: PurchaseOptions;
}

/**
 * Records the order RESERVED with its units held, in one transaction with the request record and
 * the shopper's counters. A sharded product is tried shard by shard: those the read showed units
 * on first, the counters read again after each empty one.
 */
async function reserve(deps: CreatePurchaseDeps, reservation: Reservation): Promise<Order> {
  const { product, read } = reservation;
  const order = newOrder(deps, reservation);
  const planned = (shard: number) => planReservation(deps, reservation, order, shard);
  const everyShard = product.stockShards > 1 ? (deps.shardOrder ?? randomOrder)(product.stockShards) : [0];
  let candidates = read.shardsAvailable ? withUnits(everyShard, read.shardsAvailable) : everyShard;
  // The shard count this buyer works with: a re-spread meanwhile changes it, once.
  let shards = product.stockShards;
  let respreadSeen = false;
  while (candidates.length > 0) {
    const [shard = 0, ...rest] = candidates;
    candidates = rest;
    const change = planned(shard);
    try {
      await commit(deps.store, changeOf(change));
      return change.order;
    } catch (error) {
      if (!(error instanceof SoldOutError) || rest.length === 0) throw error;
      // An empty shard says only that what this buyer read is stale. Rather than try the others
      // blind (a refused write apiece, on items other buyers are writing), read every shard's
      // counters again: a read never contends, and it leaves only shards that still show units.
      // Every shard tried is dropped, so this ends after at most one try per shard.
      const again = await deps.store.readForPurchase(product.purchaseToken, reservation.keys.key, shards);
      const current = again.product && readProduct(again.product);
      const available = shardsAvailable(current, again, shards);
      if (available) candidates = withUnits(rest, available);
      // Re-spread meanwhile: the shards it has now, in a new random order — once, so that stock
      // re-spread again and again cannot keep a buyer here.
      else if (!respreadSeen && current && current.stockShards !== shards) {
        respreadSeen = true;
        shards = current.stockShards;
        candidates = (deps.shardOrder ?? randomOrder)(shards);
      }
    }
  }
  throw new SoldOutError(product.purchaseToken);
}

/** The order as it will be recorded, before it knows its shard. */
function newOrder(deps: CreatePurchaseDeps, { request, product, keys, now }: Reservation): Order {
  const { purchaseToken, ...customer } = request;
  const quantity = 1;
  const lines = isBundle(product) ? bundleLines(product, quantity) : undefined;
  const at = now.toISOString();
  return {
    orderId: deps.newOrderId(),
    status: 'RESERVED',
    purchaseToken,
    product: {
      sku: product.sku,
      description: product.description,
      unitPriceMinor: product.unitPriceMinor,
      currency: product.currency,
      taxRatePercent: product.taxRatePercent,
      ean: product.ean,
    },
    quantity,
    ...(lines ? { lines } : {}),
    totalMinor: sumMinor(lines ? lines.map((line) => line.totalMinor) : [product.unitPriceMinor * quantity]),
    currency: product.currency,
    customer,
    stock: [],
    requestKey: keys.key,
    shopperCounters:
      deps.policy.openOrdersPerShopper > 0
        ? shopperKeys(request).map((shopper) => `${purchaseToken}|${shopper}`)
        : undefined,
    createdAt: at,
    updatedAt: at,
    history: [{ status: 'RESERVED', at }],
  };
}

/** The reservation on one shard: a bundle takes every component from its one stock item. */
function planReservation(deps: CreatePurchaseDeps, reservation: Reservation, order: Order, shard: number) {
  const { now, keys, options } = reservation;
  const { policy } = deps;
  const holds: StockHold[] = order.lines
    ? order.lines.map((line) => ({ purchaseToken: line.purchaseToken, quantity: line.quantity }))
    : [{ purchaseToken: order.purchaseToken, quantity: order.quantity, ...(shard ? { shard } : {}) }];
  const seconds = Math.floor(now.getTime() / 1000);
  return planNewOrder(
    { ...order, stock: holds },
    {
      request: {
        kind: 'claim',
        now: now.getTime(),
        record: {
          key: keys.key,
          fingerprint: keys.fingerprint,
          orderId: order.orderId,
          state: 'IN_PROGRESS',
          expiresAt: seconds + policy.idempotencyTtlSeconds,
          lockedUntil: options.deadline ?? now.getTime() + DEFAULT_LOCK_MS,
        },
      },
      openOrderLimit: policy.openOrdersPerShopper,
      counterExpiresAt: seconds + policy.invoiceTtlSeconds + COUNTER_SAFETY_SECONDS,
    },
  );
}

/** Sends Glase the invoice; when it cannot be sent, the order ends FAILED before the error is answered. */
async function invoice(
  deps: CreatePurchaseDeps,
  order: Order,
  now: Date,
  options: PurchaseOptions,
): Promise<string> {
  try {
    const { invoiceReference } = await deps.glase.sendInvoice(
      invoiceFor(order, deps.shop, now, deps.notificationUrlFor(order.orderId)),
      { deadline: options.deadline === undefined ? undefined : options.deadline - CLEANUP_RESERVE_MS },
    );
    return invoiceReference;
  } catch (error) {
    await failReservation(deps, order, `sendInvoice failed: ${describeFailure(error)}`);
    throw error;
  }
}

/**
 * Marks the order INVOICED. If that cannot be recorded, the invoice exists at Glase but we do not
 * know it: withdraw it so the shopper cannot pay for it, then give the units back at once. If the
 * withdrawal fails the order stays RESERVED: the reconciler fails it later, and a payment of the
 * unrecorded invoice is never committed, so Glase reverses it.
 */
async function recordInvoice(
  deps: CreatePurchaseDeps,
  order: Order,
  invoiceReference: string,
  options: PurchaseOptions,
): Promise<void> {
  try {
    await transition(deps, order, { type: 'invoiced', invoiceReference });
  } catch (error) {
    try {
      await deps.glase.cancelInvoice(order.orderId, invoiceReference, { deadline: options.deadline });
      await failReservation(deps, order, 'invoiced but not recorded; invoice withdrawn');
    } catch (cancelError) {
      deps.warn?.('could not withdraw an invoice after failing to record it', {
        orderId: order.orderId,
        invoiceReference,
        error: describeFailure(cancelError),
      });
    }
    throw error;
  }
}

/** Shards that showed units when read. */
function withUnits(shards: readonly number[], available: readonly number[]): number[] {
  return shards.filter((shard) => (available[shard] ?? 0) > 0);
}

/** Every shard once, in random order: buyers spread over the shards instead of queueing on one. */
function randomOrder(shards: number): number[] {
  const order = Array.from({ length: shards }, (_, shard) => shard);
  for (let index = order.length - 1; index > 0; index--) {
    const other = Math.floor(Math.random() * (index + 1));
    [order[index], order[other]] = [order[other] as number, order[index] as number];
  }
  return order;
}

/**
 * Gives the reserved unit back by failing the order, recording why. Best effort: if even this
 * write fails the order stays RESERVED and the reconciler fails it after its grace period.
 */
async function failReservation(deps: CreatePurchaseDeps, order: Order, reason: string): Promise<void> {
  await transition(deps, order, { type: 'failed', reason }).catch((error: unknown) =>
    deps.warn?.('could not release a reservation', {
      orderId: order.orderId,
      error: describeFailure(error),
    }),
  );
}

export function invoiceFor(
  order: Order,
  shop: ShopSettings,
  issuedAt: Date,
  notificationUrl: string,
): Invoice {
  return {
    orderId: order.orderId,
    issuedAt,
    title: shop.title,
    cashierId: shop.cashierId,
    footer: shop.footer,
    currency: order.currency,
    rows: linesOf(order).map(({ purchaseToken: _token, ...row }) => row),
    totalMinor: order.totalMinor,
    notificationUrl,
  };
}

/** Why something failed, for the order's history and our logs: never a secret, never the request. */
function describeFailure(error: unknown): string {
  if (error instanceof GlaseRejectedError) return `Glase refused: ${error.detail}`;
  if (error instanceof GlaseUnavailableError) return error.message;
  if (error instanceof Error) return error.name;
  return 'unknown';
}
