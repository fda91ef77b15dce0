import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

/**
 * The cold-start floor: the DynamoDB client alone, built as our functions build theirs and bundled
 * with the same options (infra/bundling.ts). Invoked, it makes one GetItem: credentials from the
 * environment, endpoint resolution, one request — what any function's first call must do.
 */
const client = new DynamoDBClient({});
export const handler = async () => {
  await client.send(
    new GetItemCommand({ TableName: process.env.PRODUCTS_TABLE, Key: { purchaseToken: { S: 'floor' } } }),
  );
  return { statusCode: 200 };
};
