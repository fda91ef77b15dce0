import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * The cold-start floor while the AWS SDK stays: the DynamoDB client alone, built once as our
 * functions build theirs, bundled with the same options.
 */
const client = new DynamoDBClient({});
export const handler = async () => ({ statusCode: 200, body: String(client.config.serviceId) });
