/**
 * Every environment variable the functions read (lambda/wiring/config.ts), the stack sets
 * (infra/) and `npm start` fills (lambda/wiring/local-profile.ts): each of those is typed against
 * this list, so a name misspelt in any of them does not compile.
 */
export const ENVIRONMENT = [
  'PRODUCTS_TABLE',
  'ORDERS_TABLE',
  'IDEMPOTENCY_TABLE',
  'AWS_REGION',
  'DYNAMODB_ENDPOINT',
  'DYNAMODB_ATTEMPT_TIMEOUT_MS',
  'HELD_SHARE_PERCENT',
  'GLASE_API_URL',
  'GLASE_TIMEOUT_MS',
  'GLASE_STATUS_TIMEOUT_MS',
  'NOTIFICATION_DEADLINE_MS',
  'GLASE_CLIENT_ID',
  'GLASE_WEBSHOP_ID',
  'CALLER_AUTH',
  'PUBLIC_BASE_URL',
  'SHOP_TITLE',
  'SHOP_CASHIER_ID',
  'SHOP_RECEIPT_FOOTER',
  'DEFAULT_CURRENCY',
  'IDEMPOTENCY_TTL_SECONDS',
  'INVOICE_TTL_SECONDS',
  'REFUND_PENDING_ALERT_MINUTES',
  'OPEN_ORDERS_PER_SHOPPER',
  'GLASE_CREDENTIALS_SECRET_ARN',
  'SIGNING_KEY_SECRET_ARN',
  'URL_KEY_SECRET_ARN',
  'GLASE_TERMINAL_ID',
  'GLASE_TERMINAL_PASSWORD',
  'GLASE_AUTH_SECRET',
  'NOTIFICATION_SIGNING_KEY',
  'CREATE_PURCHASE_URL_KEY',
  'EVENT_BUS_NAME',
  'OUTBOX_FILE',
  'MAIL_FROM',
  'SELLER_NAME',
  'SELLER_ORG_NUMBER',
  'SELLER_ADDRESS',
  'BOOKKEEPING_ACCOUNTS',
  'PERSONAL_DATA_RETENTION_DAYS',
  'EVENTS_INCLUDE_CUSTOMER',
  'WEBHOOKS',
  'WEBHOOK_URL',
  'WEBHOOK_SECRET',
  'WEBHOOK_QUEUE_URL',
  'MAIL_SUBJECT_PAID',
  'MAIL_SUBJECT_REFUNDED',
  'MAIL_DIR',
] as const;
export type EnvName = (typeof ENVIRONMENT)[number];
/** Settings as environment variables: only names from the list above. */
export type Environment = Partial<Record<EnvName, string>>;

/** One endpoint in WEBHOOKS (a JSON list): as the stack writes it and the functions read it. */
export interface WebhooksEntry {
  /** Names the endpoint in the delivery log. */
  readonly id: string;
  readonly url: string;
  /** The event types it takes (`order.paid`…); every one when empty. */
  readonly events: readonly string[];
  /** Its signing secret in Secrets Manager: `{"current": "…"}`, with `"previous"` while rotating. */
  readonly secretArn: string;
}
