import { formatMinor } from '../checkout/money.js';
import type { OrderEvent } from '../checkout/ports.js';
import { customerFields } from '../checkout/purchase-request.js';

export const EVENT_SOURCE = 'glase-checkout';

/**
 * The event body a merchant's fulfilment or e-mail code receives. Stable field names;
 * amounts as `#.##` strings like everywhere else on the wire.
 */
export function eventDetail(event: OrderEvent) {
  const { order } = event;
  return {
    orderId: order.orderId,
    status: order.status,
    purchaseToken: order.purchaseToken,
    sku: order.product.sku,
    description: order.product.description,
    quantity: order.quantity,
    total: { value: formatMinor(order.totalMinor), currency: order.currency },
    invoiceReference: order.invoiceReference,
    ersReference: order.ersReference,
    paidAt: order.paidAt,
    customer: customerFields(order.customer),
    at: order.updatedAt,
  };
}
