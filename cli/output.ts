import { formatMinor } from '../lambda/checkout/model/money.js';
import { type Order, refundTotal } from '../lambda/checkout/model/order.js';
import type { Product } from '../lambda/checkout/model/product.js';
import { orderView } from '../lambda/checkout/views/order-view.js';

const amount = (minor: number, currency: string) => ({ value: formatMinor(minor), currency });

/** A time as the CLI prints it: UTC, to the second, its zone always written (Z). */
export function stamp(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : `${new Date(time).toISOString().slice(0, 19)}Z`;
}

/** The tax rates a product's price carries: a bundle's parts may carry several. */
function taxRates(product: Product): string {
  const rates = product.components
    ? [...new Set(product.components.map((part) => part.taxRatePercent))].sort((a, b) => a - b)
    : [product.taxRatePercent];
  return rates.map((rate) => `${rate}%`).join('/');
}

/** `--json` for orders: the one public order shape, shared with order events. */
export const orderJson = orderView;

export function productJson(product: Product) {
  return {
    purchaseToken: product.purchaseToken,
    sku: product.sku,
    description: product.description,
    price: amount(product.unitPriceMinor, product.currency),
    taxRatePercent: product.taxRatePercent,
    active: product.active,
    onHand: product.onHand,
    reserved: product.reserved,
    available: product.available,
    sold: product.sold,
    stockShards: product.stockShards,
    ean: product.ean ?? null,
    /** A bundle's components as it sells them (its `available`: how many bundles they allow); null for a product. */
    components:
      product.components?.map((part) => ({
        purchaseToken: part.purchaseToken,
        sku: part.sku,
        description: part.description,
        quantity: part.quantity,
        price: amount(part.unitPriceMinor, product.currency),
        taxRatePercent: part.taxRatePercent,
        ean: part.ean ?? null,
      })) ?? null,
  };
}

/** A bundle's components, one row each; empty for a product. */
export function componentTable(product: Product): string {
  if (!product.components) return '';
  return table(
    ['COMPONENT', 'QTY', 'SKU', 'PRICE', 'TAX', 'DESCRIPTION'],
    product.components.map((part) => [
      part.purchaseToken,
      part.quantity,
      part.sku,
      `${formatMinor(part.unitPriceMinor)} ${product.currency}`,
      `${part.taxRatePercent}%`,
      part.description,
    ]),
  );
}

export function stockLine(product: Product): string {
  const shards = product.stockShards > 1 ? ` (spread over ${product.stockShards} stock shards)` : '';
  return `${product.purchaseToken}: ${product.onHand} on hand, ${product.reserved} reserved, ${product.available} available, ${product.sold} sold${shards}`;
}

/** A plain-text table, columns padded to their widest cell. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, column) => (cell ?? '').padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function orderTable(orders: readonly Order[]): string {
  if (orders.length === 0) return 'no orders';
  return table(
    ['ORDER', 'STATUS', 'CREATED', 'TOKEN', 'TOTAL', 'INVOICE', 'CUSTOMER'],
    orders.map((order) => [
      order.orderId,
      order.status,
      stamp(order.createdAt),
      order.purchaseToken,
      `${formatMinor(order.totalMinor)} ${order.currency}`,
      order.invoiceReference ?? '-',
      order.customer.clientName,
    ]),
  );
}

export function orderDetails(order: Order): string {
  const money = (minor: number) => `${formatMinor(minor)} ${order.currency}`;
  const { customer } = order;
  const lines = [
    `order      ${order.orderId}`,
    `status     ${order.status}`,
    `product    ${order.purchaseToken} (${order.product.sku}) ${order.product.description}`,
    `total      ${money(order.totalMinor)}${order.lines ? '' : ` (tax ${order.product.taxRatePercent}%)`}`,
    // A bundle: each component as invoiced.
    ...(order.lines ?? []).map(
      (line) =>
        `  ${line.quantity} × ${line.purchaseToken} (${line.sku}) ${line.description}  ${money(line.totalMinor)}` +
        `${line.discountMinor ? ` after ${money(line.discountMinor)} off` : ''} (tax ${line.taxRatePercent}%)`,
    ),
    `refunded   ${refundLine(order)}`,
    `invoice    ${order.invoiceReference ?? '-'}`,
    `payment    ${order.ersReference ?? '-'}${order.paymentReference ? ` (payment reference ${order.paymentReference}, as the shopper's mail says)` : ''}${order.paidAt ? ` paid ${stamp(order.paidAt)}` : ''}`,
    order.forgottenAt
      ? `customer   personal data erased ${stamp(order.forgottenAt)}`
      : `customer   ${customer.clientName} <${customer.email}>${customer.msisdn ? ` ${customer.msisdn}` : ''}`,
    `address    ${[customer.street, `${customer.zip} ${customer.city}`.trim(), customer.state, customer.country].filter(Boolean).join(', ')}`,
    'history',
    ...order.history.map(
      (change) => `  ${stamp(change.at)}  ${change.status}${change.reason ? `  (${change.reason})` : ''}`,
    ),
  ];
  const refunds = order.refunds ?? [];
  if (refunds.length > 0) {
    lines.push('refunds');
    for (const refund of refunds) {
      lines.push(
        `  ${refund.refundId}  ${refund.status}  ${money(refund.amountMinor)}  ${refund.ersReference ?? '-'}` +
          `${refund.restock ? '  restocked' : ''}${refund.failure ? `  (${refund.failure})` : ''}`,
      );
    }
  }
  return lines.join('\n');
}

/** Confirmed and pending refunds apart: a pending one may or may not have gone through. */
export function refundLine(order: Order): string {
  const money = (minor: number) => `${formatMinor(minor)} ${order.currency}`;
  const confirmed = `${money(refundTotal(order, 'SUCCEEDED'))} confirmed`;
  const pending = refundTotal(order, 'PENDING');
  return pending > 0
    ? `${confirmed}, ${money(pending)} PENDING (${order.pendingRefundId}: ask Glase, then \`orders settle-refund ${order.orderId}\`)`
    : confirmed;
}

/** Orders whose refund waits for Glase's answer, oldest first, each with the commands that settle it. */
export function pendingRefundTable(orders: readonly Order[]): string {
  if (orders.length === 0) return 'no pending refunds';
  const pending = orders.flatMap((order) => {
    const refund = order.refunds?.find((each) => each.refundId === order.pendingRefundId);
    return refund ? [{ order, refund }] : [];
  });
  return [
    table(
      ['ORDER', 'REFUND', 'AMOUNT', 'ASKED', 'PAYMENT'],
      pending.map(({ order, refund }) => [
        order.orderId,
        refund.refundId,
        `${formatMinor(refund.amountMinor)} ${order.currency}`,
        stamp(refund.requestedAt),
        order.ersReference ?? '-',
      ]),
    ),
    '',
    'each refund is PENDING: ask Glase whether it went through, then record the answer:',
    ...pending.map(
      ({ order, refund }) =>
        `  ${refund.refundId}: orders settle-refund ${order.orderId} --succeeded <Glase reference> | --failed <reason>`,
    ),
  ].join('\n');
}

export function productTable(products: readonly Product[]): string {
  if (products.length === 0) return 'no products';
  return table(
    ['TOKEN', 'SKU', 'PRICE', 'TAX', 'ON HAND', 'RESERVED', 'AVAILABLE', 'SOLD', 'SALE', 'DESCRIPTION'],
    products.map((product) => [
      product.purchaseToken,
      product.sku,
      `${formatMinor(product.unitPriceMinor)} ${product.currency}`,
      taxRates(product),
      // A bundle's stock is its components': it shows how many bundles they allow.
      product.components ? '-' : product.onHand,
      product.components ? '-' : product.reserved,
      product.available,
      product.components ? '-' : product.sold,
      product.active ? 'on' : 'OFF',
      product.components
        ? `${product.description} (bundle: ${product.components.map((part) => `${part.quantity} × ${part.purchaseToken}`).join(', ')})`
        : product.description,
    ]),
  );
}
