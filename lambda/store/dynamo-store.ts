import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  EXPIRES_AT,
  IDEMPOTENCY_KEY,
  KEY_PREFIX,
  ORDERS_BY_LOOKUP,
  ORDERS_BY_STATUS,
  ORDERS_KEY,
  PRODUCTS_KEY,
  SHARD_OF,
  stockItemKey,
  type TableNames,
} from '../../contract/tables.js';
import type { ProductItems, StoredItem } from '../checkout/model/catalog-item.js';
import { ORDER_STATUSES, type Order, type OrderStatus } from '../checkout/model/order.js';
import type { RequestRecord } from '../checkout/model/request-record.js';
import type { Change, Rejection, Write } from '../checkout/plans/change.js';
import type {
  LookupQuery,
  OpenOrdersPage,
  OrderQuery,
  PurchaseRead,
  Store,
  WriteBudget,
} from '../checkout/ports.js';
import { batchGet } from './batch-get.js';
import { decodePage, encodePage } from './pages.js';
import { transactWrite } from './transactions.js';

const PAGE_SIZE = 100;

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Orders and the catalog in DynamoDB. Each planned write becomes one conditional Put, Update or
 * Delete — one alone, or all of a change's in one transaction — and a failed condition is reported
 * back with what the item held. It decides nothing: plans/change.ts reads the rejection.
 */
export class DynamoStore implements Store {
  constructor(
    private readonly document: DynamoDBDocumentClient,
    private readonly tables: TableNames,
  ) {}

  // ------------------------------------------------------------------ reads

  async readForPurchase(
    purchaseToken: string,
    requestKey: string,
    stockShards = 1,
    budget: WriteBudget = {},
  ): Promise<PurchaseRead> {
    const shardKeys = Array.from({ length: Math.max(0, stockShards - 1) }, (_, index) =>
      stockItemKey(purchaseToken, index + 1),
    );
    const requestId = `${KEY_PREFIX.request}${requestKey}`;
    const found = await batchGet(
      this.document,
      {
        [this.tables.products]: {
          Keys: [purchaseToken, ...shardKeys].map((key) => ({ [PRODUCTS_KEY]: key })),
        },
        // Consistent: a retry must see the claim a moment-old request made.
        [this.tables.idempotency]: { Keys: [{ [IDEMPOTENCY_KEY]: requestId }], ConsistentRead: true },
      },
      signalFor(budget.deadline),
    );
    const item = (key: string) => found.find((each) => each[PRODUCTS_KEY] === key);
    const request = found.find((each) => each[IDEMPOTENCY_KEY] === requestId);
    return {
      product: item(purchaseToken),
      ...(stockShards > 1 ? { shards: shardKeys.map(item) } : {}),
      request: request ? toRequest(request, requestKey) : undefined,
    };
  }

  async getOrder(orderId: string): Promise<Order | undefined> {
    // Lookup items share the table; they are never orders.
    if (orderId.startsWith(KEY_PREFIX.lookup)) return undefined;
    const { Item } = await this.document.send(
      new GetCommand({ TableName: this.tables.orders, Key: { [ORDERS_KEY]: orderId }, ConsistentRead: true }),
    );
    return Item as Order | undefined;
  }

  async getProductItems(purchaseToken: string): Promise<ProductItems | undefined> {
    const { Item } = await this.document.send(
      new GetCommand({
        TableName: this.tables.products,
        Key: { [PRODUCTS_KEY]: purchaseToken },
        ConsistentRead: true,
      }),
    );
    if (!Item || Item[SHARD_OF] !== undefined) return undefined;
    const count = Number.isSafeInteger(Item.stockShards) ? (Item.stockShards as number) : 1;
    if (count <= 1) return { product: Item, shards: [] };
    const keys = Array.from({ length: count - 1 }, (_, index) => stockItemKey(purchaseToken, index + 1));
    const shards = await batchGet(this.document, {
      [this.tables.products]: { Keys: keys.map((key) => ({ [PRODUCTS_KEY]: key })), ConsistentRead: true },
    });
    return { product: Item, shards: keys.map((key) => shards.find((item) => item[PRODUCTS_KEY] === key)) };
  }

  async listProductItems(page?: string): Promise<{ items: StoredItem[]; nextPage?: string | undefined }> {
    const { Items, LastEvaluatedKey } = await this.document.send(
      new ScanCommand({ TableName: this.tables.products, ExclusiveStartKey: decodePage(page) }),
    );
    return {
      items: (Items ?? []).filter((item) => item[SHARD_OF] === undefined),
      nextPage: encodePage(LastEvaluatedKey),
    };
  }

  async listByStatus(
    status: OrderStatus,
    createdBefore: string,
    page?: string,
    createdSince?: string,
  ): Promise<OpenOrdersPage> {
    const result = await this.queryStatus(
      status,
      { before: createdBefore, since: createdSince },
      { oldestFirst: true, page },
    );
    return { orders: result.orders, nextPage: encodePage(result.next) };
  }

  async findOrders(query: OrderQuery): Promise<Order[]> {
    const statuses = query.status ? [query.status] : ORDER_STATUSES;
    const perStatus = await Promise.all(
      statuses.map(async (status) => {
        const found: Order[] = [];
        let page: Record<string, unknown> | undefined;
        do {
          const result = await this.queryStatus(
            status,
            { since: query.since },
            { oldestFirst: false, limit: query.limit - found.length, start: page },
          );
          found.push(...result.orders);
          page = result.next;
        } while (page && found.length < query.limit);
        return found;
      }),
    );
    // Newest first across statuses.
    return perStatus
      .flat()
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, query.limit);
  }

  async findByLookup(keys: readonly string[], query: LookupQuery): Promise<Order[]> {
    const entries = (
      await Promise.all([...new Set(keys)].map((key) => this.queryLookup(key, query.before, query.limit)))
    ).flat();
    entries.sort((a, b) => b.at.localeCompare(a.at));
    const ids = [...new Set(entries.map((entry) => entry.orderId))].slice(0, query.limit);
    const orders = await this.getMany(ids);
    return ids.flatMap((id) => orders.get(id) ?? []);
  }

  async countByLookup(key: string, before: string): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const answer = await this.document.send(
        new QueryCommand({ ...this.lookupQuery(key, before), Select: 'COUNT', ExclusiveStartKey: start }),
      );
      count += answer.Count ?? 0;
      start = answer.LastEvaluatedKey;
    } while (start);
    return count;
  }

  // ------------------------------------------------------------------ writes

  async apply(change: Change, budget: WriteBudget = {}): Promise<Rejection | undefined> {
    const items = change.writes.map((write) => this.translate(write));
    if (items.length === 0) return undefined;
    const abortSignal = signalFor(budget.deadline);
    if (items.length > 1) {
      const failed = await transactWrite(this.document, { TransactItems: items }, abortSignal);
      if (!failed) return undefined;
      return {
        failed: failed.failed.flatMap((isFailed, index) => (isFailed ? [index] : [])),
        held: failed.items,
      };
    }
    const [only] = items as [TransactItem];
    try {
      const options = { abortSignal };
      if (only.Put) await this.document.send(new PutCommand(only.Put), options);
      else if (only.Update) await this.document.send(new UpdateCommand(only.Update as never), options);
      else if (only.Delete) await this.document.send(new DeleteCommand(only.Delete), options);
      return undefined;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { failed: [0], held: [error.Item ? unmarshall(error.Item) : undefined] };
    }
  }

  /** One planned write as one DynamoDB write item; a failed condition returns what the item held. */
  private translate(write: Write): TransactItem {
    const held = { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const };
    const products = this.tables.products;
    switch (write.kind) {
      case 'order':
        return this.orderItem(write);
      case 'stock': {
        const { delta } = write;
        const conditions = ['attribute_exists(#key)'];
        const values: Record<string, unknown> = {
          ':onHand': delta.onHand,
          ':reserved': delta.reserved,
          ':sold': delta.sold,
          ':available': delta.onHand - delta.reserved,
        };
        if (delta.requireAvailable !== undefined) {
          conditions.push('available >= :needed');
          values[':needed'] = delta.requireAvailable;
        }
        if (delta.requireActive) {
          conditions.push('active = :true');
          values[':true'] = true;
        }
        if (delta.heldAtMost !== undefined) {
          // The live count, against a cap the plan computed: a condition cannot multiply.
          conditions.push('reserved <= :heldBefore');
          values[':heldBefore'] = delta.heldAtMost - delta.reserved;
        }
        if (write.onHandWas !== undefined) {
          conditions.push('onHand = :onHandWas');
          values[':onHandWas'] = write.onHandWas;
        }
        if (write.reservedAtMost !== undefined) {
          conditions.push('reserved <= :reservedAtMost');
          values[':reservedAtMost'] = write.reservedAtMost;
        }
        return {
          Update: {
            TableName: products,
            Key: { [PRODUCTS_KEY]: stockItemKey(delta.purchaseToken, delta.shard) },
            // `available` beside onHand and reserved: a condition cannot subtract.
            UpdateExpression:
              'SET onHand = onHand + :onHand, available = available + :available, reserved = reserved + :reserved, sold = sold + :sold',
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: { '#key': PRODUCTS_KEY },
            ExpressionAttributeValues: values,
            ...held,
          },
        };
      }
      case 'stock-item': {
        const Key = { [PRODUCTS_KEY]: stockItemKey(write.purchaseToken, write.shard) };
        if (write.expected === 'absent') {
          const levels = write.levels ?? { onHand: 0, reserved: 0, sold: 0 };
          return {
            Put: {
              TableName: products,
              Item: {
                ...Key,
                [SHARD_OF]: write.purchaseToken,
                ...levels,
                available: levels.onHand - levels.reserved,
                active: write.active,
              },
              ConditionExpression: 'attribute_not_exists(#key)',
              ExpressionAttributeNames: { '#key': PRODUCTS_KEY },
            },
          };
        }
        const { expected } = write;
        const productItem = write.shardCount !== undefined;
        const guard = {
          ConditionExpression: `onHand = :wasOnHand AND reserved = :wasReserved AND sold = :wasSold${productItem ? ' AND active = :wasActive AND stockShards = :wasShards' : ''}`,
          values: {
            ':wasOnHand': expected.onHand,
            ':wasReserved': expected.reserved,
            ':wasSold': expected.sold,
            ...(productItem ? { ':wasActive': write.active, ':wasShards': write.shardCount?.was } : {}),
          },
        };
        if (!write.levels) {
          return {
            Delete: {
              TableName: products,
              Key,
              ConditionExpression: guard.ConditionExpression,
              ExpressionAttributeValues: guard.values,
            },
          };
        }
        const next: Record<string, unknown> = {
          ...write.levels,
          available: write.levels.onHand - write.levels.reserved,
          ...(productItem ? { stockShards: write.shardCount?.becomes } : {}),
        };
        return {
          Update: {
            TableName: products,
            Key,
            UpdateExpression: `SET ${Object.keys(next)
              .map((name) => `${name} = :${name}`)
              .join(', ')}`,
            ConditionExpression: guard.ConditionExpression,
            ExpressionAttributeValues: {
              ...guard.values,
              ...Object.fromEntries(Object.entries(next).map(([name, value]) => [`:${name}`, value])),
            },
          },
        };
      }
      case 'active':
        return {
          Update: {
            TableName: products,
            Key: { [PRODUCTS_KEY]: stockItemKey(write.purchaseToken, write.shard) },
            UpdateExpression: 'SET active = :active',
            ConditionExpression:
              write.shardCount === undefined
                ? 'attribute_exists(#key)'
                : 'attribute_exists(#key) AND stockShards = :shards',
            ExpressionAttributeNames: { '#key': PRODUCTS_KEY },
            ExpressionAttributeValues: {
              ':active': write.active,
              ...(write.shardCount === undefined ? {} : { ':shards': write.shardCount }),
            },
          },
        };
      case 'product': {
        // The catalog's own fields by name: an object carrying more never writes more.
        const { purchaseToken, sku, description, unitPriceMinor, currency, taxRatePercent, ean } =
          write.details;
        const fields = { sku, description, unitPriceMinor, currency, taxRatePercent, ean };
        const Key = { [PRODUCTS_KEY]: purchaseToken };
        if (write.create) {
          const { onHand } = write.create;
          return {
            Put: {
              TableName: products,
              Item: {
                ...Key,
                ...fields,
                onHand,
                reserved: 0,
                available: onHand,
                sold: 0,
                active: true,
                stockShards: 1,
              },
              ConditionExpression: 'attribute_not_exists(#key)',
              ExpressionAttributeNames: { '#key': PRODUCTS_KEY },
            },
          };
        }
        // A bundle's item has no counters to update: that token stays a bundle.
        return this.setFields(
          products,
          Key,
          fields,
          'attribute_exists(#key) AND attribute_not_exists(components)',
        );
      }
      case 'bundle': {
        const { purchaseToken, sku, description, unitPriceMinor, currency, taxRatePercent, components } =
          write.bundle;
        return this.setFields(
          products,
          { [PRODUCTS_KEY]: purchaseToken },
          { sku, description, unitPriceMinor, currency, taxRatePercent, components, ean: undefined },
          // New, or a bundle already: never a product whose counters orders hold.
          'attribute_not_exists(#key) OR attribute_exists(components)',
          // A new bundle is on sale, with no stock of its own: its components' stock sells it.
          'active = if_not_exists(active, :true), stockShards = :one, onHand = :zero, reserved = :zero, available = :zero, sold = :zero',
          { ':true': true, ':one': 1, ':zero': 0 },
        );
      }
      case 'request':
        return this.requestItem(write.effect);
      case 'counter': {
        const Key = { [IDEMPOTENCY_KEY]: `${KEY_PREFIX.shopperCounter}${write.key}` };
        if (write.delta < 0) {
          return {
            Update: {
              TableName: this.tables.idempotency,
              Key,
              UpdateExpression: 'SET openOrders = openOrders - :one',
              ConditionExpression: 'openOrders > :zero',
              ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
            },
          };
        }
        const capped = write.cap !== undefined;
        return {
          Update: {
            TableName: this.tables.idempotency,
            Key,
            UpdateExpression: `SET openOrders = if_not_exists(openOrders, :zero) + :one${write.expiresAt ? ', #expires = :expires' : ''}`,
            ...(capped
              ? { ConditionExpression: 'attribute_not_exists(openOrders) OR openOrders < :cap' }
              : {}),
            ...(write.expiresAt ? { ExpressionAttributeNames: { '#expires': EXPIRES_AT } } : {}),
            ExpressionAttributeValues: {
              ':one': 1,
              ':zero': 0,
              ...(capped ? { ':cap': write.cap } : {}),
              ...(write.expiresAt ? { ':expires': write.expiresAt } : {}),
            },
          },
        };
      }
      case 'lookup': {
        const key = { [ORDERS_KEY]: `${KEY_PREFIX.lookup}${write.entry.key}#${write.orderId}` };
        // Unconditional: a lookup item stands or falls with its order's change.
        if (!write.put) return { Delete: { TableName: this.tables.orders, Key: key } };
        return {
          Put: {
            TableName: this.tables.orders,
            Item: {
              ...key,
              [ORDERS_BY_LOOKUP.partition]: write.entry.key,
              [ORDERS_BY_LOOKUP.sort]: write.entry.at,
              [ORDERS_BY_LOOKUP.refersTo]: write.orderId,
            },
          },
        };
      }
    }
  }

  /**
   * An update that sets every given field (and removes the undefined ones) under `condition`,
   * with `more` assignments and their `moreValues` beside them.
   */
  private setFields(
    table: string,
    Key: Record<string, unknown>,
    fields: Record<string, unknown>,
    condition: string,
    more?: string,
    moreValues: Record<string, unknown> = {},
  ): TransactItem {
    const names: Record<string, string> = condition.includes('#key')
      ? { '#key': Object.keys(Key)[0] as string }
      : {};
    const values: Record<string, unknown> = { ...moreValues };
    const sets: string[] = more ? [more] : [];
    const removes: string[] = [];
    Object.entries(fields).forEach(([name, value], index) => {
      names[`#f${index}`] = name;
      if (value === undefined) removes.push(`#f${index}`);
      else {
        sets.push(`#f${index} = :f${index}`);
        values[`:f${index}`] = value;
      }
    });
    return {
      Update: {
        TableName: table,
        Key,
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
      },
    };
  }

  /**
   * The order as planned. A new one is put where none exists; any other change sets every
   * attribute of the planned order (and removes the ones it dropped) only if the stored one is
   * still what the plan read. An update can never create an order: the functions that settle
   * orders need no right to.
   */
  private orderItem(write: Extract<Write, { kind: 'order' }>): TransactItem {
    const { order, expected } = write;
    if (expected === 'new') {
      return {
        Put: {
          TableName: this.tables.orders,
          Item: order,
          ConditionExpression: 'attribute_not_exists(#key)',
          ExpressionAttributeNames: { '#key': ORDERS_KEY },
        },
      };
    }
    const { [ORDERS_KEY]: _id, ...fields } = order as unknown as Record<string, unknown>;
    const update = this.setFields(
      this.tables.orders,
      { [ORDERS_KEY]: order.orderId },
      fields,
      '#status = :status AND #version = :version',
    ).Update as NonNullable<TransactItem['Update']>;
    return {
      Update: {
        ...update,
        ExpressionAttributeNames: {
          ...update.ExpressionAttributeNames,
          '#status': 'status',
          '#version': 'version',
        },
        ExpressionAttributeValues: {
          ...update.ExpressionAttributeValues,
          ':status': expected.status,
          ':version': expected.version,
        },
      },
    };
  }

  private requestItem(effect: Extract<Write, { kind: 'request' }>['effect']): TransactItem {
    const table = this.tables.idempotency;
    if (effect.kind === 'claim') {
      const { key, expiresAt, ...record } = effect.record;
      return {
        Put: {
          TableName: table,
          Item: { [IDEMPOTENCY_KEY]: `${KEY_PREFIX.request}${key}`, ...record, [EXPIRES_AT]: expiresAt },
          // Free, expired (TTL deletes lazily), or left IN_PROGRESS by a request that died.
          ConditionExpression:
            'attribute_not_exists(#key) OR #expires < :nowSeconds OR (#state = :inProgress AND lockedUntil < :now)',
          ExpressionAttributeNames: { '#key': IDEMPOTENCY_KEY, '#state': 'state', '#expires': EXPIRES_AT },
          ExpressionAttributeValues: {
            ':nowSeconds': Math.floor(effect.now / 1000),
            ':now': effect.now,
            ':inProgress': 'IN_PROGRESS',
          },
        },
      };
    }
    const Key = { [IDEMPOTENCY_KEY]: `${KEY_PREFIX.request}${effect.key}` };
    const mine = {
      ConditionExpression: 'orderId = :orderId',
      ExpressionAttributeValues: { ':orderId': effect.orderId },
    };
    if (effect.kind === 'release') return { Delete: { TableName: table, Key, ...mine } };
    return {
      Update: {
        TableName: table,
        Key,
        UpdateExpression: 'SET #state = :completed, invoiceReference = :reference',
        ExpressionAttributeNames: { '#state': 'state' },
        ConditionExpression: mine.ConditionExpression,
        ExpressionAttributeValues: {
          ...mine.ExpressionAttributeValues,
          ':completed': 'COMPLETED',
          ':reference': effect.invoiceReference,
        },
      },
    };
  }

  // ------------------------------------------------------------------ queries

  private lookupQuery(key: string, before: string | undefined) {
    return {
      TableName: this.tables.orders,
      IndexName: ORDERS_BY_LOOKUP.index,
      KeyConditionExpression: `#key = :key${before ? ' AND #at < :before' : ''}`,
      ExpressionAttributeNames: {
        '#key': ORDERS_BY_LOOKUP.partition,
        ...(before ? { '#at': ORDERS_BY_LOOKUP.sort } : {}),
      },
      ExpressionAttributeValues: { ':key': key, ...(before ? { ':before': before } : {}) },
    };
  }

  /** Up to `limit` entries under one key, newest first. */
  private async queryLookup(
    key: string,
    before: string | undefined,
    limit: number,
  ): Promise<{ orderId: string; at: string }[]> {
    const found: { orderId: string; at: string }[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const answer = await this.document.send(
        new QueryCommand({
          ...this.lookupQuery(key, before),
          ScanIndexForward: false,
          Limit: Math.min(limit - found.length, PAGE_SIZE),
          ExclusiveStartKey: start,
        }),
      );
      for (const item of answer.Items ?? []) {
        found.push({
          orderId: String(item[ORDERS_BY_LOOKUP.refersTo]),
          at: String(item[ORDERS_BY_LOOKUP.sort]),
        });
      }
      start = answer.LastEvaluatedKey;
    } while (start && found.length < limit);
    return found;
  }

  /** Orders by id, read consistently: the index is eventually consistent, the orders are not. */
  private async getMany(ids: readonly string[]): Promise<Map<string, Order>> {
    const orders = new Map<string, Order>();
    for (let offset = 0; offset < ids.length; offset += PAGE_SIZE) {
      const items = await batchGet(this.document, {
        [this.tables.orders]: {
          Keys: ids.slice(offset, offset + PAGE_SIZE).map((id) => ({ [ORDERS_KEY]: id })),
          ConsistentRead: true,
        },
      });
      for (const item of items) orders.set(String(item[ORDERS_KEY]), item as unknown as Order);
    }
    return orders;
  }

  /** One page of the status index: orders in `status` created before or since a time. */
  private async queryStatus(
    status: OrderStatus,
    created: { before?: string; since?: string | undefined },
    options: {
      oldestFirst: boolean;
      limit?: number;
      page?: string | undefined;
      start?: Record<string, unknown>;
    },
  ): Promise<{ orders: Order[]; next?: Record<string, unknown> | undefined }> {
    const range =
      created.before && created.since
        ? { condition: ' AND #created BETWEEN :since AND :time', time: created.before, since: created.since }
        : created.before
          ? { condition: ' AND #created < :time', time: created.before }
          : created.since
            ? { condition: ' AND #created >= :time', time: created.since }
            : undefined;
    const { Items, LastEvaluatedKey } = await this.document.send(
      new QueryCommand({
        TableName: this.tables.orders,
        IndexName: ORDERS_BY_STATUS.index,
        KeyConditionExpression: `#status = :status${range?.condition ?? ''}`,
        ExpressionAttributeNames: {
          '#status': ORDERS_BY_STATUS.partition,
          ...(range ? { '#created': ORDERS_BY_STATUS.sort } : {}),
        },
        ExpressionAttributeValues: {
          ':status': status,
          ...(range ? { ':time': range.time } : {}),
          ...(range && 'since' in range ? { ':since': range.since } : {}),
        },
        ScanIndexForward: options.oldestFirst,
        Limit: Math.min(options.limit ?? PAGE_SIZE, PAGE_SIZE),
        ExclusiveStartKey: options.start ?? decodePage(options.page),
      }),
    );
    return { orders: (Items ?? []) as Order[], next: LastEvaluatedKey };
  }
}

/** Aborts a request still unanswered at `deadline` (the SDK then throws, and the caller gets a 503). */
function signalFor(deadline: number | undefined): AbortSignal | undefined {
  return deadline === undefined ? undefined : AbortSignal.timeout(Math.max(1, deadline - Date.now()));
}

/** A request record as stored: the attribute names and the TTL are the store's, the meaning the domain's. */
function toRequest(item: Record<string, unknown>, key: string): RequestRecord | undefined {
  const { fingerprint, orderId, state, invoiceReference, lockedUntil, claimedAt } = item;
  const expiresAt = item[EXPIRES_AT];
  if (typeof fingerprint !== 'string' || typeof orderId !== 'string' || typeof expiresAt !== 'number')
    return undefined;
  if (state !== 'IN_PROGRESS' && state !== 'COMPLETED') return undefined;
  return {
    key,
    fingerprint,
    orderId,
    state,
    invoiceReference: typeof invoiceReference === 'string' ? invoiceReference : undefined,
    expiresAt,
    lockedUntil: typeof lockedUntil === 'number' ? lockedUntil : 0,
    ...(typeof claimedAt === 'number' ? { claimedAt } : {}),
  };
}
