import { readFile } from 'node:fs/promises';
import { CREATE_PURCHASE_RESOURCE, NOTIFY_RESOURCE } from '../contract/routes.js';
import { CREATE_PURCHASE_TIMEOUT_SECONDS } from '../contract/service.js';
import { callerToken } from '../lambda/checkout/model/caller-auth.js';
import type { EventPublisher, PaymentGateway, Store } from '../lambda/checkout/ports.js';
import {
  composeBundles,
  importCatalog,
  validateCatalog,
} from '../lambda/checkout/use-cases/catalog-import.js';
import type { ReconcileReport } from '../lambda/checkout/use-cases/reconcile.js';
import type { WebhookDeps } from '../lambda/checkout/use-cases/webhooks.js';
import { createPurchaseHandler } from '../lambda/handlers/create-purchase-handler.js';
import { paymentNotificationHandler } from '../lambda/handlers/payment-notification-handler.js';
import { reconcileHandler } from '../lambda/handlers/reconcile-handler.js';
import {
  createDynamoClients,
  type DynamoClients,
  type DynamoOptions,
} from '../lambda/store/dynamo-client.js';
import { type Config, loadConfig } from '../lambda/wiring/config.js';
import { wireCreatePurchase } from '../lambda/wiring/create-purchase.js';
import { localEvents, localWebhooks } from '../lambda/wiring/local-events.js';
import {
  LOCAL_REGION,
  LOCAL_SECRETS,
  LOCAL_TABLE_PREFIX,
  localEnvironment,
  localQrScriptUrl,
  SANDBOX_APP_PATH,
  SANDBOX_QR_SCRIPT_PATH,
} from '../lambda/wiring/local-profile.js';
import { type OperatorWiring, wireOperator } from '../lambda/wiring/operator.js';
import { observability, type WiringOptions } from '../lambda/wiring/parts.js';
import { retentionLogs, wireSettlement } from '../lambda/wiring/settlement.js';
import { type ApiServer, type LambdaHandler, type Route, startApiServer } from './api-gateway.js';
import { startDemoShop } from './demo-shop.js';
import { GlaseSandbox, type SandboxOptions } from './glase-sandbox/index.js';
import { createTables } from './tables.js';

export const DEMO_CATALOG = new URL('./catalog.json', import.meta.url);

/** What a test may replace in the handlers' wiring. */
export interface Ports {
  readonly store: Store;
  readonly glase: PaymentGateway;
}

export { LOCAL_SECRETS } from '../lambda/wiring/local-profile.js';

export interface LocalStackOptions {
  /** A running DynamoDB Local (tests share one; `npm start` launches its own). */
  readonly dynamodbEndpoint: string;
  readonly tablePrefix?: string;
  readonly host?: string;
  readonly port?: number;
  readonly sandboxPort?: number;
  readonly sandboxOptions?: Pick<SandboxOptions, 'reversalAfterMs'>;
  /** Use this Glase endpoint instead of starting the sandbox. */
  readonly glaseApiUrl?: string;
  readonly catalogFile?: URL | string | false;
  /**
   * Settings on top of the local profile, as environment variables, read through the same
   * configuration module the functions use. Without PUBLIC_BASE_URL, notification URLs point
   * at whatever address the request came to; without OUTBOX_FILE, no event file is written, and
   * without MAIL_DIR no shopper mail.
   */
  readonly environment?: Readonly<Record<string, string>>;
  /** The createPurchase function's timeout (as deployed unless given); a test shortens it. */
  readonly createPurchaseTimeoutMs?: number;
  /** Logger and clock for every factory. */
  readonly wiring?: Pick<WiringOptions, 'logger' | 'clock'>;
  /** Told of every DynamoDB request, and of every refused condition (tests and the bench count them). */
  readonly dynamoCounters?: Pick<DynamoOptions, 'onRequest' | 'onRefusal' | 'onCapacity'>;
  /** The ports the handlers get, as a test wants them: a store that fails at an exact write, say. */
  readonly ports?: (ports: Ports) => Ports;
  readonly events?: EventPublisher;
  /** More routes behind the same API emulation (the bench's baseline handler). */
  readonly extraRoutes?: readonly Route[];
  /** Serve the demo shop's product pages on this port (0: any free one); none when absent. */
  readonly shopPort?: number;
}

export interface LocalStack {
  readonly apiUrl: string;
  /** The createPurchase URL to give Glase, with the URL key when CALLER_AUTH=url-key. */
  readonly createPurchaseUrl: string;
  readonly sandbox?: GlaseSandbox | undefined;
  readonly config: Config;
  readonly tables: Config['tables'];
  readonly dynamo: DynamoClients;
  /** The operator's side: catalog, orders, refunds, as the CLI builds them. */
  readonly operator: OperatorWiring;
  /** The demo shop's index, when asked for (`shopPort`). */
  readonly shopUrl?: string | undefined;
  /** The sandbox's Glase app, when the sandbox runs. */
  readonly appUrl?: string | undefined;
  /** The webhook deliverer when WEBHOOK_URL is set: `attemptDueWebhooks` is the retry sweep. */
  readonly webhooks?: WebhookDeps | undefined;
  /** Runs the scheduled reconciler once, as EventBridge Scheduler would. */
  reconcile(): Promise<ReconcileReport>;
  close(): Promise<void>;
}

/** The resource path Glase calls, per caller-authentication mode. */
export function createPurchaseResource(config: Pick<Config, 'callerAuth'>): string {
  return CREATE_PURCHASE_RESOURCE[config.callerAuth === 'url-key' ? 'url-key' : 'plain'];
}

/**
 * The whole backend on loopback: tables in DynamoDB Local, the Glase sandbox, and the real
 * handlers behind an API Gateway emulation. `npm start` and the integration tests share it.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  const given = options.environment ?? {};
  // The local profile plus what the caller set, never the caller's shell.
  const base = loadConfig(
    localEnvironment({ TABLE_PREFIX: options.tablePrefix ?? LOCAL_TABLE_PREFIX, ...given }),
  );
  let sandbox: GlaseSandbox | undefined;
  let glaseUrl = options.glaseApiUrl;
  if (!glaseUrl) {
    sandbox = new GlaseSandbox({
      host,
      port: options.sandboxPort ?? 0,
      terminalId: given.GLASE_TERMINAL_ID ?? LOCAL_SECRETS.terminalId,
      password: given.GLASE_TERMINAL_PASSWORD ?? LOCAL_SECRETS.terminalPassword,
      ...options.sandboxOptions,
    });
    glaseUrl = await sandbox.start();
  }
  const config: Config = {
    ...base,
    publicBaseUrl: given.PUBLIC_BASE_URL,
    outboxFile: given.OUTBOX_FILE,
    // Like the outbox: the shopper's mails are written only where the caller says.
    mail: base.mail && given.MAIL_DIR ? { ...base.mail, directory: given.MAIL_DIR } : undefined,
    glase: { ...base.glase, url: glaseUrl },
    region: LOCAL_REGION,
    dynamodbEndpoint: options.dynamodbEndpoint,
  };
  const dynamo = createDynamoClients({
    region: config.region,
    endpoint: config.dynamodbEndpoint,
    attemptTimeoutMs: config.dynamodbAttemptTimeoutMs,
    ...options.dynamoCounters,
  });
  const wiring: WiringOptions = { ...options.wiring, dynamo };
  const operator = wireOperator(config, wiring);
  const ports = options.ports ?? ((given: Ports) => given);
  const webhooks = localWebhooks(config, wiring);
  const settled = wireSettlement(config, {
    ...wiring,
    events: options.events ?? localEvents(config, observability(wiring), wiring, webhooks),
  });
  // The handlers get the ports a test asked for; the operator's side keeps the real ones.
  const settlement = {
    ...settled,
    settlement: { ...settled.settlement, ...ports(settled.settlement) },
    urgentSettlement: { ...settled.urgentSettlement, ...ports(settled.urgentSettlement) },
  };
  const purchase = wireCreatePurchase(config, wiring);
  const { tables } = config;
  await createTables(dynamo.client, tables);
  if (options.catalogFile !== false) {
    const file = options.catalogFile ?? DEMO_CATALOG;
    const rows = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>[];
    // Checked and written as `products import` does: products exactly as the code writes them.
    const validated = validateCatalog(rows, config.defaultCurrency);
    const composed = await composeBundles(operator.catalog, validated);
    const issues = [...validated.issues, ...composed.issues];
    if (issues.length > 0) throw new Error(`${file}: ${JSON.stringify(issues)}`);
    await importCatalog(operator.catalog, validated.products, { setStock: false, bundles: composed.bundles });
  }

  let api: ApiServer;
  try {
    api = await startApiServer({
      host,
      port: options.port ?? 0,
      routes: [
        {
          method: 'POST',
          resource: createPurchaseResource(config),
          functionName: 'createPurchase',
          handler: createPurchaseHandler({
            ...purchase,
            purchase: { ...purchase.purchase, ...ports(purchase.purchase) },
          }) as unknown as LambdaHandler,
          timeoutMs: options.createPurchaseTimeoutMs ?? CREATE_PURCHASE_TIMEOUT_SECONDS * 1000,
        },
        {
          method: 'POST',
          resource: NOTIFY_RESOURCE,
          functionName: 'paymentNotification',
          handler: paymentNotificationHandler(settlement) as unknown as LambdaHandler,
          timeoutMs: config.glase.notificationDeadlineMs + 5_000,
        },
        ...(options.extraRoutes ?? []),
      ],
    });
  } catch (error) {
    await sandbox?.stop();
    dynamo.client.destroy();
    throw error;
  }
  const reconciler = reconcileHandler(settlement, retentionLogs(config, wiring));
  const reconcile = () =>
    reconciler({}, {
      functionName: 'reconcile',
      awsRequestId: `reconcile-${Date.now()}`,
      getRemainingTimeInMillis: () => 120_000,
    } as never);
  const urlKey =
    config.callerAuth === 'url-key' ? await operator.secrets.urlKey().catch(() => '{urlKey}') : '';
  const createPurchaseUrl = `${api.url}${createPurchaseResource(config).replace('{urlKey}', urlKey)}`;
  const webshopId = config.glase.webshopId ?? '';
  // The sandbox's app calls the shop as Glase would: with the X-Auth-Token Glase's contract gives.
  const authSecret =
    config.callerAuth === 'token' ? await operator.secrets.authSecret().catch(() => undefined) : undefined;
  sandbox?.connectShop({
    createPurchaseUrl,
    headers: authSecret ? { 'X-Auth-Token': callerToken(webshopId, authSecret) } : {},
  });
  const shop =
    options.shopPort === undefined
      ? undefined
      : await startDemoShop({
          host,
          port: options.shopPort,
          catalog: operator.catalog,
          webshopId,
          shopTitle: config.shop.title,
          scriptUrl: sandbox ? `${sandbox.baseUrl}${SANDBOX_QR_SCRIPT_PATH}` : localQrScriptUrl(),
        });
  return {
    apiUrl: api.url,
    createPurchaseUrl,
    shopUrl: shop?.url,
    appUrl: sandbox ? `${sandbox.baseUrl}${SANDBOX_APP_PATH}` : undefined,
    sandbox,
    config,
    tables,
    dynamo,
    operator,
    webhooks,
    reconcile,
    close: async () => {
      await shop?.close();
      await api.close();
      await sandbox?.stop();
      dynamo.client.destroy();
    },
  };
}
