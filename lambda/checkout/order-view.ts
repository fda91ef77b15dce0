import { formatMinor } from './money.js';
import { type Order, refundedMinor } from './order.js';
import { customerFields } from './purchase-request.js';

const amount = (minor: number, currency: string) => ({ value: formatMinor(minor), currency });

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
    refunded: amount(refundedMinor(order), order.currency),
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
