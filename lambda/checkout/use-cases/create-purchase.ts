import { bundleLines, isBundle } from '../model/bundle.js';
import { readHeld, readProduct } from '../model/catalog-item.js';
import {
  GlaseRejectedError,
  GlaseUnavailableError,
  IdempotencyKeyReusedError,
  ProductNotForSaleError,
  RequestInProgressError,
  ServiceUnavailableError,
  SoldOutError,
  UnitsHeldError,
  UnknownPurchaseTokenError,
} from '../model/errors.js';
import type { CallBudget, Invoice, PaymentStatus, ShopSettings } from '../model/invoice.js';
import { sumMinor } from '../model/money.js';
import { linesOf, type Order } from '../model/order.js';
import type { Product } from '../model/product.js';
import type { PurchaseRequest } from '../model/purchase-request.js';
import { type RequestRecord, requestKeys, shopperKeys } from '../model/request-record.js';
import { heldCap, type StockHold, saleRefusal } from '../model/stock.js';
import { changeOf, planNewOrder } from '../plans/order-plan.js';
import type { Clock, EventPublisher, PaymentGateway, PurchaseRead, Store } from '../ports.js';
import { commit, transition } from './commit.js';
import { settle } from './complete-payment.js';

export interface CreatePurchaseDeps {
  readonly store: Store;
  readonly glase: PaymentGateway;
  readonly shop: ShopSettings;
  readonly policy: PurchasePolicy;
  readonly clock: Clock;
  /** How long the steps after the reservation may take (`PurchaseTiming`). */
  readonly timing: PurchaseTiming;
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
  /** The share of each stock item's units on hand unpaid orders may hold at once (`heldCap`). */
  readonly heldSharePercent: number;
}

/**
 * What the steps after the reservation need of the function's time. sendInvoice starts only
 * when its whole timeout and everything after it fit before the deadline: one cut short by our
 * own deadline could create an invoice whose reference we never learn, and that one could never
 * be withdrawn.
 */
export interface PurchaseTiming {
  /** sendInvoice's one attempt, whole (the Glase client's timeout). */
  readonly sendInvoiceMs: number;
  /** After Glase answered: recording the order INVOICED (one DynamoDB write) and answering. */
  readonly recordMs: number;
  /** Undoing an invoiced purchase that cannot be recorded in time: cancelInvoice, then the units back. */
  readonly undoMs: number;
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

/** A replay of an invoice this young is answered as it is; an older one is asked about first. */
export const REPLAY_CHECK_AFTER_MS = 5_000;
/** Recording the order INVOICED: one DynamoDB write, answered in milliseconds unless it stalls. */
export const RECORD_MS = 1_000;
/** Giving units back: one DynamoDB write, kept after an undo's cancelInvoice. */
export const RELEASE_MS = 1_000;

/** The timing a purchase plans with, from the Glase client's timeouts. */
export function purchaseTiming(sendInvoiceMs: number, cancelInvoiceMs: number): PurchaseTiming {
  return { sendInvoiceMs, recordMs: RECORD_MS, undoMs: cancelInvoiceMs + RELEASE_MS };
}
/** How long a request holds its record without a deadline of its own (locally, in tests). */
const DEFAULT_LOCK_MS = 60_000;
const COUNTER_SAFETY_SECONDS = 86_400;

/**
 * Glase's createPurchase: reserve one unit (of a bundle: every component's units, all or nothing)
 * and record the order, send Glase the invoice, then mark the order INVOICED. If the invoice
 * cannot be sent, the order ends FAILED with its units back in stock before the error reaches the
 * caller.
 *
 * With a deadline (the function's own timeout), every step knows the time left: sendInvoice
 * starts only when its whole timeout and the steps after it fit (else the units go back and the
 * answer is 503, before Glase is called); an invoice that cannot be recorded and answered in time
 * is withdrawn and its units released before the deadline, and the answer is 503 — never an
 * invoice the buyer was told failed, left payable.
 *
 * A retry (same Idempotency-Key, or the same body) gets the first answer from one read and
 * creates nothing — unless that order ended CANCELED or FAILED, when it is served anew; an
 * answer older than a few seconds is checked at Glase first, and a declined, cancelled or
 * expired invoice is settled and replaced by a new one. Three writes at most, in three round
 * trips: the read, the reservation, the invoice.
 */
export async function createPurchase(
  deps: CreatePurchaseDeps,
  request: PurchaseRequest,
  options: PurchaseOptions = {},
): Promise<PurchaseResult> {
  const now = deps.clock.now();
  const time = timeLeft(deps, options.deadline);
  const keys = requestKeys(request, options.idempotencyKey);
  const read = await readPurchase(deps, request.purchaseToken, keys.key, time);
  const replayed = await replay(deps, read.request, keys.fingerprint, now, time);
  if (replayed) return replayed;
  const product = forSale(request.purchaseToken, read);
  const order = await reserve(deps, { request, product, read, keys, now, options }, time);
  if (!time.fitsInvoice()) {
    await failReservation(deps, order, 'no time left to send the invoice');
    throw noTime();
  }
  const invoiceReference = await invoice(deps, order, now, time);
  await recordInvoice(deps, order, invoiceReference, time);
  return { orderId: order.orderId, invoiceReference, replayed: false };
}

interface TimeLeft {
  /** Whether sendInvoice and everything after it still fit. */
  fitsInvoice(): boolean;
  /** Throws the 503 for too little time, before anything is reserved. */
  requireForInvoice(): void;
  /** Whether recording the invoice, and an undo should that fail, still fit. */
  fitsRecord(): boolean;
  /** When the record write is given up, so the undo still fits after it. */
  recordDeadline(): number | undefined;
  /** The last moment sendInvoice may start: reads and the reservation are given up by then. */
  invoiceDeadline(): number | undefined;
  /** When an undo's cancelInvoice is given up, so the release still fits after it. */
  cancelDeadline(): number | undefined;
  /**
   * How long sendInvoice may wait: its whole timeout at least (it starts only when that fits),
   * and beyond it for as long as an undo still fits after the answer, up to twice its timeout (a
   * Glase that silent is down; its buyer is not kept waiting longer). An answer given up on is an
   * invoice whose reference we never learn, so it can never be withdrawn; one that comes too late
   * to be recorded is withdrawn instead (recordInvoice).
   */
  sendInvoicePatience(): number;
  /** The end: the release of units is the last write. */
  deadline(): number | undefined;
}

/** The function's time, against the deadline it was given; without one, every step fits. */
function timeLeft(deps: CreatePurchaseDeps, deadline: number | undefined): TimeLeft {
  const { sendInvoiceMs, recordMs, undoMs } = deps.timing;
  const left = () => (deadline === undefined ? Infinity : deadline - deps.clock.now().getTime());
  const fitsInvoice = () => left() >= sendInvoiceMs + recordMs + undoMs;
  const before = (ms: number) => (deadline === undefined ? undefined : deadline - ms);
  return {
    fitsInvoice,
    requireForInvoice: () => {
      if (!fitsInvoice()) throw noTime();
    },
    fitsRecord: () => left() >= recordMs + undoMs,
    recordDeadline: () => before(undoMs),
    invoiceDeadline: () => before(sendInvoiceMs + recordMs + undoMs),
    sendInvoicePatience: () =>
      deadline === undefined
        ? sendInvoiceMs
        : Math.max(sendInvoiceMs, Math.min(2 * sendInvoiceMs, left() - undoMs)),
    cancelDeadline: () => before(RELEASE_MS),
    deadline: () => deadline,
  };
}

/** Never called: createPurchase defers its events to the outbox. */
const NO_EVENTS: EventPublisher = {
  publish: () => Promise.reject(new Error('createPurchase publishes through the order outbox only')),
};

const noTime = () =>
  new ServiceUnavailableError(
    'no-time',
    'too little of the function time left to send an invoice and answer',
  );
const undone = (cause?: unknown) =>
  new ServiceUnavailableError(
    'undone',
    'the invoice could not be recorded in time: withdrawn, units back',
    1,
    {
      cause,
    },
  );

interface Read {
  readonly product: Product | undefined;
  readonly request: RequestRecord | undefined;
  /** Units available on each stock shard (index = shard), when the shards were read with it. */
  readonly shardsAvailable: readonly number[] | undefined;
  /** Units on hand on each stock item (index = shard) as read: what the hold caps are taken of. */
  readonly onHand: readonly number[];
}

/** The first round trip: the product, the request a retry repeats, and the shards last seen. */
async function readPurchase(
  deps: CreatePurchaseDeps,
  purchaseToken: string,
  key: string,
  time: TimeLeft,
): Promise<Read> {
  const seen = deps.stockShardsSeen?.get(purchaseToken);
  // The whole time: a replay needs only this read, however little is left for a new invoice.
  const read = await deps.store.readForPurchase(purchaseToken, key, seen, { deadline: time.deadline() });
  const product = read.product && readProduct(read.product);
  if (product) deps.stockShardsSeen?.set(purchaseToken, product.stockShards);
  const levels = shardLevels(product, read, seen);
  return {
    product,
    request: read.request,
    shardsAvailable: levels?.available,
    onHand: levels?.onHand ?? (product ? [product.onHand] : []),
  };
}

/**
 * Each shard's units available and on hand (index = shard), when the shards read are the
 * product's shards: it may have been re-spread meanwhile.
 */
function shardLevels(
  product: Product | undefined,
  read: PurchaseRead,
  shardsRead: number | undefined,
): { readonly available: number[]; readonly onHand: number[] } | undefined {
  if (!product || !read.shards || product.stockShards <= 1 || product.stockShards !== shardsRead)
    return undefined;
  const held = read.shards.map(readHeld);
  return {
    available: [product.available, ...held.map((item) => item?.available ?? 0)],
    onHand: [product.onHand, ...held.map((item) => (item ? item.available + item.reserved : 0))],
  };
}

/**
 * The first answer again, for a live earlier identical request; undefined: serve this one. An
 * answer older than REPLAY_CHECK_AFTER_MS may name an invoice the shopper has since declined, or
 * Glase cancelled or let expire: Glase is asked (one SOAP call, no DynamoDB request while the
 * invoice is live), and a dead one's order is settled (units, counters and the request record
 * released, OrderCanceled left in the order's outbox for the reconciler) so this request is served anew with a live invoice.
 */
async function replay(
  deps: CreatePurchaseDeps,
  earlier: RequestRecord | undefined,
  fingerprint: string,
  now: Date,
  time: TimeLeft,
): Promise<PurchaseResult | undefined> {
  if (!earlier || earlier.expiresAt * 1000 <= now.getTime()) return undefined;
  if (earlier.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
  if (earlier.state === 'COMPLETED' && earlier.invoiceReference) {
    const answer = { orderId: earlier.orderId, invoiceReference: earlier.invoiceReference, replayed: true };
    const young =
      earlier.claimedAt !== undefined && now.getTime() - earlier.claimedAt < REPLAY_CHECK_AFTER_MS;
    if (young || !time.fitsInvoice()) return answer;
    return (await stillPayable(deps, answer)) ? answer : undefined;
  }
  // The lock holds up to its last millisecond, as the store's claim condition says.
  if (earlier.lockedUntil >= now.getTime())
    throw new RequestInProgressError(Math.max(1, Math.ceil((earlier.lockedUntil - now.getTime()) / 1000)));
  // Left IN_PROGRESS by a request that died: this one takes it over.
  return undefined;
}

/** Whether the replayed invoice can still be paid (or was); a paid or dead one's order is settled here. */
async function stillPayable(deps: CreatePurchaseDeps, answer: PurchaseResult): Promise<boolean> {
  let status: PaymentStatus;
  try {
    status = await deps.glase.getPaymentStatus(
      { orderId: answer.orderId, invoiceReference: answer.invoiceReference, invoiceVersion: 0 },
      { maxAttempts: 1 },
    );
  } catch (error) {
    // Glase cannot say: the answer stands, as it did before anyone asked.
    deps.warn?.('could not check a replayed invoice at Glase', {
      orderId: answer.orderId,
      error: describeFailure(error),
    });
    return true;
  }
  // Still payable: the answer stands. Settled at Glase (paid or dead): settled here too.
  if (status.status !== 'PAID' && status.status !== 'CANCELED' && status.status !== 'FAILED') return true;
  const order = await deps.store.getOrder(answer.orderId);
  if (!order) return true;
  // createPurchase carries no event client: the event waits in the order's outbox for the reconciler.
  const settled = await settle({ ...deps, events: NO_EVENTS, deferEvents: true }, order, status);
  return settled.outcome !== 'canceled';
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
async function reserve(deps: CreatePurchaseDeps, reservation: Reservation, time: TimeLeft): Promise<Order> {
  const { product, read } = reservation;
  const order = newOrder(deps, reservation);
  // What the hold caps are taken of, refreshed with every re-read of the shards.
  const onHandNow = [...read.onHand];
  const planned = (shard: number) => planReservation(deps, reservation, order, shard, onHandNow[shard]);
  const everyShard = product.stockShards > 1 ? (deps.shardOrder ?? randomOrder)(product.stockShards) : [0];
  let candidates = read.shardsAvailable ? withUnits(everyShard, read.shardsAvailable) : everyShard;
  // The shard count this buyer works with: a re-spread meanwhile changes it, once.
  let shards = product.stockShards;
  let respreadSeen = false;
  while (candidates.length > 0) {
    const [shard = 0, ...rest] = candidates;
    candidates = rest;
    // Every try costs time: none starts when the invoice could no longer follow it.
    time.requireForInvoice();
    const change = planned(shard);
    try {
      // A reservation still unanswered when the invoice could no longer follow is given up: if it
      // lands later, its order stays RESERVED and the reconciler fails it, units back.
      await commit(deps.store, changeOf(change), { deadline: time.invoiceDeadline() });
      return change.order;
    } catch (error) {
      if (!(error instanceof SoldOutError || error instanceof UnitsHeldError) || rest.length === 0)
        throw error;
      // An empty shard says only that what this buyer read is stale. Rather than try the others
      // blind (a refused write apiece, on items other buyers are writing), read every shard's
      // counters again: a read never contends, and it leaves only shards that still show units.
      // Every shard tried is dropped, so this ends after at most one try per shard.
      const again = await deps.store.readForPurchase(product.purchaseToken, reservation.keys.key, shards, {
        deadline: time.invoiceDeadline(),
      });
      const current = again.product && readProduct(again.product);
      const levels = shardLevels(current, again, shards);
      if (levels) {
        candidates = withUnits(rest, levels.available);
        onHandNow.splice(0, onHandNow.length, ...levels.onHand);
      }
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

/**
 * The reservation on one shard: a bundle takes every component from its one stock item. A
 * product's hold is capped at its share of the units on hand as read (a bundle's components
 * were not read: only their stock guards them).
 */
function planReservation(
  deps: CreatePurchaseDeps,
  reservation: Reservation,
  order: Order,
  shard: number,
  onHand: number | undefined,
) {
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
          claimedAt: now.getTime(),
        },
      },
      openOrderLimit: policy.openOrdersPerShopper,
      counterExpiresAt: seconds + policy.invoiceTtlSeconds + COUNTER_SAFETY_SECONDS,
      // At 100 % there is no cap beyond the stock itself (and no stale read can refuse a unit).
      heldAtMost: () =>
        order.lines || onHand === undefined || policy.heldSharePercent >= 100
          ? undefined
          : heldCap(onHand, policy.heldSharePercent),
    },
  );
}

/**
 * Sends Glase the invoice, its one attempt whole (the caller made sure it fits); when it cannot
 * be sent, the order ends FAILED before the error is answered.
 */
async function invoice(deps: CreatePurchaseDeps, order: Order, now: Date, time: TimeLeft): Promise<string> {
  try {
    const patienceMs = time.sendInvoicePatience();
    const { invoiceReference } = await deps.glase.sendInvoice(
      invoiceFor(order, deps.shop, now, deps.notificationUrlFor(order.orderId)),
      { deadline: deps.clock.now().getTime() + patienceMs, patienceMs },
    );
    return invoiceReference;
  } catch (error) {
    await failReservation(deps, order, `sendInvoice failed: ${describeFailure(error)}`);
    throw error;
  }
}

/**
 * Marks the order INVOICED — when that and the answer still fit. If it cannot be recorded in time
 * (too little time left, or the write failed), the invoice exists at Glase while the buyer will be
 * told to try again: it is withdrawn so nobody can pay it, the units go back, and the answer is
 * 503. If even the withdrawal fails the order stays RESERVED: the reconciler fails it later, and
 * a payment of the unrecorded invoice is never committed, so Glase reverses it.
 *
 * A write that times out here may still commit after the answer: the order is then INVOICED with
 * a withdrawn invoice, and the reconciler, asking Glase, finds it CANCELED and gives the units back.
 */
async function recordInvoice(
  deps: CreatePurchaseDeps,
  order: Order,
  invoiceReference: string,
  time: TimeLeft,
): Promise<void> {
  if (!time.fitsRecord()) {
    await undo(deps, order, invoiceReference, time, 'no time left to record the invoice');
    throw undone();
  }
  try {
    await transition(
      deps,
      order,
      { type: 'invoiced', invoiceReference },
      { deadline: time.recordDeadline() },
    );
  } catch (error) {
    await undo(deps, order, invoiceReference, time, 'invoiced but not recorded');
    // Whatever stopped the write, the purchase is undone (or left to the reconciler): try again.
    throw undone(error);
  }
}

/** Withdraws an invoice we will not answer with, then gives its units back; best effort, never throws. */
async function undo(
  deps: CreatePurchaseDeps,
  order: Order,
  invoiceReference: string,
  time: TimeLeft,
  why: string,
): Promise<void> {
  try {
    await deps.glase.cancelInvoice(order.orderId, invoiceReference, {
      deadline: time.cancelDeadline(),
      maxAttempts: 1,
    });
    await failReservation(deps, order, `${why}; invoice withdrawn`, time.deadline());
  } catch (cancelError) {
    deps.warn?.('could not withdraw an invoice the buyer was not given', {
      orderId: order.orderId,
      invoiceReference,
      error: describeFailure(cancelError),
    });
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
async function failReservation(
  deps: CreatePurchaseDeps,
  order: Order,
  reason: string,
  deadline?: number,
): Promise<void> {
  await transition(deps, order, { type: 'failed', reason }, { deadline }).catch((error: unknown) =>
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
