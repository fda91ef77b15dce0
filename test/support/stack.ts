import { randomUUID } from 'node:crypto';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { KEY_PREFIX } from '../../contract/tables.js';
import type { Order } from '../../lambda/checkout/model/order.js';
import type { Product } from '../../lambda/checkout/model/product.js';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.js';

export const glaseSampleBody = {
  purchaseToken: '29834231890234',
  clientName: 'John Smith',
  street: 'Storgatan 1',
  city: 'Stockholm',
  country: 'Sweden',
  state: '',
  zip: '11122',
  email: 'very.happy@shopping.com',
};

export interface TestStack extends LocalStack {
  post(
    path: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; json: any; text: string; headers: Record<string, string> }>;
  purchase(
    body?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; json: any; headers: Record<string, string> }>;
  product(purchaseToken: string): Promise<Product>;
  orders(): Promise<Order[]>;
  /** A purchase the sandbox's shopper pays at once (the notification handled): the order, PAID. */
  paid(body?: Record<string, unknown>): Promise<Order>;
  idempotencyRecords(): Promise<number>;
}

/** A whole local backend in its own tables on the run's shared DynamoDB Local. */
export async function startTestStack(options: Partial<LocalStackOptions> = {}): Promise<TestStack> {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT;
  if (!endpoint)
    throw new Error(
      'TEST_DYNAMODB_ENDPOINT is not set; run through jest (globalSetup starts DynamoDB Local)',
    );
  const stack = await startLocalStack({
    dynamodbEndpoint: endpoint,
    tablePrefix: `t${randomUUID().slice(0, 8)}-`,
    ...options,
    // Most tests play many shoppers who share Glase's sample e-mail address, and hold many units
    // of few products; the caps on one shopper's unpaid orders and on the units unpaid orders may
    // hold have tests of their own, which set them.
    environment: { OPEN_ORDERS_PER_SHOPPER: '0', HELD_SHARE_PERCENT: '100', ...options.environment },
  });
  const { document } = stack.dynamo;
  const post: TestStack['post'] = async (path, body, headers = {}) => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json;charset=UTF-8', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text, headers: Object.fromEntries(response.headers) };
  };
  return {
    ...stack,
    post,
    purchase: (body = glaseSampleBody, headers) => post('/webshop/createPurchase', body, headers),
    async product(purchaseToken) {
      const { Item } = await document.send(
        new GetCommand({ TableName: stack.tables.products, Key: { purchaseToken }, ConsistentRead: true }),
      );
      return Item as Product;
    },
    async orders() {
      const items: Order[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await document.send(
          new ScanCommand({ TableName: stack.tables.orders, ConsistentRead: true, ExclusiveStartKey: start }),
        );
        // The table also holds lookup items (what finds an order); they are not orders.
        items.push(
          ...((page.Items ?? []).filter(
            (item) => !String(item.orderId).startsWith(KEY_PREFIX.lookup),
          ) as Order[]),
        );
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    async paid(this: TestStack, body = glaseSampleBody) {
      const response = await post('/webshop/createPurchase', body);
      if (response.status !== 200) throw new Error(`purchase answered ${response.status}: ${response.text}`);
      const invoice = (response.json as { invoiceReferenceId: string }).invoiceReferenceId;
      await stack.sandbox?.pay(invoice);
      const order = (await this.orders()).find((one) => one.invoiceReference === invoice);
      if (order?.status !== 'PAID')
        throw new Error(`order of invoice ${invoice} is ${order?.status}, not PAID`);
      return order;
    },
    async idempotencyRecords() {
      const page = await document.send(
        new ScanCommand({ TableName: stack.tables.idempotency, Select: 'COUNT' }),
      );
      return page.Count ?? 0;
    },
  };
}
