import { randomUUID } from 'node:crypto';
import { catalogOf } from '../../lambda/checkout/use-cases/catalog.js';
import { createDynamoClients } from '../../lambda/store/dynamo-client.js';
import { DynamoStore } from '../../lambda/store/dynamo-store.js';
import { DynamoWebhookLog } from '../../lambda/store/dynamo-webhook-log.js';
import { LOCAL_REGION, localTableNames } from '../../lambda/wiring/local-profile.js';
import { createTables } from '../../local/tables.js';
import { describeStores } from './stores.contract.js';
import { describeWebhookLogs } from './webhook-log.contract.js';

describeStores('DynamoDB Local', async () => {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT;
  if (!endpoint)
    throw new Error(
      'TEST_DYNAMODB_ENDPOINT is not set; run through jest (globalSetup starts DynamoDB Local)',
    );
  const clients = createDynamoClients({ endpoint, region: LOCAL_REGION });
  const tables = localTableNames(`contract${randomUUID().slice(0, 8)}-`);
  await createTables(clients.client, tables);
  return { store: new DynamoStore(clients.document, tables), close: async () => clients.client.destroy() };
});

describeWebhookLogs('DynamoDB Local', async () => {
  const clients = createDynamoClients({
    endpoint: process.env.TEST_DYNAMODB_ENDPOINT as string,
    region: LOCAL_REGION,
  });
  const tables = localTableNames(`hooks${randomUUID().slice(0, 8)}-`);
  await createTables(clients.client, tables);
  return {
    log: new DynamoWebhookLog(clients.document, tables.idempotency),
    close: async () => clients.client.destroy(),
  };
});

describe('DynamoDB Local: a stock change across shards never plans from a torn read', () => {
  it('a re-spread landing between reading the product item and its shards makes the change read again, losing no unit', async () => {
    const endpoint = process.env.TEST_DYNAMODB_ENDPOINT as string;
    const clients = createDynamoClients({ endpoint, region: LOCAL_REGION });
    const tables = localTableNames(`torn${randomUUID().slice(0, 8)}-`);
    await createTables(clients.client, tables);
    const other = catalogOf(new DynamoStore(clients.document, tables));
    const token = 'TORN-1';
    await other.upsert(
      {
        purchaseToken: token,
        sku: 'T',
        description: 'Torn',
        unitPriceMinor: 100,
        currency: 'SEK',
        taxRatePercent: 25,
        onHand: 6,
      },
      { setStock: false },
    );
    await other.setStockShards(token, 3);
    // The catalog under test: right after its first read of the product item, another operator
    // re-spreads the stock over 4 shards (the product item's own counters stay as they were).
    let interleaved = false;
    const racing = Object.create(clients.document) as typeof clients.document;
    racing.send = (async (command: { constructor: { name: string } }, ...rest: unknown[]) => {
      const answer = await (clients.document.send as (...args: unknown[]) => Promise<unknown>)(
        command,
        ...rest,
      );
      if (!interleaved && command.constructor.name === 'GetCommand') {
        interleaved = true;
        await other.setStockShards(token, 4);
      }
      return answer;
    }) as typeof clients.document.send;
    const catalog = catalogOf(new DynamoStore(racing, tables));

    const after = await catalog.adjustStock(token, { delta: 0 });

    expect(interleaved).toBe(true);
    expect(after).toMatchObject({ onHand: 6, available: 6, stockShards: 4 });
    expect(await other.getProduct(token)).toMatchObject({ onHand: 6, available: 6, stockShards: 4 });
    clients.client.destroy();
  });
});
