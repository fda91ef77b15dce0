import { formatMinor } from '../model/money.js';
import { linesOf, type Order, refundedMinor, refundTotal } from '../model/order.js';
import { customerFields } from '../model/purchase-request.js';

const amount = (minor: number, currency: string) => ({ value: formatMinor(minor), currency });

export type OrderView = ReturnType<typeof orderView>;

/**
 * The one public shape of an order: `--json` output of the operator CLI and the detail of
 * OrderPaid / OrderCanceled events (README: "--json output"). Field names only ever get
 * added, never renamed or removed; amounts are `#.##` strings.
 */
export function orderView(order: Order) {
  return {
    orderId: order.orderId,
    status: order.status,
    purchaseToken: order.purchaseToken,
    sku: order.product.sku,
    description: order.product.description,
    quantity: order.quantity,
    invoiceReference: order.invoiceReference ?? null,
    ersReference: order.ersReference ?? null,
    paymentReference: order.paymentReference ?? null,
    total: amount(order.totalMinor, order.currency),
    /** What was sold row by row: a bundle's components, or the one product. */
    lines: linesOf(order).map((line) => ({
      purchaseToken: line.purchaseToken,
      sku: line.sku,
      description: line.description,
      ean: line.ean ?? null,
      quantity: line.quantity,
      unitPrice: amount(line.unitPriceMinor, order.currency),
      discount: line.discountMinor ? amount(line.discountMinor, order.currency) : null,
      total: amount(line.totalMinor, order.currency),
      taxRatePercent: line.taxRatePercent,
    })),
    /** Confirmed and pending together: what can no longer be refunded. */
    refunded: amount(refundedMinor(order), order.currency),
    refundConfirmed: amount(refundTotal(order, 'SUCCEEDED'), order.currency),
    /** Asked of Glase, outcome unknown: `orders settle-refund` records it. */
    refundPending: amount(refundTotal(order, 'PENDING'), order.currency),
    customer: customerFields(order.customer),
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    paidAt: order.paidAt ?? null,
    refunds: (order.refunds ?? []).map((refund) => ({
      refundId: refund.refundId,
      status: refund.status,
      amount: amount(refund.amountMinor, order.currency),
      ersReference: refund.ersReference ?? null,
      restock: refund.restock,
      requestedAt: refund.requestedAt,
      completedAt: refund.completedAt ?? null,
      failure: refund.failure ?? null,
    })),
    history: order.history,
  };
}

/**
 * The order as an event tells it (the bus, the outbox, a webhook): the public shape, its
 * `customer` null unless the merchant's settings ask for it (EVENTS_INCLUDE_CUSTOMER): whoever
 * reads the bus or runs a webhook's endpoint learns no shopper's name, address, e-mail or phone
 * by default.
 */
export function orderEventView(order: Order, includeCustomer = false) {
  const view = orderView(order);
  return includeCustomer ? view : { ...view, customer: null };
}
