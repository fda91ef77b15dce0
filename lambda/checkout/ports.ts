import type { ProductItems, StoredItem } from './model/catalog-item.js';
import type { CallBudget, Invoice, PaymentStatus, RefundRequest, StatusQuery } from './model/invoice.js';
import type { Mail } from './model/mail.js';
import type { Order, OrderStatus } from './model/order.js';
import type { OrderEvent } from './model/order-event.js';
import type { RequestRecord } from './model/request-record.js';
import type { EndpointDelivery, WebhookDelivery } from './model/webhook.js';
import type { Change, Rejection } from './plans/change.js';

/**
 * The edges of the domain: what the use cases need of the world, and nothing about how. Value
 * types live in model/; adapters (lambda/store, lambda/glase, lambda/events, lambda/mail, the
 * in-memory ones in test/support) implement these.
 */

/** What createPurchase reads before anything else, in one round trip. */
export interface PurchaseRead {
  /** The product item (its own counters: shard 0's), as stored. */
  readonly product?: StoredItem | undefined;
  /**
   * Given a shard count, the product's shard items 1…count−1 as found: an eventually consistent
   * hint for which shards to try, never the guard (the reservation's condition is).
   */
  readonly shards?: readonly (StoredItem | undefined)[] | undefined;
  /** The request record a retry repeats. */
  readonly request?: RequestRecord | undefined;
}

export interface OrderQuery {
  readonly status?: OrderStatus | undefined;
  /** ISO time: only orders created at or after it. */
  readonly since?: string | undefined;
  readonly limit: number;
}

export interface OpenOrdersPage {
  readonly orders: readonly Order[];
  readonly nextPage?: string | undefined;
}

export interface LookupQuery {
  readonly limit: number;
  readonly before?: string | undefined;
}

/**
 * Where orders and the catalog live. Reads answer items as stored; every write is a planned
 * `Change` (plans/), applied all or nothing: `apply` answers undefined when it was written, or
 * which guards failed (`Rejection`), having written nothing. It never decides what that means.
 */
export interface Store {
  /**
   * One round trip: the product behind the token and the request record under `requestKey`, and,
   * given `stockShards` > 1, the product's shard items 1…stockShards−1 with them.
   */
  readForPurchase(
    purchaseToken: string,
    requestKey: string,
    stockShards?: number,
    budget?: WriteBudget,
  ): Promise<PurchaseRead>;
  getOrder(orderId: string): Promise<Order | undefined>;
  /** The product item and its shard items, read consistently; undefined when no product item is. */
  getProductItems(purchaseToken: string): Promise<ProductItems | undefined>;
  /** Product items (never shard items), a page at a time. */
  listProductItems(page?: string): Promise<{ items: StoredItem[]; nextPage?: string | undefined }>;
  /** Open orders in one status created before a time, oldest first, a page at a time. */
  listByStatus(
    status: OrderStatus,
    createdBefore: string,
    page?: string,
    createdSince?: string,
  ): Promise<OpenOrdersPage>;
  /** Newest first, through the status index (one query per status), never a table scan. */
  findOrders(query: OrderQuery): Promise<Order[]>;
  /**
   * The orders any of `keys` finds (model/order-lookups.ts), newest entry first, at most `limit`,
   * read consistently; through the lookup index, never a scan. With `before`, only older entries.
   */
  findByLookup(keys: readonly string[], query: LookupQuery): Promise<Order[]>;
  /** How many orders `key` finds with an entry older than `before` (a metric: no orders read). */
  countByLookup(key: string, before: string): Promise<number>;
  /** With `budget.deadline`, a write not answered by then is abandoned as unavailable (it may still land). */
  apply(change: Change, budget?: WriteBudget): Promise<Rejection | undefined>;
}

/** A deadline for one store call: not answered by then, it is abandoned as unavailable. */
export interface WriteBudget {
  /** Epoch ms. */
  readonly deadline?: number | undefined;
}

/**
 * Glase's Payment API as the domain sees it; the SOAP client in `lambda/glase/` implements it.
 * Refusals arrive as GlaseRejectedError saying what they mean; Glase unreachable, slow or
 * unintelligible as GlaseUnavailableError.
 */
export interface PaymentGateway {
  /** Never repeated; with a deadline, its one attempt ends by it. */
  sendInvoice(invoice: Invoice, budget?: CallBudget): Promise<{ invoiceReference: string }>;
  getPaymentStatus(query: StatusQuery, budget?: CallBudget): Promise<PaymentStatus>;
  cancelInvoice(orderId: string, invoiceReference: string, budget?: CallBudget): Promise<void>;
  /** Refunds `amountMinor` of the payment `ersReference`; returns the refund's own ersReference. */
  refundPayment(refund: RefundRequest): Promise<{ ersReference: string }>;
}

/** Where fulfilment and confirmation e-mails hook in: EventBridge when deployed, a log locally. */
export interface EventPublisher {
  publish(event: OrderEvent): Promise<void>;
}

/** Sends mail: Amazon SES deployed, `.eml` files locally. */
export interface Mailer {
  /** Resolves once the mail is handed over; `location` says where a local one was written. */
  send(mail: Mail): Promise<{ readonly location?: string | undefined }>;
}

/** Which mails went out: a claim per mail key, so a repeated event mails once. */
export interface MailLog {
  /**
   * True if the key is now this sender's until `leaseUntil` (epoch ms): it was free, or its sender
   * held it past its lease without saying it sent (it died mid-send). False while another sender
   * holds it, and once its mail is marked sent. The record is forgotten at `expiresAt` (epoch s).
   */
  claim(
    key: string,
    lease: { readonly now: number; readonly leaseUntil: number; readonly expiresAt: number },
  ): Promise<boolean>;
  /** The mail went out: no sender takes the key again. */
  markSent(key: string): Promise<void>;
  /** Frees a claim whose mail could not be sent, so a retry sends it. */
  release(key: string): Promise<void>;
  /** What the log holds under these keys (a shopper's access request). */
  records(keys: readonly string[]): Promise<{ key: string; state: string }[]>;
  /** Forgets these keys (a shopper's erasure request). */
  forget(keys: readonly string[]): Promise<void>;
}

export interface Clock {
  now(): Date;
}

/** The webhook delivery log (one record per event). */
export interface WebhookLog {
  /** Writes the record unless one exists for its event; answers the one stored. */
  record(delivery: WebhookDelivery, expiresAt: number): Promise<WebhookDelivery>;
  get(eventId: string): Promise<WebhookDelivery | undefined>;
  /** Writes what an attempt left: one endpoint's outcome, and when to try next (undefined: never). */
  update(
    eventId: string,
    endpoints: Readonly<Record<string, EndpointDelivery>>,
    nextAttemptAt: number | undefined,
  ): Promise<void>;
  /** Newest first. */
  list(
    limit: number,
    page?: string,
  ): Promise<{ deliveries: WebhookDelivery[]; nextPage?: string | undefined }>;
  /** Forgets these events' records (their bodies may carry a shopper: an erasure request). */
  forget(eventIds: readonly string[]): Promise<void>;
}

/** What one POST got: an HTTP status, or no answer at all. */
export type PostOutcome =
  | { readonly status: number }
  | { readonly failure: 'timeout' | 'network error' | 'secret not configured' };

/** POSTs a body to an endpoint, signed with that endpoint's secret. */
export interface WebhookPoster {
  post(endpointId: string, url: string, body: string): Promise<PostOutcome>;
}
