import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';

export type BatchGetRequest = NonNullable<ConstructorParameters<typeof BatchGetCommand>[0]['RequestItems']>;

const MAX_ROUNDS = 5;

/**
 * Every item `requested` names that exists, from all its tables, asking again for what DynamoDB
 * left unprocessed (it may, under load). A key still unprocessed after five rounds is an error,
 * never silently a missing item: a product that seems gone is refused as unknown, a shard that
 * seems gone as empty.
 */
export async function batchGet(
  document: DynamoDBDocumentClient,
  requested: BatchGetRequest,
  abortSignal?: AbortSignal,
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  let keys: BatchGetRequest | undefined = requested;
  for (let round = 0; keys && Object.keys(keys).length > 0; round++) {
    if (round === MAX_ROUNDS) throw new Error('DynamoDB left keys unprocessed five times in a row');
    const answer: BatchGetCommandOutput = await document.send(new BatchGetCommand({ RequestItems: keys }), {
      abortSignal,
    });
    for (const items of Object.values(answer.Responses ?? {})) found.push(...items);
    keys = answer.UnprocessedKeys;
  }
  return found;
}
