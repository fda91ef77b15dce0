/**
 * The three tables as every room relies on them: keys, indexes, the prefixes that share a table,
 * the TTL attribute. `local/` creates DynamoDB Local's tables from `TABLES`, `infra/` declares the
 * same in CDK, and `lambda/store/` reads and writes through these names.
 */
export const PRODUCTS_KEY = 'purchaseToken';
export const ORDERS_KEY = 'orderId';
export const IDEMPOTENCY_KEY = 'id';

/**
 * A product's stock shard k > 0 is an item of its own in the products table, keyed
 * `<purchaseToken>#<k>` ('#' is never in a purchase token) and naming its product in `shardOf`;
 * shard 0 is the product item itself.
 */
export const SHARD_OF = 'shardOf';
export function stockItemKey(purchaseToken: string, shard: number | undefined): string {
  return shard ? `${purchaseToken}#${shard}` : purchaseToken;
}

/** Orders by status, oldest first: the reconciler finds open orders here without a scan. */
export const ORDERS_BY_STATUS = { index: 'byStatus', partition: 'status', sort: 'createdAt' } as const;
/**
 * What finds an order besides its id: one small item per key and order in the orders table,
 * keyed `lookup#<key>#<orderId>`, found through one sparse index. One index for every kind of
 * key, so a new kind never needs a second one (CloudFormation adds one index per update).
 */
export const ORDERS_BY_LOOKUP = {
  index: 'byLookup',
  partition: 'lookupKey',
  sort: 'lookupAt',
  /** The order the item finds, projected into the index. */
  refersTo: 'refersTo',
} as const;

/**
 * What shares a table with its main items, by key prefix. Orders: lookup items. Idempotency: the
 * request records a retry finds, the shoppers' unpaid-order counters, the sent-mail log, the
 * webhook delivery log. The
 * functions' IAM policies grant some of them alone (`dynamodb:LeadingKeys`).
 */
export const KEY_PREFIX = {
  lookup: 'lookup#',
  request: 'purchase#',
  shopperCounter: 'hold#',
  mail: 'mail#',
  webhook: 'webhook#',
} as const;

/**
 * The webhook delivery log, newest first: a sparse index of the idempotency table over the items
 * that carry `kind` (only deliveries do), so `webhooks deliveries` and the local retry sweep read
 * the log without a scan.
 */
export const IDEMPOTENCY_BY_KIND = { index: 'byKind', partition: 'kind', sort: 'at' } as const;

/** Epoch seconds after which DynamoDB deletes an idempotency item (every kind has one). */
export const EXPIRES_AT = 'expiration';

export interface TableNames {
  readonly products: string;
  readonly orders: string;
  readonly idempotency: string;
}

interface IndexShape {
  readonly name: string;
  readonly partition: string;
  readonly sort: string;
  /** 'all', or the attributes projected besides the keys. */
  readonly projection: 'all' | readonly string[];
}

export interface TableShape {
  readonly key: string;
  readonly indexes: readonly IndexShape[];
  readonly expiresAt?: string | undefined;
}

/** Every table's shape, stated once: DynamoDB Local's and the deployed stack's tables are built from it. */
export const TABLES: Readonly<Record<keyof TableNames, TableShape>> = {
  products: { key: PRODUCTS_KEY, indexes: [] },
  orders: {
    key: ORDERS_KEY,
    indexes: [
      {
        name: ORDERS_BY_STATUS.index,
        partition: ORDERS_BY_STATUS.partition,
        sort: ORDERS_BY_STATUS.sort,
        projection: 'all',
      },
      {
        name: ORDERS_BY_LOOKUP.index,
        partition: ORDERS_BY_LOOKUP.partition,
        sort: ORDERS_BY_LOOKUP.sort,
        projection: [ORDERS_BY_LOOKUP.refersTo],
      },
    ],
  },
  idempotency: {
    key: IDEMPOTENCY_KEY,
    indexes: [
      {
        name: IDEMPOTENCY_BY_KIND.index,
        partition: IDEMPOTENCY_BY_KIND.partition,
        sort: IDEMPOTENCY_BY_KIND.sort,
        projection: 'all',
      },
    ],
    expiresAt: EXPIRES_AT,
  },
};
