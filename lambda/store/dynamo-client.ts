import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoOptions {
  readonly region?: string | undefined;
  /** DynamoDB Local's address; unset in AWS. */
  readonly endpoint?: string | undefined;
  /** Called once per DynamoDB request sent, for the round-trip figures. */
  readonly onRequest?: (command: string) => void;
  /**
   * Called for each request DynamoDB refused, with the error's name and, for a cancelled
   * transaction, each item's reason (`TransactionCanceledException[None,TransactionConflict]`).
   */
  readonly onRefusal?: (command: string, refusal: string) => void;
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
  const { onRequest, onRefusal } = options;
  if (onRequest || onRefusal) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = String(context.commandName);
        onRequest?.(command);
        try {
          return await next(args);
        } catch (error) {
          const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
          const detail = reasons ? `[${reasons.map((reason) => reason.Code ?? '?').join(',')}]` : '';
          onRefusal?.(command, `${(error as Error).name}${detail}`);
          throw error;
        }
      },
      { step: 'initialize', name: 'countRequests' },
    );
  }
  const document = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { client, document };
}
