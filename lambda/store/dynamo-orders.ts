import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { OrderStateConflictError, SoldOutError } from '../checkout/errors.js';
import {
  canTransition,
  type Order,
  type OrderStatus,
  type StatusChange,
  stockEffectOf,
} from '../checkout/order.js';
import type { Clock, OpenOrdersPage, OrderChanges, OrderStore } from '../checkout/ports.js';
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
    const stock = stockUpdate(stockEffectOf(to), order, this.tables.products);
    const outcome = stock
      ? await transactWrite(this.document, { TransactItems: [{ Update: orderUpdate }, { Update: stock }] })
      : await conditionalUpdate(this.document, orderUpdate);
    if (outcome) throw new OrderStateConflictError(order.orderId, to);
    const updated = Object.fromEntries(Object.entries(set).filter(([, value]) => value !== undefined));
    return { ...order, ...updated, history: [...order.history, entry] } as Order;
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
    const { Items, LastEvaluatedKey } = await this.document.send(
      new QueryCommand({
        TableName: this.tables.orders,
        IndexName: ORDERS_BY_STATUS_INDEX,
        KeyConditionExpression: '#status = :status AND #created < :before',
        ExpressionAttributeNames: {
          '#status': ORDERS_BY_STATUS_PARTITION,
          '#created': ORDERS_BY_STATUS_SORT,
        },
        ExpressionAttributeValues: { ':status': status, ':before': createdBefore },
        Limit: PAGE_SIZE,
        ExclusiveStartKey: page ? JSON.parse(Buffer.from(page, 'base64url').toString('utf8')) : undefined,
      }),
    );
    return {
      orders: (Items ?? []) as Order[],
      nextPage: LastEvaluatedKey
        ? Buffer.from(JSON.stringify(LastEvaluatedKey)).toString('base64url')
        : undefined,
    };
  }
}

type Update = NonNullable<NonNullable<TransactWriteCommandInput['TransactItems']>[number]['Update']>;

function stockUpdate(
  effect: ReturnType<typeof stockEffectOf>,
  order: Order,
  productsTable: string,
): Update | undefined {
  if (effect === 'none') return undefined;
  return {
    TableName: productsTable,
    Key: { [PRODUCTS_KEY]: order.purchaseToken },
    // A released unit goes back on sale; a sold one was already taken from `available` at reservation.
    UpdateExpression: effect === 'release' ? 'ADD available :quantity' : 'ADD sold :quantity',
    ExpressionAttributeValues: { ':quantity': order.quantity },
  };
}

async function conditionalUpdate(
  document: DynamoDBDocumentClient,
  update: Update,
): Promise<{ failed: true } | undefined> {
  try {
    await document.send(new UpdateCommand(update));
    return undefined;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return { failed: true };
    throw error;
  }
}
