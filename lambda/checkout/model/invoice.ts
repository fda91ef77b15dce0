/** What the shop prints on every invoice; configured per deployment. */
export interface ShopSettings {
  readonly title: string;
  readonly cashierId: string;
  readonly footer: string;
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
  /** At most this many attempts (a call that may be repeated); the adapter's own limit otherwise. */
  readonly maxAttempts?: number | undefined;
  /** sendInvoice: wait this long for its one answer rather than the adapter's usual timeout. */
  readonly patienceMs?: number | undefined;
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
