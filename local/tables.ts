import {
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  IDEMPOTENCY_KEY,
  LOOKUP_ORDER_ID,
  ORDERS_BY_LOOKUP_INDEX,
  ORDERS_BY_LOOKUP_PARTITION,
  ORDERS_BY_LOOKUP_SORT,
  ORDERS_BY_STATUS_INDEX,
  ORDERS_BY_STATUS_PARTITION,
  ORDERS_BY_STATUS_SORT,
  ORDERS_KEY,
  PRODUCTS_KEY,
  type TableNames,
} from '../lambda/store/schema.js';

/** Creates the three tables as the CDK stack declares them; existing tables are kept. */
export async function createTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  const create = async (input: ConstructorParameters<typeof CreateTableCommand>[0]) => {
    try {
      await client.send(new CreateTableCommand({ BillingMode: 'PAY_PER_REQUEST', ...input }));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  };
  await Promise.all([
    create({
      TableName: names.products,
      AttributeDefinitions: [{ AttributeName: PRODUCTS_KEY, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: PRODUCTS_KEY, KeyType: 'HASH' }],
    }),
    create({
      TableName: names.orders,
      AttributeDefinitions: [
        { AttributeName: ORDERS_KEY, AttributeType: 'S' },
        { AttributeName: ORDERS_BY_STATUS_PARTITION, AttributeType: 'S' },
        { AttributeName: ORDERS_BY_STATUS_SORT, AttributeType: 'S' },
        { AttributeName: ORDERS_BY_LOOKUP_PARTITION, AttributeType: 'S' },
        { AttributeName: ORDERS_BY_LOOKUP_SORT, AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: ORDERS_KEY, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: ORDERS_BY_STATUS_INDEX,
          KeySchema: [
            { AttributeName: ORDERS_BY_STATUS_PARTITION, KeyType: 'HASH' },
            { AttributeName: ORDERS_BY_STATUS_SORT, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: ORDERS_BY_LOOKUP_INDEX,
          KeySchema: [
            { AttributeName: ORDERS_BY_LOOKUP_PARTITION, KeyType: 'HASH' },
            { AttributeName: ORDERS_BY_LOOKUP_SORT, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [LOOKUP_ORDER_ID] },
        },
      ],
    }),
    create({
      TableName: names.idempotency,
      AttributeDefinitions: [{ AttributeName: IDEMPOTENCY_KEY, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: IDEMPOTENCY_KEY, KeyType: 'HASH' }],
    }),
  ]);
  await client
    .send(
      new UpdateTimeToLiveCommand({
        TableName: names.idempotency,
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      }),
    )
    .catch(() => undefined); // already enabled on a reused table
}
