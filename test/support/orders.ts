import type { Order } from '../../lambda/checkout/model/order.js';

export const CUSTOMER = {
  clientName: 'Ann',
  email: 'ann@example.com',
  msisdn: '',
  street: 'Storgatan 1',
  zip: '11122',
  city: 'Stockholm',
  state: '',
  country: 'Sweden',
};

/** An INVOICED order of two 10.00 SEK mugs, as stored; tests override what they look at. */
export function anOrder(overrides: Partial<Order> = {}): Order {
  return {
    orderId: 'O1',
    status: 'INVOICED',
    purchaseToken: 'MUG',
    product: { sku: 'S', description: 'Mug', unitPriceMinor: 1000, currency: 'SEK', taxRatePercent: 25 },
    quantity: 2,
    totalMinor: 2000,
    currency: 'SEK',
    customer: CUSTOMER,
    createdAt: '2026-11-27T10:00:00.000Z',
    updatedAt: '2026-11-27T10:01:00.000Z',
    history: [{ status: 'RESERVED', at: '2026-11-27T10:00:00.000Z' }],
    stock: [{ purchaseToken: 'MUG', quantity: 2 }],
    version: 2,
    ...overrides,
  };
}
