import {
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { TABLES, type TableNames } from '../contract/tables.js';

/** Creates the three tables as contract/tables.ts shapes them (the stack builds the same); existing ones are kept. */
export async function createTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  await Promise.all(
    (Object.keys(TABLES) as (keyof TableNames)[]).map(async (table) => {
      const shape = TABLES[table];
      const attributes = [
        ...new Set([shape.key, ...shape.indexes.flatMap((index) => [index.partition, index.sort])]),
      ];
      try {
        await client.send(
          new CreateTableCommand({
            TableName: names[table],
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
            KeySchema: [{ AttributeName: shape.key, KeyType: 'HASH' }],
            ...(shape.indexes.length > 0
              ? {
                  GlobalSecondaryIndexes: shape.indexes.map((index) => ({
                    IndexName: index.name,
                    KeySchema: [
                      { AttributeName: index.partition, KeyType: 'HASH' },
                      { AttributeName: index.sort, KeyType: 'RANGE' },
                    ],
                    Projection:
                      index.projection === 'all'
                        ? { ProjectionType: 'ALL' }
                        : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection] },
                  })),
                }
              : {}),
          }),
        );
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      if (shape.expiresAt) {
        await client
          .send(
            new UpdateTimeToLiveCommand({
              TableName: names[table],
              TimeToLiveSpecification: { AttributeName: shape.expiresAt, Enabled: true },
            }),
          )
          .catch(() => undefined); // already enabled on a reused table
      }
    }),
  );
}
