/**
 * `npm start`: DynamoDB Local, the Glase sandbox and the real handlers on loopback, with
 * the demo catalog loaded. Every setting is an environment variable (see README).
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { loadConfig } from '../lambda/handlers/config.js';
import { type DynamoDbLocal, JavaMissingError, startDynamoDbLocal } from './dynamodb-local.js';
import { LOCAL_SECRETS, type LocalStack, startLocalStack } from './stack.js';

const env = process.env;
const port = Number(env.PORT ?? 3000);
const dynamoPort = Number(env.DYNAMODB_PORT ?? 8000);
const sandboxPort = Number(env.GLASE_SANDBOX_PORT ?? 8081);
const log = (line: string) => process.stdout.write(`${line}\n`);

const outboxFile = env.OUTBOX_FILE ?? '.local/outbox.jsonl';

async function main(): Promise<void> {
  await mkdir(dirname(outboxFile), { recursive: true });
  let dynamo: DynamoDbLocal | undefined;
  let stack: LocalStack | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await stack?.close().catch(() => undefined);
    await dynamo?.stop().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    const endpoint = env.DYNAMODB_ENDPOINT;
    if (endpoint) {
      log(`dynamodb   using ${endpoint}`);
    } else {
      dynamo = await startDynamoDbLocal(dynamoPort);
      log(`dynamodb   DynamoDB Local (in memory) on ${dynamo.endpoint}, pid ${dynamo.pid}`);
    }
    // The same configuration module the Lambda functions use, with local defaults filled in.
    const config = loadConfig({
      PRODUCTS_TABLE: 'unused',
      ORDERS_TABLE: 'unused',
      IDEMPOTENCY_TABLE: 'unused',
      GLASE_API_URL: env.GLASE_API_URL ?? `http://127.0.0.1:${sandboxPort}/soap`,
      GLASE_TERMINAL_ID: LOCAL_SECRETS.terminalId,
      GLASE_TERMINAL_PASSWORD: LOCAL_SECRETS.terminalPassword,
      GLASE_AUTH_SECRET: LOCAL_SECRETS.authSecret,
      GLASE_WEBSHOP_ID: 'local-shop',
      NOTIFICATION_SIGNING_KEY: LOCAL_SECRETS.signingKey,
      CALLER_AUTH: 'none',
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      SHOP_TITLE: 'Glase Demo Shop',
      ...definedOnly(env),
    });
    if (config.callerAuth === 'none') {
      log(
        'warning    CALLER_AUTH=none: createPurchase accepts any caller. Use CALLER_AUTH=token outside your laptop.',
      );
    }
    stack = await startLocalStack({
      dynamodbEndpoint: endpoint ?? dynamo?.endpoint ?? '',
      tablePrefix: env.TABLE_PREFIX ?? 'glase-checkout-',
      port,
      sandboxPort,
      glaseApiUrl: env.GLASE_API_URL,
      config: {
        glase: config.glase,
        callerAuth: config.callerAuth,
        publicBaseUrl: config.publicBaseUrl,
        shop: config.shop,
        idempotencyTtlSeconds: config.idempotencyTtlSeconds,
        invoiceTtlSeconds: config.invoiceTtlSeconds,
        localSecrets: config.localSecrets,
        outboxFile,
      },
    });
    log(
      `glase      ${stack.sandbox ? `sandbox on ${stack.sandbox.url}` : `Payment API at ${config.glase.url}`}`,
    );
    log(`tables     ${Object.values(stack.tables).join(', ')} (demo catalog loaded)`);
    log(`api        POST ${stack.apiUrl}/webshop/createPurchase`);
    log(`           POST ${stack.apiUrl}/webshop/notify/{orderId}?sig=…  (Glase's payment notification)`);
    const reconcileEvery = Number(env.RECONCILE_INTERVAL_SECONDS ?? 15);
    const running = stack;
    const timer = setInterval(() => {
      running.reconcile().catch((error: unknown) => log(`reconcile  failed: ${(error as Error).message}`));
    }, reconcileEvery * 1000);
    timer.unref();
    log(`reconcile  every ${reconcileEvery} s (RECONCILE_INTERVAL_SECONDS)`);
    if (stack.sandbox) {
      log(`sandbox    pay:    npm run sandbox:pay -- <invoiceReferenceId>`);
      log(`           look:   curl ${stack.sandbox.baseUrl}/sandbox/invoices/<invoiceReferenceId>`);
    }
    log(`events     ${outboxFile}`);
    log('ready      Ctrl-C stops everything');
  } catch (error) {
    if (error instanceof JavaMissingError) log(`error      ${error.message}`);
    else log(`error      ${(error as Error).message}`);
    await stop(1);
  }
}

/** The config module treats an empty variable as unset; only pass through what is set. */
function definedOnly(source: NodeJS.ProcessEnv): Record<string, string> {
  const keep = [
    'GLASE_API_URL',
    'GLASE_TERMINAL_ID',
    'GLASE_TERMINAL_PASSWORD',
    'GLASE_WEBSHOP_ID',
    'GLASE_AUTH_SECRET',
    'NOTIFICATION_SIGNING_KEY',
    'CALLER_AUTH',
    'PUBLIC_BASE_URL',
    'SHOP_TITLE',
    'SHOP_CASHIER_ID',
    'SHOP_RECEIPT_FOOTER',
    'IDEMPOTENCY_TTL_SECONDS',
    'INVOICE_TTL_SECONDS',
    'GLASE_TIMEOUT_MS',
    'GLASE_STATUS_TIMEOUT_MS',
  ];
  return Object.fromEntries(keep.flatMap((name) => (source[name] ? [[name, source[name] as string]] : [])));
}

await main();
