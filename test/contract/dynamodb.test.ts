import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoCatalog } from '../../lambda/store/dynamo-catalog.js';
import { createDynamoClients } from '../../lambda/store/dynamo-client.js';
import { DynamoOrderStore } from '../../lambda/store/dynamo-orders.js';
import { LOCAL_REGION, localTableNames } from '../../lambda/wiring/local-profile.js';
import { createTables } from '../../local/tables.js';
import { describeStores } from './stores.contract.js';

describeStores('DynamoDB Local', async () => {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT;
  if (!endpoint)
    throw new Error(
      'TEST_DYNAMODB_ENDPOINT is not set; run through jest (globalSetup starts DynamoDB Local)',
    );
  const clients = createDynamoClients({ endpoint, region: LOCAL_REGION });
  const tables = localTableNames(`contract${randomUUID().slice(0, 8)}-`);
  await createTables(clients.client, tables);
  return {
    orders: new DynamoOrderStore(clients.document, tables),
    catalog: new DynamoCatalog(clients.document, tables.products),
    // The item exactly as the code before the stock model wrote it.
    seedLegacyProduct: async (entry, stock) => {
      await clients.document.send(
        new PutCommand({ TableName: tables.products, Item: { ...entry, ...stock } }),
      );
    },
    seedOrder: async (order) => {
      await clients.document.send(new PutCommand({ TableName: tables.orders, Item: order }));
    },
    close: async () => clients.client.destroy(),
  };
});
