import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { OrderStateConflictError, ProductNotForSaleError, SoldOutError } from '../checkout/errors.js';
import { ORDER_STATUSES, type Order, type OrderStatus } from '../checkout/order.js';
import type { OrderChange } from '../checkout/order-plan.js';
import type { OpenOrdersPage, OrderQuery, OrderStore } from '../checkout/ports.js';
import { decodePage, encodePage } from './pages.js';
import {
  ORDERS_BY_STATUS_INDEX,
  ORDERS_BY_STATUS_PARTITION,
  ORDERS_BY_STATUS_SORT,
  ORDERS_KEY,
  type TableNames,
} from './schema.js';
import { stockUpdate } from './stock-updates.js';
import { transactWrite } from './transactions.js';

const PAGE_SIZE = 100;

/** Orders in DynamoDB. It applies the domain's planned changes as they are: no rules of its own. */
export class DynamoOrderStore implements OrderStore {
  constructor(
    private readonly document: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'orders' | 'products'>,
  ) {}

  async get(orderId: string): Promise<Order | undefined> {
    const { Item } = await this.document.send(
      new GetCommand({ TableName: this.tables.orders, Key: { [ORDERS_KEY]: orderId }, ConsistentRead: true }),
    );
    return Item as Order | undefined;
  }

  async apply(change: OrderChange): Promise<void> {
    const put = this.orderPut(change);
    if (change.stock.length === 0) {
      try {
        await this.document.send(new PutCommand(put));
        return;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') throw this.conflict(change);
        throw error;
      }
    }
    const outcome = await transactWrite(this.document, {
      TransactItems: [
        { Put: put },
        ...change.stock.map((delta) => ({ Update: stockUpdate(delta, this.tables.products) })),
      ],
    });
    if (!outcome) return;
    if (outcome.failed[0]) throw this.conflict(change);
    const index = outcome.failed.findIndex((failed, position) => position > 0 && failed);
    const token = change.stock[index - 1]?.purchaseToken ?? change.order.purchaseToken;
    const product = outcome.items[index];
    if (!product || product.active === false) throw new ProductNotForSaleError(token);
    throw new SoldOutError(token);
  }

  /** The whole order as planned, written only if the stored one is still what the plan read. */
  private orderPut({ expected, order }: OrderChange): PutCommandInput {
    if (expected === 'new') {
      return {
        TableName: this.tables.orders,
        Item: order,
        ConditionExpression: 'attribute_not_exists(#key)',
        ExpressionAttributeNames: { '#key': ORDERS_KEY },
      };
    }
    // Orders written before versions existed have none: version 0.
    return {
      TableName: this.tables.orders,
      Item: order,
      ConditionExpression:
        expected.version === 0
          ? '#status = :status AND attribute_not_exists(#version)'
          : '#status = :status AND #version = :version',
      ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
      ExpressionAttributeValues: {
        ':status': expected.status,
        ...(expected.version === 0 ? {} : { ':version': expected.version }),
      },
    };
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
