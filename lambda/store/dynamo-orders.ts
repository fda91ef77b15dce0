import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { OrderStateConflictError, SoldOutError } from '../checkout/errors.js';
import { formatMinor } from '../checkout/money.js';
import {
  canTransition,
  ORDER_STATUSES,
  type Order,
  type OrderStatus,
  type Refund,
  type StatusChange,
  type StockEffect,
  stockEffectOf,
} from '../checkout/order.js';
import type { Clock, OpenOrdersPage, OrderChanges, OrderQuery, OrderStore } from '../checkout/ports.js';
import { decodePage, encodePage } from './pages.js';
import {
  ORDERS_BY_STATUS_INDEX,
  ORDERS_BY_STATUS_PARTITION,
  ORDERS_BY_STATUS_SORT,
  ORDERS_KEY,
  PRODUCTS_KEY,
  type TableNames,
} from './schema.js';
import { transactWrite } from './transactions.js';

const PAGE_SIZE = 100;

export class DynamoOrderStore implements OrderStore {
  constructor(
    private readonly document: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'orders' | 'products'>,
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  async reserve(order: Order): Promise<void> {
    const outcome = await transactWrite(this.document, {
      TransactItems: [
        {
          Put: {
            TableName: this.tables.orders,
            Item: order,
            ConditionExpression: 'attribute_not_exists(#key)',
            ExpressionAttributeNames: { '#key': ORDERS_KEY },
          },
        },
        {
          Update: {
            TableName: this.tables.products,
            Key: { [PRODUCTS_KEY]: order.purchaseToken },
            UpdateExpression: 'SET available = available - :quantity',
            ConditionExpression: 'available >= :quantity',
            ExpressionAttributeValues: { ':quantity': order.quantity },
          },
        },
      ],
    });
    if (outcome?.failedConditions[1]) throw new SoldOutError(order.purchaseToken);
    if (outcome) throw new OrderStateConflictError(order.orderId, 'RESERVED');
  }

  async get(orderId: string): Promise<Order | undefined> {
    const { Item } = await this.document.send(
      new GetCommand({ TableName: this.tables.orders, Key: { [ORDERS_KEY]: orderId }, ConsistentRead: true }),
    );
    return Item as Order | undefined;
  }

  async transition(order: Order, to: OrderStatus, changes: OrderChanges = {}): Promise<Order> {
    if (!canTransition(order.status, to)) throw new OrderStateConflictError(order.orderId, to);
    const at = this.clock.now().toISOString();
    const { reason, ...fields } = changes;
    const entry: StatusChange = reason ? { status: to, at, reason } : { status: to, at };
    const set: Record<string, unknown> = { status: to, updatedAt: at, ...fields };
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':from': order.status, ':entry': [entry] };
    const assignments = Object.entries(set)
      .filter(([, value]) => value !== undefined)
      .map(([name, value], index) => {
        names[`#f${index}`] = name;
        values[`:v${index}`] = value;
        return `#f${index} = :v${index}`;
      });
    const orderUpdate = {
      TableName: this.tables.orders,
      Key: { [ORDERS_KEY]: order.orderId },
      UpdateExpression: `SET ${assignments.join(', ')}, #history = list_append(#history, :entry)`,
      ConditionExpression: '#current = :from',
      ExpressionAttributeNames: { ...names, '#history': 'history', '#current': 'status' },
      ExpressionAttributeValues: values,
    };
    if (!(await this.write(orderUpdate, stockEffectOf(to), order)))
      throw new OrderStateConflictError(order.orderId, to);
    const updated = Object.fromEntries(Object.entries(set).filter(([, value]) => value !== undefined));
    return { ...order, ...updated, history: [...order.history, entry] } as Order;
  }

  async beginRefund(order: Order, refund: Refund): Promise<Order> {
    const at = this.clock.now().toISOString();
    const count = order.refunds?.length ?? 0;
    const won = await this.write(
      {
        TableName: this.tables.orders,
        Key: { [ORDERS_KEY]: order.orderId },
        UpdateExpression:
          'SET refunds = list_append(if_not_exists(refunds, :none), :refund), pendingRefundId = :id, updatedAt = :at',
        // Same status, no refund pending, and no refund recorded since we read the order.
        ConditionExpression:
          '#status = :status AND attribute_not_exists(pendingRefundId) AND ' +
          (count === 0 ? 'attribute_not_exists(refunds)' : 'size(refunds) = :count'),
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':none': [],
          ':refund': [refund],
          ':id': refund.refundId,
          ':at': at,
          ':status': order.status,
          ...(count === 0 ? {} : { ':count': count }),
        },
      },
      'none',
      order,
    );
    if (!won) throw new OrderStateConflictError(order.orderId, 'refund');
    return {
      ...order,
      refunds: [...(order.refunds ?? []), refund],
      pendingRefundId: refund.refundId,
      updatedAt: at,
    };
  }

  async finishRefund(order: Order, refund: Refund, to?: OrderStatus): Promise<Order> {
    if (to && !canTransition(order.status, to)) throw new OrderStateConflictError(order.orderId, to);
    const index = (order.refunds ?? []).findIndex((candidate) => candidate.refundId === refund.refundId);
    if (index === -1) throw new OrderStateConflictError(order.orderId, 'refund');
    const at = this.clock.now().toISOString();
    const restock = refund.status === 'SUCCEEDED' && refund.restock;
    const sets = [`refunds[${index}] = :refund`, 'updatedAt = :at'];
    const values: Record<string, unknown> = {
      ':refund': refund,
      ':at': at,
      ':id': refund.refundId,
      ':current': order.status,
    };
    const entry: StatusChange | undefined = to
      ? {
          status: to,
          at,
          reason: `refund ${refund.refundId} of ${formatMinor(refund.amountMinor)} ${order.currency}`,
        }
      : undefined;
    if (to && entry) {
      sets.push('#status = :to', '#history = list_append(#history, :entry)');
      values[':to'] = to;
      values[':entry'] = [entry];
    }
    if (restock) sets.push('restocked = :true');
    if (restock) values[':true'] = true;
    const orderUpdate: Update = {
      TableName: this.tables.orders,
      Key: { [ORDERS_KEY]: order.orderId },
      UpdateExpression: `SET ${sets.join(', ')} REMOVE pendingRefundId`,
      ConditionExpression: 'pendingRefundId = :id AND #status = :current',
      ExpressionAttributeNames: { '#status': 'status', ...(entry ? { '#history': 'history' } : {}) },
      ExpressionAttributeValues: values,
    };
    if (!(await this.write(orderUpdate, restock ? 'restock' : 'none', order))) {
      throw new OrderStateConflictError(order.orderId, 'refund');
    }
    const refunds = [...(order.refunds ?? [])];
    refunds[index] = refund;
    return {
      ...order,
      refunds,
      pendingRefundId: undefined,
      updatedAt: at,
      ...(restock ? { restocked: true } : {}),
      ...(to && entry ? { status: to, history: [...order.history, entry] } : {}),
    };
  }

  async recordInvoiceVersion(orderId: string, invoiceVersion: number): Promise<void> {
    await this.document
      .send(
        new UpdateCommand({
          TableName: this.tables.orders,
          Key: { [ORDERS_KEY]: orderId },
          UpdateExpression: 'SET invoiceVersion = :version',
          // Versions only grow; never let a slow writer take one back.
          ConditionExpression:
            'attribute_exists(#key) AND (attribute_not_exists(invoiceVersion) OR invoiceVersion < :version)',
          ExpressionAttributeNames: { '#key': ORDERS_KEY },
          ExpressionAttributeValues: { ':version': invoiceVersion },
        }),
      )
      .catch((error: unknown) => {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      });
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

  /**
   * Writes an order update that is conditional on the order's state, together with its
   * stock effect in one transaction when it has one. False when the condition failed:
   * another writer got there first.
   */
  private async write(orderUpdate: Update, effect: StockEffect, order: Order): Promise<boolean> {
    const stock = stockUpdate(effect, order, this.tables.products);
    if (stock) {
      return !(await transactWrite(this.document, {
        TransactItems: [{ Update: orderUpdate }, { Update: stock }],
      }));
    }
    try {
      await this.document.send(new UpdateCommand(orderUpdate));
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}

type Update = NonNullable<NonNullable<TransactWriteCommandInput['TransactItems']>[number]['Update']>;

const STOCK_UPDATES: Record<Exclude<StockEffect, 'none'>, string> = {
  // A released unit goes back on sale.
  release: 'ADD available :quantity',
  // A sold unit was already taken from `available` at reservation; now it is counted sold.
  sell: 'ADD sold :quantity',
  // The goods came back: on sale again, and no longer counted sold.
  restock: 'ADD available :quantity, sold :minus',
};

function stockUpdate(effect: StockEffect, order: Order, productsTable: string): Update | undefined {
  if (effect === 'none') return undefined;
  return {
    TableName: productsTable,
    Key: { [PRODUCTS_KEY]: order.purchaseToken },
    UpdateExpression: STOCK_UPDATES[effect],
    ExpressionAttributeValues:
      effect === 'restock'
        ? { ':quantity': order.quantity, ':minus': -order.quantity }
        : { ':quantity': order.quantity },
  };
}
