import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  OpenOrderLimitError,
  OrderStateConflictError,
  ProductNotForSaleError,
  RequestInProgressError,
  SoldOutError,
} from '../checkout/errors.js';
import { ORDER_STATUSES, type Order, type OrderStatus } from '../checkout/order.js';
import type { HoldEffect, OrderChange, RequestEffect } from '../checkout/order-plan.js';
import type {
  LookupQuery,
  OpenOrdersPage,
  OrderQuery,
  OrderStore,
  PurchaseLookup,
} from '../checkout/ports.js';
import type { RequestRecord } from '../checkout/purchase-requests.js';
import { afterShardRemoved, type StockDelta } from '../checkout/stock.js';
import { batchGet } from './batch-get.js';
import { toProduct } from './dynamo-catalog.js';
import { decodePage, encodePage } from './pages.js';
import {
  IDEMPOTENCY_KEY,
  LOOKUP_ITEM_PREFIX,
  LOOKUP_ORDER_ID,
  ORDERS_BY_LOOKUP_INDEX,
  ORDERS_BY_LOOKUP_PARTITION,
  ORDERS_BY_LOOKUP_SORT,
  ORDERS_BY_STATUS_INDEX,
  ORDERS_BY_STATUS_PARTITION,
  ORDERS_BY_STATUS_SORT,
  ORDERS_KEY,
  PRODUCTS_KEY,
  REQUESTS_TTL,
  stockItemKey,
  type TableNames,
} from './schema.js';
import { stockUpdate } from './stock-updates.js';
import { transactWrite } from './transactions.js';

const PAGE_SIZE = 100;
const REQUEST_PREFIX = 'purchase#';
const HOLD_PREFIX = 'hold#';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** One transaction item, what it stands for, and whether its failed condition may be skipped. */
interface Item {
  readonly write: TransactItem;
  readonly optional: boolean;
  readonly refused: () => Error;
  /** For a stock guard: what the product held says sold out or off sale. */
  readonly stock?: StockDelta;
}

/** Orders in DynamoDB. It applies the domain's planned changes as they are: no rules of its own. */
export class DynamoOrderStore implements OrderStore {
  constructor(
    private readonly document: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'orders' | 'products' | 'idempotency'>,
  ) {}

  async lookup(purchaseToken: string, requestKey: string, stockShards = 1): Promise<PurchaseLookup> {
    const shardKeys = Array.from({ length: Math.max(0, stockShards - 1) }, (_, index) =>
      stockItemKey(purchaseToken, index + 1),
    );
    const found = await batchGet(this.document, {
      [this.tables.products]: {
        Keys: [purchaseToken, ...shardKeys].map((key) => ({ [PRODUCTS_KEY]: key })),
      },
      // Consistent: a retry must see the claim a moment-old request made.
      [this.tables.idempotency]: {
        Keys: [{ [IDEMPOTENCY_KEY]: `${REQUEST_PREFIX}${requestKey}` }],
        ConsistentRead: true,
      },
    });
    const productItem = found.find((item) => item[PRODUCTS_KEY] === purchaseToken);
    const requestItem = found.find((item) => item[IDEMPOTENCY_KEY] === `${REQUEST_PREFIX}${requestKey}`);
    const product = productItem ? toProduct(productItem) : undefined;
    const availableOn = (key: string) => {
      const units = found.find((item) => item[PRODUCTS_KEY] === key)?.available;
      return Number.isSafeInteger(units) ? (units as number) : 0;
    };
    return {
      product,
      request: requestItem ? toRequest(requestItem) : undefined,
      // Only when the shards read are the product's shards: it may have been re-spread since.
      shardsAvailable:
        product && stockShards > 1 && product.stockShards === stockShards
          ? [product.available, ...shardKeys.map(availableOn)]
          : undefined,
    };
  }

  async get(orderId: string): Promise<Order | undefined> {
    // Lookup items share the table; they are never orders.
    if (orderId.startsWith(LOOKUP_ITEM_PREFIX)) return undefined;
    const { Item } = await this.document.send(
      new GetCommand({ TableName: this.tables.orders, Key: { [ORDERS_KEY]: orderId }, ConsistentRead: true }),
    );
    return Item as Order | undefined;
  }

  async apply(change: OrderChange): Promise<void> {
    let items: Item[] = [
      { write: this.orderWrite(change), optional: false, refused: () => this.conflict(change) },
      ...change.stock.map((delta) => this.stockItem(delta)),
      ...(change.request ? [this.requestItem(change.request)] : []),
      ...change.holds.map((hold) => this.holdItem(hold, change.order.purchaseToken)),
      ...this.lookupItems(change),
    ];
    for (;;) {
      if (items.length === 1) return this.putAlone(change);
      const outcome = await transactWrite(this.document, { TransactItems: items.map((item) => item.write) });
      if (!outcome) return;
      const failed = items.filter((_item, index) => outcome.failed[index]);
      const required = failed.find((item) => !item.optional);
      if (required) {
        const held = outcome.items[items.indexOf(required)];
        // A shard item that is gone was taken away by a re-spread: a restock follows its sold
        // units to the product item; for anything else that shard is empty, not the product.
        const moved = required.stock && !held ? afterShardRemoved(required.stock) : undefined;
        if (moved) {
          items = items.map((item) => (item === required ? this.stockItem(moved) : item));
          continue;
        }
        if (required.stock && ((!held && !required.stock.shard) || held?.active === false))
          throw new ProductNotForSaleError(required.stock.purchaseToken);
        throw required.refused();
      }
      // Only bookkeeping that is no longer this order's failed: write the rest without it.
      items = items.filter((item) => !failed.includes(item));
    }
  }

  private stockItem(delta: StockDelta): Item {
    return {
      write: { Update: stockUpdate(delta, this.tables.products) },
      optional: false,
      refused: () => new SoldOutError(delta.purchaseToken),
      stock: delta,
    };
  }

  private async putAlone(change: OrderChange): Promise<void> {
    try {
      const write = this.orderWrite(change);
      if (write.Put) await this.document.send(new PutCommand(write.Put as PutCommandInput));
      else await this.document.send(new UpdateCommand(write.Update as UpdateCommandInput));
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') throw this.conflict(change);
      throw error;
    }
  }

  /**
   * The order as planned. A new one is put where none exists; any other change sets every
   * attribute of the planned order (and removes the ones it dropped) only if the stored one is
   * still what the plan read. An update can never create an order: the functions that settle
   * orders need no right to.
   */
  private orderWrite({ expected, order }: OrderChange): TransactItem {
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
    const names: Record<string, string> = { '#status': 'status', '#version': 'version' };
    const values: Record<string, unknown> = { ':status': expected.status };
    const sets: string[] = [];
    const removes: string[] = [];
    Object.entries(order).forEach(([name, value], index) => {
      if (name === ORDERS_KEY) return;
      names[`#a${index}`] = name;
      if (value === undefined) removes.push(`#a${index}`);
      else {
        sets.push(`#a${index} = :a${index}`);
        values[`:a${index}`] = value;
      }
    });
    // Orders written before versions existed have none: version 0.
    if (expected.version !== 0) values[':version'] = expected.version;
    return {
      Update: {
        TableName: this.tables.orders,
        Key: { [ORDERS_KEY]: order.orderId },
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression:
          expected.version === 0
            ? '#status = :status AND attribute_not_exists(#version)'
            : '#status = :status AND #version = :version',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  }

  private requestItem(effect: RequestEffect): Item {
    const table = this.tables.idempotency;
    const names = { '#key': IDEMPOTENCY_KEY, '#state': 'state' };
    if (effect.kind === 'claim') {
      const { key, expiresAt, ...record } = effect.record;
      return {
        write: {
          Put: {
            TableName: table,
            Item: { [IDEMPOTENCY_KEY]: `${REQUEST_PREFIX}${key}`, ...record, [REQUESTS_TTL]: expiresAt },
            // Free, expired (TTL deletes lazily), or left IN_PROGRESS by a request that died.
            ConditionExpression:
              'attribute_not_exists(#key) OR #ttl < :nowSeconds OR (#state = :inProgress AND lockedUntil < :now)',
            ExpressionAttributeNames: { ...names, '#ttl': REQUESTS_TTL },
            ExpressionAttributeValues: {
              ':nowSeconds': Math.floor(effect.now / 1000),
              ':now': effect.now,
              ':inProgress': 'IN_PROGRESS',
            },
          },
        },
        optional: false,
        refused: () => new RequestInProgressError(),
      };
    }
    const Key = { [IDEMPOTENCY_KEY]: `${REQUEST_PREFIX}${effect.key}` };
    const mine = {
      ConditionExpression: 'orderId = :orderId',
      ExpressionAttributeValues: { ':orderId': effect.orderId },
    };
    const write: TransactItem =
      effect.kind === 'complete'
        ? {
            Update: {
              TableName: table,
              Key,
              UpdateExpression: 'SET #state = :completed, invoiceReference = :reference',
              ExpressionAttributeNames: { '#state': 'state' },
              ...mine,
              ExpressionAttributeValues: {
                ...mine.ExpressionAttributeValues,
                ':completed': 'COMPLETED',
                ':reference': effect.invoiceReference,
              },
            },
          }
        : { Delete: { TableName: table, Key, ...mine } };
    return { write, optional: true, refused: () => new RequestInProgressError() };
  }

  private holdItem(hold: HoldEffect, purchaseToken: string): Item {
    const Key = { [IDEMPOTENCY_KEY]: `${HOLD_PREFIX}${hold.key}` };
    if (hold.delta < 0) {
      return {
        write: {
          Update: {
            TableName: this.tables.idempotency,
            Key,
            UpdateExpression: 'SET openOrders = openOrders - :one',
            ConditionExpression: 'openOrders > :zero',
            ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
          },
        },
        optional: true,
        refused: () => new OpenOrderLimitError(purchaseToken),
      };
    }
    const capped = hold.cap !== undefined;
    return {
      write: {
        Update: {
          TableName: this.tables.idempotency,
          Key,
          UpdateExpression: `SET openOrders = if_not_exists(openOrders, :zero) + :one${hold.expiresAt ? ', #ttl = :expires' : ''}`,
          ...(capped ? { ConditionExpression: 'attribute_not_exists(openOrders) OR openOrders < :cap' } : {}),
          ...(hold.expiresAt ? { ExpressionAttributeNames: { '#ttl': REQUESTS_TTL } } : {}),
          ExpressionAttributeValues: {
            ':one': 1,
            ':zero': 0,
            ...(capped ? { ':cap': hold.cap } : {}),
            ...(hold.expiresAt ? { ':expires': hold.expiresAt } : {}),
          },
        },
      },
      optional: false,
      refused: () => new OpenOrderLimitError(purchaseToken),
    };
  }

  /**
   * Lookup entries as items of their own, unconditional: they stand or fall with the order
   * change in the same transaction. An entry whose time moved is simply put again.
   */
  private lookupItems({ order, lookups }: OrderChange): Item[] {
    const itemKey = (key: string) => ({ [ORDERS_KEY]: `${LOOKUP_ITEM_PREFIX}${key}#${order.orderId}` });
    const unconditional = {
      optional: false,
      refused: () => new OrderStateConflictError(order.orderId, order.status),
    };
    const puts = lookups.add.map((entry) => ({
      ...unconditional,
      write: {
        Put: {
          TableName: this.tables.orders,
          Item: {
            ...itemKey(entry.key),
            [ORDERS_BY_LOOKUP_PARTITION]: entry.key,
            [ORDERS_BY_LOOKUP_SORT]: entry.at,
            [LOOKUP_ORDER_ID]: order.orderId,
          },
        },
      },
    }));
    const deletes = lookups.remove
      .filter((entry) => !lookups.add.some((added) => added.key === entry.key))
      .map((entry) => ({
        ...unconditional,
        write: { Delete: { TableName: this.tables.orders, Key: itemKey(entry.key) } },
      }));
    return [...puts, ...deletes];
  }

  private conflict(change: OrderChange): OrderStateConflictError {
    return new OrderStateConflictError(change.order.orderId, change.order.status);
  }

  async listByStatus(status: OrderStatus, createdBefore: string, page?: string): Promise<OpenOrdersPage> {
    const result = await this.queryStatus(status, { before: createdBefore }, { oldestFirst: true, page });
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

  private lookupQuery(key: string, before: string | undefined) {
    return {
      TableName: this.tables.orders,
      IndexName: ORDERS_BY_LOOKUP_INDEX,
      KeyConditionExpression: `#key = :key${before ? ' AND #at < :before' : ''}`,
      ExpressionAttributeNames: {
        '#key': ORDERS_BY_LOOKUP_PARTITION,
        ...(before ? { '#at': ORDERS_BY_LOOKUP_SORT } : {}),
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
        found.push({ orderId: String(item[LOOKUP_ORDER_ID]), at: String(item[ORDERS_BY_LOOKUP_SORT]) });
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

  /** One page of the byStatus index: orders in `status` created before or since a time. */
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
    const range = created.before
      ? { condition: ' AND #created < :time', time: created.before }
      : created.since
        ? { condition: ' AND #created >= :time', time: created.since }
        : undefined;
    const { Items, LastEvaluatedKey } = await this.document.send(
      new QueryCommand({
        TableName: this.tables.orders,
        IndexName: ORDERS_BY_STATUS_INDEX,
        KeyConditionExpression: `#status = :status${range?.condition ?? ''}`,
        ExpressionAttributeNames: {
          '#status': ORDERS_BY_STATUS_PARTITION,
          ...(range ? { '#created': ORDERS_BY_STATUS_SORT } : {}),
        },
        ExpressionAttributeValues: { ':status': status, ...(range ? { ':time': range.time } : {}) },
        ScanIndexForward: options.oldestFirst,
        Limit: Math.min(options.limit ?? PAGE_SIZE, PAGE_SIZE),
        ExclusiveStartKey: options.start ?? decodePage(options.page),
      }),
    );
    return { orders: (Items ?? []) as Order[], next: LastEvaluatedKey };
  }
}

function toRequest(item: Record<string, unknown>): RequestRecord | undefined {
  const key = String(item[IDEMPOTENCY_KEY]).slice(REQUEST_PREFIX.length);
  const { fingerprint, orderId, state, invoiceReference, lockedUntil } = item;
  const expiresAt = item[REQUESTS_TTL];
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
  };
}
