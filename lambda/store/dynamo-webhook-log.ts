import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { EXPIRES_AT, IDEMPOTENCY_BY_KIND, IDEMPOTENCY_KEY, KEY_PREFIX } from '../../contract/tables.js';
import type { EndpointDelivery, WebhookDelivery } from '../checkout/model/webhook.js';
import type { WebhookLog } from '../checkout/ports.js';
import { decodePage, encodePage } from './pages.js';

const KIND = 'webhook';

/**
 * The webhook delivery log in the idempotency table: one `webhook#<event id>` item per event,
 * found newest first through the sparse `byKind` index, forgotten by TTL.
 */
export class DynamoWebhookLog implements WebhookLog {
  constructor(
    private readonly document: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private key(eventId: string) {
    return { [IDEMPOTENCY_KEY]: `${KEY_PREFIX.webhook}${eventId}` };
  }

  async record(delivery: WebhookDelivery, expiresAt: number): Promise<WebhookDelivery> {
    try {
      await this.document.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...this.key(delivery.eventId),
            [IDEMPOTENCY_BY_KIND.partition]: KIND,
            [IDEMPOTENCY_BY_KIND.sort]: `${new Date(delivery.created * 1000).toISOString()}#${delivery.eventId}`,
            ...delivery,
            [EXPIRES_AT]: expiresAt,
          },
          ConditionExpression: 'attribute_not_exists(#key)',
          ExpressionAttributeNames: { '#key': IDEMPOTENCY_KEY },
        }),
      );
      return delivery;
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      const stored = await this.get(delivery.eventId);
      if (!stored) throw error;
      return stored;
    }
  }

  async get(eventId: string): Promise<WebhookDelivery | undefined> {
    const { Item } = await this.document.send(
      new GetCommand({ TableName: this.table, Key: this.key(eventId), ConsistentRead: true }),
    );
    return Item ? toDelivery(Item) : undefined;
  }

  async update(
    eventId: string,
    endpoints: Readonly<Record<string, EndpointDelivery>>,
    nextAttemptAt: number | undefined,
  ): Promise<void> {
    await this.document.send(
      new UpdateCommand({
        TableName: this.table,
        Key: this.key(eventId),
        UpdateExpression:
          nextAttemptAt === undefined
            ? 'SET endpoints = :e REMOVE nextAttemptAt'
            : 'SET endpoints = :e, nextAttemptAt = :n',
        ConditionExpression: 'attribute_exists(#key)',
        ExpressionAttributeNames: { '#key': IDEMPOTENCY_KEY },
        ExpressionAttributeValues: {
          ':e': endpoints,
          ...(nextAttemptAt === undefined ? {} : { ':n': nextAttemptAt }),
        },
      }),
    );
  }

  async forget(eventIds: readonly string[]): Promise<void> {
    await Promise.all(
      eventIds.map((eventId) =>
        this.document.send(new DeleteCommand({ TableName: this.table, Key: this.key(eventId) })),
      ),
    );
  }

  async list(limit: number, page?: string) {
    const result = await this.document.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: IDEMPOTENCY_BY_KIND.index,
        KeyConditionExpression: '#kind = :kind',
        ExpressionAttributeNames: { '#kind': IDEMPOTENCY_BY_KIND.partition },
        ExpressionAttributeValues: { ':kind': KIND },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: decodePage(page),
      }),
    );
    return {
      deliveries: (result.Items ?? []).map(toDelivery),
      nextPage: encodePage(result.LastEvaluatedKey),
    };
  }
}

function toDelivery(item: Record<string, unknown>): WebhookDelivery {
  return {
    eventId: String(item.eventId),
    type: item.type as WebhookDelivery['type'],
    orderId: String(item.orderId),
    created: Number(item.created),
    body: String(item.body),
    endpoints: item.endpoints as WebhookDelivery['endpoints'],
    nextAttemptAt: item.nextAttemptAt === undefined ? undefined : Number(item.nextAttemptAt),
  };
}
