import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { OrderStateConflictError, SoldOutError } from '../../lambda/checkout/errors.js';
import type { Order } from '../../lambda/checkout/order.js';
import { DynamoOrderStore } from '../../lambda/store/dynamo-orders.js';

// Error paths DynamoDB Local cannot be made to produce on demand; the happy paths run for real
// in test/integration.
const document = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'local' }));
const mock = mockClient(document);
const store = new DynamoOrderStore(document, { orders: 'orders', products: 'products' });

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
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
  createdAt: '2026-11-27T00:00:00.000Z',
  updatedAt: '2026-11-27T00:00:00.000Z',
  history: [{ status: 'RESERVED', at: '2026-11-27T00:00:00.000Z' }],
};

describe('DynamoOrderStore error paths', () => {
  beforeEach(() => mock.reset());

  it('retries a reservation that only lost a transaction conflict', async () => {
    mock
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('None', 'TransactionConflict'))
      .rejectsOnce(cancelled('TransactionConflict', 'None'))
      .resolves({});
    await expect(store.reserve(order)).resolves.toBeUndefined();
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it('gives up after ten conflicts rather than spinning forever', async () => {
    mock.on(TransactWriteCommand).rejects(cancelled('None', 'TransactionConflict'));
    await expect(store.reserve(order)).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(10);
  }, 20_000);

  it('reads a failed stock condition as sold out, and a failed order condition as a conflict', async () => {
    mock.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'ConditionalCheckFailed'));
    await expect(store.reserve(order)).rejects.toBeInstanceOf(SoldOutError);
    mock.reset();
    mock.on(TransactWriteCommand).rejectsOnce(cancelled('ConditionalCheckFailed', 'None'));
    await expect(store.reserve(order)).rejects.toBeInstanceOf(OrderStateConflictError);
  });

  it('passes other DynamoDB failures through untouched', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ProvisionedThroughputExceededException',
    });
    mock.on(TransactWriteCommand).rejects(throttled);
    await expect(store.reserve(order)).rejects.toBe(throttled);
  });

  it('refuses a move the state machine does not allow without writing', async () => {
    await expect(store.transition(order, 'PAID')).rejects.toBeInstanceOf(OrderStateConflictError);
    expect(mock.calls()).toHaveLength(0);
  });

  it('turns a lost compare-and-set into OrderStateConflictError', async () => {
    const invoiced = { ...order, status: 'INVOICED' as const };
    mock.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));
    await expect(store.transition(invoiced, 'PAID')).rejects.toBeInstanceOf(OrderStateConflictError);
    mock
      .on(UpdateCommand)
      .rejects(Object.assign(new Error('x'), { name: 'ConditionalCheckFailedException' }));
    await expect(store.transition(order, 'INVOICED', { invoiceReference: '1' })).rejects.toBeInstanceOf(
      OrderStateConflictError,
    );
  });
});
