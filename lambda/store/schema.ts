/**
 * The tables' keys and indexes as the adapters rely on them. `local/` creates tables from
 * this; `infra/` declares the same shape in CDK (and a test checks they agree).
 */
export const PRODUCTS_KEY = 'purchaseToken';
/**
 * A product's stock shard k > 0 is an item of its own in the products table, keyed
 * `<purchaseToken>#<k>` ('#' is never in a purchase token) and naming its product in
 * `shardOf`; shard 0 is the product item itself.
 */
export const SHARD_OF = 'shardOf';
export function stockItemKey(purchaseToken: string, shard: number | undefined): string {
  return shard ? `${purchaseToken}#${shard}` : purchaseToken;
}
export const ORDERS_KEY = 'orderId';
export const IDEMPOTENCY_KEY = 'id';
/**
 * The idempotency table holds request records (`purchase#<key>`), shoppers' unpaid-order
 * counters (`hold#<token>|<shopper>`) and the shopper mails sent (`mail#<orderId>#<kind>`); all
 * expire by TTL on this attribute (epoch seconds).
 */
export const REQUESTS_TTL = 'expiration';
/** The key prefix of a sent mail's record; the mail function may write no other item. */
export const MAIL_ITEM_PREFIX = 'mail#';
/** Orders by status, oldest first: the reconciler finds open orders here without a scan. */
export const ORDERS_BY_STATUS_INDEX = 'byStatus';
export const ORDERS_BY_STATUS_PARTITION = 'status';
export const ORDERS_BY_STATUS_SORT = 'createdAt';
/**
 * What finds an order besides its id (lambda/checkout/order-lookups.ts): one small item per key
 * and order in the orders table, keyed `lookup#<key>#<orderId>`, found through one sparse index.
 * One index for every kind of key, so adding a kind never needs a second index (CloudFormation
 * adds one index per update).
 */
export const LOOKUP_ITEM_PREFIX = 'lookup#';
export const ORDERS_BY_LOOKUP_INDEX = 'byLookup';
export const ORDERS_BY_LOOKUP_PARTITION = 'lookupKey';
export const ORDERS_BY_LOOKUP_SORT = 'lookupAt';
/** The order a lookup item finds (projected into the index). */
export const LOOKUP_ORDER_ID = 'refersTo';

export interface TableNames {
  readonly products: string;
  readonly orders: string;
  readonly idempotency: string;
}
