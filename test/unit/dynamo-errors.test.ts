import { createServer } from 'node:http';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  OrderStateConflictError,
  ProductNotForSaleError,
  ServiceUnavailableError,
  SoldOutError,
} from '../../lambda/checkout/model/errors.js';
import type { Order } from '../../lambda/checkout/model/order.js';
import { changeOf, planChange, planNewOrder } from '../../lambda/checkout/plans/order-plan.js';
import { commit } from '../../lambda/checkout/use-cases/commit.js';
import { createDynamoClients, isUnavailable } from '../../lambda/store/dynamo-client.js';
import { DynamoStore } from '../../lambda/store/dynamo-store.js';
import { anOrder } from '../support/orders.js';

// Error paths DynamoDB Local cannot be made to produce on demand; the rest of the contract runs
// for real in test/contract/dynamodb.test.ts.
const document = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'local' }));
const mock = mockClient(document);
const store = new DynamoStore(document, {
  orders: 'orders',
  products: 'products',
  idempotency: 'requests',
});

const cancelled = (...reasons: ({ Code: string; Item?: Record<string, unknown> } | string)[]) =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: reasons.map((reason) =>
      typeof reason === 'string'
        ? { Code: reason }
        : { Code: reason.Code, Item: reason.Item && marshall(reason.Item) },
    ),
  });

const order: Order = {
  orderId: '01JBZK3Q8N5V7W9X2Y4Z6A8B0C',
  status: 'RESERVED',
  purchaseToken: 'T',
  product: { sku: 'S', description: 'D', unitPriceMinor: 100, currency: 'SEK', taxRatePercent: 25 },
  quantity: 1,
  totalMinor: 100,
  currency: 'SEK',
  customer: {
    clientName: 'A',
    street: 's',
    city: 'c',
    country: 'SE',
    state: '',
    zip: '1',
    email: 'a@b.se',
    msisdn: '',
  },
  stock: [{ purchaseToken: 'T', quantity: 1 }],
  createdAt: '2026-11-27T00:00:00.000Z',
  updatedAt: '2026-11-27T00:00:00.000Z',
  history: [{ status: 'RESERVED', at: '2026-11-27T00:00:00.000Z' }],
};
const reserve = changeOf(planNewOrder(order));

describe('DynamoStore error paths', () => {
  beforeEach(() => mock.reset());

  it('retries a transaction that only lost a conflict with another', async () => {
    mock
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('None', 'TransactionConflict'))
      .rejectsOnce(cancelled('TransactionConflict', 'None'))
      .resolves({});
    await expect(store.apply(reserve)).resolves.toBeUndefined();
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it('gives up after ten conflicts rather than spinning forever: load, so a retryable 503', async () => {
    mock.on(TransactWriteCommand).rejects(cancelled('None', 'TransactionConflict'));
    const failure = await store.apply(reserve).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ServiceUnavailableError);
    expect((failure as Error).cause).toBeInstanceOf(TransactionCanceledException);
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(10);
  });

  it('reads a failed stock guard by what the product held: sold out, off sale, or gone', async () => {
    const failing = async (reason: TransactionCanceledException) => {
      mock.reset();
      mock.on(TransactWriteCommand).rejects(reason);
      return commit(store, reserve).catch((error: unknown) => error);
    };
    const held = (Item: Record<string, unknown>) => ({ Code: 'ConditionalCheckFailed', Item });
    expect(await failing(cancelled('None', held({ available: 0, active: true })))).toBeInstanceOf(
      SoldOutError,
    );
    expect(await failing(cancelled('None', held({ available: 9, active: false })))).toBeInstanceOf(
      ProductNotForSaleError,
    );
    expect(await failing(cancelled('None', 'ConditionalCheckFailed'))).toBeInstanceOf(ProductNotForSaleError);
    expect(await failing(cancelled('ConditionalCheckFailed', 'None'))).toBeInstanceOf(
      OrderStateConflictError,
    );
  });

  it('passes other DynamoDB failures through untouched', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ProvisionedThroughputExceededException',
    });
    mock.on(TransactWriteCommand).rejects(throttled);
    await expect(store.apply(reserve)).rejects.toBe(throttled);
  });

  it('writes a change without effects as one conditional update, and a lost compare-and-set as a conflict', async () => {
    const { requestKey: _key, ...plain } = planNewOrder(order).order;
    const planned = planChange(plain, { type: 'invoiced', invoiceReference: '1' }, new Date());
    const invoiced = changeOf({ ...planned, lookups: { add: [], remove: [] } });
    mock.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'x', $metadata: {} }));
    await expect(commit(store, invoiced)).rejects.toBeInstanceOf(OrderStateConflictError);
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(mock.commandCalls(PutCommand)).toHaveLength(0);
    const [update] = mock.commandCalls(UpdateCommand);
    expect(update?.args[0].input).toMatchObject({
      Key: { orderId: order.orderId },
      ConditionExpression: '#status = :status AND #version = :version',
      ExpressionAttributeValues: { ':status': 'RESERVED', ':version': 1, ':f0': 'INVOICED' },
    });
    expect(update?.args[0].input.UpdateExpression).not.toContain('orderId');
  });

  it('asks again for keys DynamoDB left unprocessed, and fails rather than call a product missing', async () => {
    const product = {
      purchaseToken: 'T',
      sku: 'S',
      description: 'D',
      unitPriceMinor: 100,
      currency: 'SEK',
      taxRatePercent: 25,
      onHand: 3,
      reserved: 0,
      available: 3,
      sold: 0,
    };
    const unprocessed = { products: { Keys: [{ purchaseToken: 'T' }] } };
    mock
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { products: [], requests: [] }, UnprocessedKeys: unprocessed })
      .resolvesOnce({ Responses: { products: [product] } });
    expect((await store.readForPurchase('T', 'key')).product?.onHand).toBe(3);
    expect(mock.commandCalls(BatchGetCommand)[1]?.args[0].input.RequestItems).toEqual(unprocessed);

    mock.reset();
    mock.on(BatchGetCommand).resolves({ Responses: {}, UnprocessedKeys: unprocessed });
    await expect(store.readForPurchase('T', 'key')).rejects.toThrow(/unprocessed five times/);
    expect(mock.commandCalls(BatchGetCommand)).toHaveLength(5);
  });
});

describe('DynamoDB down, slow or shedding load: a retryable 503, never a hang or a 500', () => {
  /** A DynamoDB endpoint on loopback that answers as told: never, or with an error of DynamoDB's. */
  async function endpoint(answer: 'never' | { status: number; type: string }) {
    const sockets = new Set<import('node:net').Socket>();
    const server = createServer((request, response) => {
      request.resume();
      if (answer === 'never') return;
      response.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(
        JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${answer.type}`, message: 'no' }),
      );
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as import('node:net').AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      close: () => {
        for (const socket of sockets) socket.destroy();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }
  const tables = { products: 'p', orders: 'o', idempotency: 'i' };

  it.each([
    ['a stalled DynamoDB, past each attempt’s time', 'never', { attemptTimeoutMs: 100 }],
    ['throttling', { status: 400, type: 'ThrottlingException' }, {}],
    ['an internal error', { status: 500, type: 'InternalServerError' }, {}],
  ] as const)('%s', async (_name, answer, options) => {
    const server = await endpoint(answer);
    const clients = createDynamoClients({ endpoint: server.url, region: 'local', ...options });
    try {
      const failure = await new DynamoStore(clients.document, tables)
        .getOrder('O1')
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ServiceUnavailableError);
      expect((failure as ServiceUnavailableError).reason).toBe('store');
    } finally {
      clients.client.destroy();
      await server.close();
    }
  });

  it('a write still unanswered at its deadline is given up as unavailable', async () => {
    const server = await endpoint('never');
    const clients = createDynamoClients({ endpoint: server.url, region: 'local' });
    try {
      const store = new DynamoStore(clients.document, tables);
      const write = changeOf(planNewOrder(anOrder({ status: 'RESERVED', version: undefined, history: [] })));
      const failure = await store
        .apply(write, { deadline: Date.now() + 50 })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ServiceUnavailableError);
      expect(isUnavailable((failure as Error).cause)).toBe(true);
    } finally {
      clients.client.destroy();
      await server.close();
    }
  });
});
