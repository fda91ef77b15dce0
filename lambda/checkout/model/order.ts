import type { OrderEventType } from '../../../contract/events.js';
import type { OrderLine } from './bundle.js';
import type { Product } from './product.js';
import type { Customer } from './purchase-request.js';
import type { StockHold } from './stock.js';

export const ORDER_STATUSES = [
  'RESERVED',
  'INVOICED',
  'PAID',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
  'FAILED',
  'CANCELED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Every allowed move of the order state machine (order-plan.ts refuses any other). */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  RESERVED: ['INVOICED', 'FAILED'],
  INVOICED: ['PAID', 'CANCELED'],
  PAID: ['PARTIALLY_REFUNDED', 'REFUNDED'],
  PARTIALLY_REFUNDED: ['PARTIALLY_REFUNDED', 'REFUNDED'],
  REFUNDED: [],
  FAILED: [],
  CANCELED: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Orders in these states hold their units reserved. */
export const OPEN_STATUSES: readonly OrderStatus[] = ['RESERVED', 'INVOICED'];

/** What the order keeps of its product as sold: later catalog edits do not change it. */
export type ProductSnapshot = Pick<
  Product,
  'sku' | 'description' | 'unitPriceMinor' | 'currency' | 'taxRatePercent' | 'ean'
>;

export interface StatusChange {
  readonly status: OrderStatus;
  readonly at: string;
  readonly reason?: string | undefined;
}

export interface Order {
  readonly orderId: string;
  readonly status: OrderStatus;
  /** Grows by one with every write (the first is 1): each change is a compare-and-set on it. */
  readonly version?: number | undefined;
  readonly purchaseToken: string;
  readonly product: ProductSnapshot;
  readonly quantity: number;
  /** A bundle's rows as sold, one per component (`linesOf`); absent for a single product. */
  readonly lines?: readonly OrderLine[] | undefined;
  readonly totalMinor: number;
  readonly currency: string;
  readonly customer: Customer;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly history: readonly StatusChange[];
  /** The stock this order reserved: one hold per product (a bundle's: one per component). */
  readonly stock: readonly StockHold[];
  /** The request record a retry of this purchase finds (purchase-requests.ts). */
  readonly requestKey?: string | undefined;
  /** The shopper's unpaid-order counters this order counts in, one per identity (e-mail, phone). */
  readonly shopperCounters?: readonly string[] | undefined;
  readonly invoiceReference?: string | undefined;
  /** The last invoice version Glase reported; getPaymentStatus sends it back. */
  readonly invoiceVersion?: number | undefined;
  readonly ersReference?: string | undefined;
  readonly paymentReference?: string | undefined;
  readonly paidAt?: string | undefined;
  readonly failureReason?: string | undefined;
  /** Every refund asked for, including ones still waiting for Glase's answer. */
  readonly refunds?: readonly Refund[] | undefined;
  /** Set while a refund's outcome is unknown; no other refund may start meanwhile. */
  readonly pendingRefundId?: string | undefined;
  /** Whether a refund already put the unit back in stock. */
  readonly restocked?: boolean | undefined;
  /**
   * Events committed with the order but not published yet (an outbox): written by a function
   * that carries no event client (createPurchase), published by the next reconciler run.
   */
  readonly unpublished?: readonly OrderEventType[] | undefined;
  /**
   * When the shopper's name, address, e-mail and phone were erased (an erasure request, or the
   * retention period ran out): what the books need stays (amounts, VAT, dates, references, city
   * and country), nothing that names the person.
   */
  readonly forgottenAt?: string | undefined;
}

/** An order that can no longer change its money: what erasure and retention may touch. */
export const CLOSED_STATUSES = [
  'PAID',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
  'FAILED',
  'CANCELED',
] as const satisfies readonly OrderStatus[];

export type RefundStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

export interface Refund {
  readonly refundId: string;
  readonly amountMinor: number;
  readonly status: RefundStatus;
  readonly requestedAt: string;
  readonly restock: boolean;
  /** Glase's reference of the refund transaction itself. */
  readonly ersReference?: string | undefined;
  readonly completedAt?: string | undefined;
  readonly failure?: string | undefined;
}

/** Money refunded, or possibly refunded (pending), so far: what is no longer refundable. */
export function refundedMinor(order: Pick<Order, 'refunds'>): number {
  return refundTotal(order, 'SUCCEEDED') + refundTotal(order, 'PENDING');
}

/** The sum of the order's refunds in one state: SUCCEEDED is confirmed by Glase, PENDING is not yet. */
export function refundTotal(order: Pick<Order, 'refunds'>, status: RefundStatus): number {
  return (order.refunds ?? [])
    .filter((refund) => refund.status === status)
    .reduce((sum, refund) => sum + refund.amountMinor, 0);
}

/** What the order sold, row by row: its bundle's rows, or its one product. Invoice and mail print these. */
export function linesOf(
  order: Pick<Order, 'lines' | 'purchaseToken' | 'product' | 'quantity' | 'totalMinor'>,
): readonly OrderLine[] {
  if (order.lines) return order.lines;
  const { product } = order;
  return [
    {
      purchaseToken: order.purchaseToken,
      sku: product.sku,
      description: product.description,
      ...(product.ean ? { ean: product.ean } : {}),
      quantity: order.quantity,
      unitPriceMinor: product.unitPriceMinor,
      totalMinor: order.totalMinor,
      taxRatePercent: product.taxRatePercent,
    },
  ];
}

/**
 * The refund an OrderRefunded event is about: the one Glase confirmed last. The mail and the
 * webhook both name it, on the order or on its public view alike.
 */
export function refundAnnounced<
  R extends { readonly status: string; readonly completedAt?: string | null | undefined },
>(refunds: readonly R[] | undefined): R | undefined {
  return (refunds ?? [])
    .filter((refund) => refund.status === 'SUCCEEDED')
    .sort((a, b) => (a.completedAt ?? '').localeCompare(b.completedAt ?? ''))
    .at(-1);
}
