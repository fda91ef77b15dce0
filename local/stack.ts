import { readFile } from 'node:fs/promises';
import * as z from 'zod/mini';
import { productSchema } from '../lambda/checkout/product.js';
import type { ReconcileReport } from '../lambda/checkout/reconcile.js';
import { type Config, loadConfig } from '../lambda/handlers/config.js';
import { createPurchaseHandler } from '../lambda/handlers/create-purchase-handler.js';
import { paymentNotificationHandler } from '../lambda/handlers/payment-notification-handler.js';
import { reconcileHandler } from '../lambda/handlers/reconcile-handler.js';
import { createRuntime, type Runtime, type RuntimeHooks } from '../lambda/handlers/runtime.js';
import { type ApiServer, type LambdaHandler, startApiServer } from './api-gateway.js';
import { LOCAL_SECRETS, localEnvironment } from './defaults.js';
import { GlaseSandbox, type SandboxOptions } from './glase-sandbox/index.js';
import { createTables, putProducts } from './tables.js';

export const DEMO_CATALOG = new URL('./catalog.json', import.meta.url);

export { LOCAL_SECRETS } from './defaults.js';

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
  readonly config?: Partial<Omit<Config, 'tables' | 'dynamodb' | 'glase'>> & {
    glase?: Partial<Config['glase']>;
  };
  readonly hooks?: RuntimeHooks;
  /** Lets a test swap a port for a failing one, e.g. to simulate a crash between two writes. */
  readonly adjustRuntime?: (runtime: Runtime) => Runtime;
}

export interface LocalStack {
  readonly apiUrl: string;
  readonly sandbox?: GlaseSandbox | undefined;
  readonly runtime: Runtime;
  readonly tables: Runtime['config']['tables'];
  /** Runs the scheduled reconciler once, as EventBridge Scheduler would. */
  reconcile(): Promise<ReconcileReport>;
  close(): Promise<void>;
}

/**
 * The whole backend on loopback: tables in DynamoDB Local, the Glase sandbox, and the real
 * handlers behind an API Gateway emulation. `npm start` and the integration tests share it.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  let sandbox: GlaseSandbox | undefined;
  let glaseUrl = options.glaseApiUrl;
  if (!glaseUrl) {
    sandbox = new GlaseSandbox({
      host,
      port: options.sandboxPort ?? 0,
      terminalId: (options.config?.localSecrets ?? LOCAL_SECRETS).terminalId,
      password: (options.config?.localSecrets ?? LOCAL_SECRETS).terminalPassword,
      ...options.sandboxOptions,
    });
    glaseUrl = await sandbox.start();
  }
  // The same local defaults `npm start` uses, read through the same configuration module,
  // from a fixed environment so a stack never depends on the caller's shell. It answers
  // notifications on whatever address it got and writes no outbox file unless asked.
  const base = loadConfig(localEnvironment({ TABLE_PREFIX: options.tablePrefix ?? 'glase-checkout-' }));
  const { glase, ...overrides } = options.config ?? {};
  const config: Config = {
    ...base,
    publicBaseUrl: undefined,
    outboxFile: undefined,
    ...overrides,
    glase: { ...base.glase, ...glase, url: glaseUrl },
    dynamodb: { endpoint: options.dynamodbEndpoint, region: 'local' },
  };
  const { tables } = config;
  const built = createRuntime(config, options.hooks);
  const runtime = options.adjustRuntime ? options.adjustRuntime(built) : built;
  await createTables(runtime.dynamo.client, tables);
  if (options.catalogFile !== false) {
    const products = z
      .array(productSchema)
      .parse(JSON.parse(await readFile(options.catalogFile ?? DEMO_CATALOG, 'utf8')));
    await putProducts(runtime.dynamo.document, tables.products, products);
  }

  let api: ApiServer;
  try {
    api = await startApiServer({
      host,
      port: options.port ?? 0,
      routes: [
        {
          method: 'POST',
          resource: '/webshop/createPurchase',
          functionName: 'createPurchase',
          handler: createPurchaseHandler(runtime) as unknown as LambdaHandler,
          timeoutMs: 15_000,
        },
        {
          method: 'POST',
          resource: '/webshop/notify/{orderId}',
          functionName: 'paymentNotification',
          handler: paymentNotificationHandler(runtime) as unknown as LambdaHandler,
          timeoutMs: 10_000,
        },
      ],
    });
  } catch (error) {
    await sandbox?.stop();
    throw error;
  }
  const reconciler = reconcileHandler(runtime);
  const reconcile = () =>
    reconciler({}, {
      functionName: 'reconcile',
      awsRequestId: `reconcile-${Date.now()}`,
      getRemainingTimeInMillis: () => 120_000,
    } as never);
  return {
    apiUrl: api.url,
    sandbox,
    runtime,
    tables,
    reconcile,
    close: async () => {
      await api.close();
      await sandbox?.stop();
      runtime.dynamo.client.destroy();
    },
  };
}
