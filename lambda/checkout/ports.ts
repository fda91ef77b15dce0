import type { Bundle } from './bundle.js';
import type { Order, OrderStatus } from './order.js';
import type { OrderChange } from './order-plan.js';
import type { CatalogEntry, Product } from './product.js';
import type { RequestRecord } from './purchase-requests.js';

/** Read side of the catalog; the only thing createPurchase needs of products. */
export interface Catalog {
  getProduct(purchaseToken: string): Promise<Product | undefined>;
}

export type StockChange = { readonly set: number } | { readonly delta: number };

/** The merchant's side of the catalog (the operator CLI). */
export interface CatalogAdmin extends Catalog {
  /**
   * Creates the product (on sale, with `onHand` units), or updates its details. Stock is only
   * set for a new product, or when `setStock` says so: live stock is never clobbered by a price
   * update, and a reservation is never overwritten.
   */
  upsert(entry: CatalogEntry, options: { setStock: boolean }): Promise<'created' | 'updated'>;
  /**
   * Creates or replaces a bundle (on sale when new). Refused where the token is a product with
   * stock of its own, as `upsert` is refused where it is a bundle: one token, one kind.
   */
  upsertBundle(bundle: Bundle): Promise<'created' | 'updated'>;
  listProducts(page?: string): Promise<{ products: Product[]; nextPage?: string | undefined }>;
  /**
   * Sets or moves `onHand` atomically. Never below what open orders hold (a set) or below zero
   * available (a move): the product is returned as written, or RefusedError says why not.
   */
  adjustStock(purchaseToken: string, change: StockChange): Promise<Product>;
  /** Puts a product on sale, or takes it off (createPurchase then answers "not for sale"). */
  setActive(purchaseToken: string, active: boolean): Promise<Product>;
  /**
   * Spreads the product's stock over `shards` items (1 to MAX_STOCK_SHARDS; 1 undoes it), the
   * units on hand unchanged. Refused while a shard that would go still holds a reservation.
   */
  setStockShards(purchaseToken: string, shards: number): Promise<Product>;
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

/**
 * Where orders live. The domain plans every change (order-plan.ts); the store only applies it,
 * as one conditional write, or one transaction with its stock effects.
 */
/** What createPurchase reads before anything else: the product, and the request a retry repeats. */
export interface PurchaseLookup {
  readonly product?: Product | undefined;
  readonly request?: RequestRecord | undefined;
  /**
   * Units available on each stock shard (index = shard), when the lookup was told how many shards
   * to read and the product still has that many. An eventually consistent read: a hint for which
   * shards to try, never the guard (the reservation's condition is).
   */
  readonly shardsAvailable?: readonly number[] | undefined;
}

export interface OrderStore {
  /**
   * One round trip: the product behind the token and the request record under `requestKey`, and,
   * given `stockShards` > 1, the product's shard items 1…stockShards−1 with them.
   */
  lookup(purchaseToken: string, requestKey: string, stockShards?: number): Promise<PurchaseLookup>;
  get(orderId: string): Promise<Order | undefined>;
  /**
   * Writes `change` if the stored order is still as `change.expected` says, together with its
   * effects, all or nothing. Throws OrderStateConflictError when another writer got there first,
   * SoldOutError when a reservation finds too few units, ProductNotForSaleError when it finds the
   * product off sale or gone, RequestInProgressError when another live request holds the request
   * record, OpenOrderLimitError when a shopper's counter is at its cap. Nothing is written when it
   * throws. Completing or releasing a request record that is no longer this order's, and lowering
   * a counter that is gone, are skipped: they never stop the order's own change.
   */
  apply(change: OrderChange): Promise<void>;
  /** Open orders in one status created before a time, oldest first, a page at a time. */
  listByStatus(status: OrderStatus, createdBefore: string, page?: string): Promise<OpenOrdersPage>;
  /** Newest first, through the status index (one query per status), never a table scan. */
  findOrders(query: OrderQuery): Promise<Order[]>;
  /**
   * The orders any of `keys` finds (order-lookups.ts), newest entry first, at most `limit`, read
   * consistently; through the lookup index, never a scan. With `before`, only entries older.
   */
  findByLookup(keys: readonly string[], options: LookupQuery): Promise<Order[]>;
  /** How many orders `key` finds with an entry older than `before` (a metric: no orders read). */
  countByLookup(key: string, before: string): Promise<number>;
}

export interface LookupQuery {
  readonly limit: number;
  readonly before?: string | undefined;
}

export interface InvoiceRow {
  readonly description: string;
  readonly sku: string;
  readonly ean?: string | undefined;
  readonly quantity: number;
  readonly unitPriceMinor: number;
  /** Taken off this row's unit price × quantity (Glase's `itemDiscount`). */
  readonly discountMinor?: number | undefined;
  /** unitPriceMinor × quantity − discountMinor. */
  readonly totalMinor: number;
  readonly taxRatePercent: number;
}

export interface Invoice {
  readonly orderId: string;
  readonly issuedAt: Date;
  readonly title: string;
  readonly cashierId: string;
  readonly footer: string;
  readonly currency: string;
  readonly rows: readonly InvoiceRow[];
  readonly totalMinor: number;
  readonly notificationUrl: string;
}

/** Glase's invoiceStatus enum as its WSDL defines it (the v2.6 documents' PARTIALLY_PAID is not in it). */
export const INVOICE_STATUSES = [
  'ISSUED',
  'PAID',
  'PENDING_ISSUER_ACKNOWLEDGE',
  'CANCELED',
  'FAILED',
  'RESERVED',
] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export interface PaymentStatus {
  readonly status: InvoiceStatus;
  readonly version: number;
  readonly ersReference?: string | undefined;
  readonly paymentReference?: string | undefined;
  readonly paidAt?: string | undefined;
}

export interface StatusQuery {
  readonly orderId: string;
  readonly invoiceReference: string;
  /** 0 on the first call, then the last version Glase reported. */
  readonly invoiceVersion: number;
}

/**
 * How long a call that is safe to repeat may keep trying while Glase is unavailable. After a
 * notification the deadline is what is left of Glase's 20 seconds.
 */
export interface CallBudget {
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

export interface RefundRequest {
  readonly orderId: string;
  readonly refundId: string;
  readonly paymentErsReference: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly title: string;
  readonly cashierId: string;
}

export type OrderEventType = 'OrderPaid' | 'OrderCanceled' | 'OrderRefunded';

export interface OrderEvent {
  readonly type: OrderEventType;
  readonly order: Order;
}

/** Where fulfilment and confirmation e-mails hook in: EventBridge when deployed, a log locally. */
export interface EventPublisher {
  publish(event: OrderEvent): Promise<void>;
}

/** One e-mail to a shopper (order-mail.ts), rendered both as plain text and as HTML. */
export interface Mail {
  /** What the mail is about, e.g. `<orderId>#paid`: one mail per key. */
  readonly key: string;
  readonly from: string;
  readonly to: { readonly name: string; readonly address: string };
  readonly subject: string;
  readonly text: string;
  readonly html: string;
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
}

/** What the shop prints on every invoice; configured per deployment. */
export interface ShopSettings {
  readonly title: string;
  readonly cashierId: string;
  readonly footer: string;
}

export interface Clock {
  now(): Date;
}
