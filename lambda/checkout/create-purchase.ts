import { bundleLines, isBundle } from './bundle.js';
import {
  GlaseRejectedError,
  GlaseUnavailableError,
  IdempotencyKeyReusedError,
  ProductNotForSaleError,
  RequestInProgressError,
  SoldOutError,
  UnknownPurchaseTokenError,
} from './errors.js';
import { sumMinor } from './money.js';
import { linesOf, type Order } from './order.js';
import { planNewOrder } from './order-plan.js';
import type { CallBudget, Clock, Invoice, OrderStore, PaymentGateway, ShopSettings } from './ports.js';
import type { PurchaseRequest } from './purchase-request.js';
import { requestKeys, shopperKeys } from './purchase-requests.js';
import { transition } from './transition.js';

export interface CreatePurchaseDeps {
  readonly orders: OrderStore;
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

/** The shop's rules for taking purchases (configuration, README: "Configuration"). */
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
const HOLD_SAFETY_SECONDS = 86_400;

/**
 * Glase's createPurchase: reserve one unit (of a bundle: every component's units, all or
 * nothing) and record the order, send Glase the invoice,
 * then mark the order INVOICED. If the invoice cannot be sent, the order ends FAILED with
 * its unit back in stock before the error reaches the caller. With a deadline (the function's
 * own timeout), sendInvoice leaves room for that cleanup, and the cleanup ends by it.
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
  const { orders, glase, shop, clock, policy } = deps;
  const now = clock.now();
  const { key, fingerprint } = requestKeys(request, options.idempotencyKey);
  const {
    product,
    request: earlier,
    shardsAvailable,
  } = await orders.lookup(request.purchaseToken, key, deps.stockShardsSeen?.get(request.purchaseToken));
  if (product) deps.stockShardsSeen?.set(product.purchaseToken, product.stockShards);
  const live = earlier && earlier.expiresAt * 1000 > now.getTime() ? earlier : undefined;
  if (live) {
    if (live.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
    if (live.state === 'COMPLETED' && live.invoiceReference) {
      return { orderId: live.orderId, invoiceReference: live.invoiceReference, replayed: true };
    }
    if (live.lockedUntil > now.getTime()) throw new RequestInProgressError();
    // Left IN_PROGRESS by a request that died: this one takes it over.
  }
  if (!product) throw new UnknownPurchaseTokenError(request.purchaseToken);
  // Cheap early answers; the reservation below is what really guards stock and the flag.
  if (!product.active) throw new ProductNotForSaleError(request.purchaseToken);
  // A sharded product's own counters are one shard's: without every shard's, only reserving says.
  // A bundle has no counters of its own: only reserving its components says.
  const available = shardsAvailable
    ? shardsAvailable.reduce((sum, units) => sum + units, 0)
    : product.available;
  if (!isBundle(product) && (product.stockShards <= 1 || shardsAvailable) && available < 1) {
    throw new SoldOutError(request.purchaseToken);
  }

  const { purchaseToken, ...customer } = request;
  const quantity = 1;
  const lines = isBundle(product) ? bundleLines(product, quantity) : undefined;
  const totalMinor = sumMinor(
    lines ? lines.map((line) => line.totalMinor) : [product.unitPriceMinor * quantity],
  );
  // A bundle takes every component from its one stock item (bundles refuse sharded components).
  const holds = (shard: number) =>
    lines
      ? lines.map((line) => ({ purchaseToken: line.purchaseToken, quantity: line.quantity }))
      : [{ purchaseToken, quantity, ...(shard ? { shard } : {}) }];
  const orderId = deps.newOrderId();
  const seconds = Math.floor(now.getTime() / 1000);
  const plan = (shard: number) =>
    planNewOrder(
      {
        orderId,
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
        totalMinor,
        currency: product.currency,
        customer,
        stock: holds(shard),
        requestKey: key,
        shopperHolds:
          policy.openOrdersPerShopper > 0
            ? shopperKeys(request).map((shopper) => `${purchaseToken}|${shopper}`)
            : undefined,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
        history: [{ status: 'RESERVED', at: now.toISOString() }],
      },
      {
        request: {
          kind: 'claim',
          now: now.getTime(),
          record: {
            key,
            fingerprint,
            orderId,
            state: 'IN_PROGRESS',
            expiresAt: seconds + policy.idempotencyTtlSeconds,
            lockedUntil: options.deadline ?? now.getTime() + DEFAULT_LOCK_MS,
          },
        },
        openOrderLimit: policy.openOrdersPerShopper,
        holdExpiresAt: seconds + policy.invoiceTtlSeconds + HOLD_SAFETY_SECONDS,
      },
    );
  // Every shard in random order, or, when the lookup read their counters, those that showed units:
  // an empty shard costs a refused write on an item other buyers are writing.
  const withUnits = (shards: readonly number[], available: readonly number[]) =>
    shards.filter((shard) => (available[shard] ?? 0) > 0);
  const everyShard = product.stockShards > 1 ? (deps.shardOrder ?? randomOrder)(product.stockShards) : [0];
  let candidates = shardsAvailable ? withUnits(everyShard, shardsAvailable) : everyShard;
  let order: Order | undefined;
  // The shard count this buyer works with: a re-spread meanwhile changes it, once.
  let shards = product.stockShards;
  let respreadSeen = false;
  while (!order && candidates.length > 0) {
    const [shard = 0, ...rest] = candidates;
    candidates = rest;
    const reservation = plan(shard);
    try {
      await orders.apply(reservation);
      order = reservation.order;
    } catch (error) {
      // A component off sale or gone: the shopper asked for the bundle, so the answer names it.
      if (lines && error instanceof ProductNotForSaleError) throw new ProductNotForSaleError(purchaseToken);
      if (!(error instanceof SoldOutError)) throw error;
      // An empty shard says only that what this buyer read is stale. Rather than try the others
      // blind (a refused write apiece, on items other buyers are writing), read every shard's
      // counters again: a read never contends, and it leaves only shards that still show units.
      // Every shard tried is dropped, so this ends after at most one try per shard.
      if (rest.length > 0) {
        const again = await orders.lookup(purchaseToken, key, shards);
        if (again.shardsAvailable) candidates = withUnits(rest, again.shardsAvailable);
        // Re-spread meanwhile: the shards it has now, in a new random order — once, so that
        // stock re-spread again and again cannot keep a buyer here.
        else if (!respreadSeen && again.product && again.product.stockShards !== shards) {
          respreadSeen = true;
          shards = again.product.stockShards;
          candidates = (deps.shardOrder ?? randomOrder)(shards);
        }
      }
    }
  }
  if (!order) throw new SoldOutError(purchaseToken);

  let invoiceReference: string;
  try {
    ({ invoiceReference } = await glase.sendInvoice(
      invoiceFor(order, shop, now, deps.notificationUrlFor(order.orderId)),
      { deadline: options.deadline === undefined ? undefined : options.deadline - CLEANUP_RESERVE_MS },
    ));
  } catch (error) {
    await failReservation(deps, order, `sendInvoice failed: ${describeFailure(error)}`);
    throw error;
  }

  try {
    await transition(deps, order, { type: 'invoiced', invoiceReference });
  } catch (error) {
    // The invoice exists at Glase but we could not record it. Withdraw it so the shopper
    // cannot pay for an order we do not know is invoiced, then give the unit back at once.
    // If the withdrawal fails the order stays RESERVED: the reconciler fails it later, and a
    // payment of the unrecorded invoice is never committed, so Glase reverses it.
    try {
      await glase.cancelInvoice(order.orderId, invoiceReference, { deadline: options.deadline });
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
  return { orderId: order.orderId, invoiceReference, replayed: false };
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
