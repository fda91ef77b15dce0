import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoOptions {
  readonly region?: string | undefined;
  /** DynamoDB Local's address; unset in AWS. */
  readonly endpoint?: string | undefined;
  /** Called once per DynamoDB request sent, for the round-trip figures. */
  readonly onRequest?: (command: string) => void;
}

export interface DynamoClients {
  readonly client: DynamoDBClient;
  readonly document: DynamoDBDocumentClient;
}

/** One client per container: built once at cold start and shared by every adapter. */
export function createDynamoClients(options: DynamoOptions = {}): DynamoClients {
  // No region of our own: Lambda sets AWS_REGION, the CLI takes the stack's, local uses `local`.
  const config: DynamoDBClientConfig = options.region ? { region: options.region } : {};
  if (options.endpoint) {
    config.endpoint = options.endpoint;
    // DynamoDB Local accepts any key; the SDK just needs one so it does not hunt for credentials.
    config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  }
  const client = new DynamoDBClient(config);
  if (options.onRequest) {
    const onRequest = options.onRequest;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        onRequest(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );
  }
  const document = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { client, document };
}
