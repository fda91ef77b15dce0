import type { Order, OrderStatus, Refund } from './order.js';
import type { Product } from './product.js';

/** Read side of the catalog; the only thing createPurchase needs of products. */
export interface Catalog {
  getProduct(purchaseToken: string): Promise<Product | undefined>;
}

export type ProductDetails = Omit<Product, 'sold'>;

/** The merchant's side of the catalog (the operator CLI). */
export interface CatalogAdmin extends Catalog {
  /**
   * Creates the product, or updates its price and description. Stock is only set for a new
   * product, or when `setStock` says so: live stock is never clobbered by a price update.
   */
  upsert(product: ProductDetails, options: { setStock: boolean }): Promise<'created' | 'updated'>;
  listProducts(page?: string): Promise<{ products: Product[]; nextPage?: string | undefined }>;
  /** Sets or shifts `available` atomically; never below zero. Returns the new level. */
  adjustStock(purchaseToken: string, change: { set: number } | { delta: number }): Promise<number>;
}

export interface OrderQuery {
  readonly status?: OrderStatus | undefined;
  /** ISO time: only orders created at or after it. */
  readonly since?: string | undefined;
  readonly limit: number;
}

export interface OrderChanges {
  readonly reason?: string;
  readonly invoiceReference?: string;
  readonly invoiceVersion?: number;
  readonly ersReference?: string;
  readonly paymentReference?: string;
  readonly paidAt?: string;
  readonly failureReason?: string;
}

export interface OpenOrdersPage {
  readonly orders: readonly Order[];
  readonly nextPage?: string | undefined;
}

export interface OrderStore {
  /**
   * Records a new RESERVED order and takes one unit of its product's stock, atomically.
   * Throws SoldOutError when no unit is left; then nothing is written.
   */
  reserve(order: Order): Promise<void>;
  get(orderId: string): Promise<Order | undefined>;
  /**
   * Moves `order` to `to` if the state machine allows it and the stored order is still in
   * `order.status` (compare-and-set), applying the move's stock effect (release or sell) in
   * the same transaction. Returns the order as written. Throws OrderStateConflictError when
   * the move is not allowed or another writer got there first.
   */
  transition(order: Order, to: OrderStatus, changes?: OrderChanges): Promise<Order>;
  /**
   * Records a refund as PENDING before Glase is asked, if the order is still in
   * `order.status` with no other refund pending. Throws OrderStateConflictError otherwise.
   */
  beginRefund(order: Order, refund: Refund): Promise<Order>;
  /**
   * Settles the pending refund: SUCCEEDED moves the order to `to` (and back into stock when
   * the refund says so), FAILED only clears the pending mark.
   */
  finishRefund(order: Order, refund: Refund, to?: OrderStatus): Promise<Order>;
  /** Records a newer invoice version without changing the status. */
  recordInvoiceVersion(orderId: string, invoiceVersion: number): Promise<void>;
  /** Open orders in one status created before a time, oldest first, a page at a time. */
  listByStatus(status: OrderStatus, createdBefore: string, page?: string): Promise<OpenOrdersPage>;
  /** Newest first, through the status index (one query per status), never a table scan. */
  findOrders(query: OrderQuery): Promise<Order[]>;
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

export type OrderEventType = 'OrderPaid' | 'OrderCanceled';

export interface OrderEvent {
  readonly type: OrderEventType;
  readonly order: Order;
}

/** Where fulfilment and confirmation e-mails hook in: EventBridge when deployed, a log locally. */
export interface EventPublisher {
  publish(event: OrderEvent): Promise<void>;
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
