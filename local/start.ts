/**
 * `npm start`: DynamoDB Local, the Glase sandbox and the real handlers on loopback, with
 * the demo catalog loaded and the reconciler on an interval. Every setting is an
 * environment variable (README: Configuration).
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { loadConfig } from '../lambda/handlers/config.js';
import { localEnvironment, localPorts } from './defaults.js';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.js';
import { type LocalStack, startLocalStack } from './stack.js';

const env = process.env;
// Locally there is no CloudWatch to read EMF metric lines; keep the terminal for logs.
env.POWERTOOLS_METRICS_DISABLED ??= 'true';
const ports = localPorts(env);
const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
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
    // The same configuration module the Lambda functions use, with local defaults filled in.
    const config = loadConfig(localEnvironment(env));
    const outboxFile = config.outboxFile ?? '.local/outbox.jsonl';
    await mkdir(dirname(outboxFile), { recursive: true });
    if (env.DYNAMODB_ENDPOINT) {
      log(`dynamodb   using ${env.DYNAMODB_ENDPOINT}`);
    } else {
      dynamo = await startDynamoDbLocal(ports.dynamodb);
      log(`dynamodb   DynamoDB Local (in memory) on ${dynamo.endpoint}, pid ${dynamo.pid}`);
    }
    if (config.callerAuth === 'none') {
      log(
        'warning    CALLER_AUTH=none: createPurchase accepts any caller. Use CALLER_AUTH=token outside your laptop.',
      );
    }
    stack = await startLocalStack({
      dynamodbEndpoint: env.DYNAMODB_ENDPOINT ?? dynamo?.endpoint ?? '',
      tablePrefix: env.TABLE_PREFIX ?? 'glase-checkout-',
      port: ports.api,
      sandboxPort: ports.sandbox,
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
    const reconcileEvery = Number(env.RECONCILE_INTERVAL_SECONDS ?? 15);
    const running = stack;
    setInterval(() => {
      running.reconcile().catch((error: unknown) => log(`reconcile  failed: ${(error as Error).message}`));
    }, reconcileEvery * 1000).unref();

    log(
      `glase      ${stack.sandbox ? `sandbox on ${stack.sandbox.url}` : `Payment API at ${config.glase.url}`}`,
    );
    log(`tables     ${Object.values(stack.tables).join(', ')} (demo catalog loaded)`);
    log(`api        POST ${stack.apiUrl}/webshop/createPurchase`);
    log(`           POST ${stack.apiUrl}/webshop/notify/{orderId}?sig=…  (Glase's payment notification)`);
    log(`reconcile  every ${reconcileEvery} s (RECONCILE_INTERVAL_SECONDS)`);
    if (stack.sandbox) {
      log('sandbox    pay:    npm run sandbox:pay -- <invoiceReferenceId>');
      log(`           look:   curl ${stack.sandbox.baseUrl}/sandbox/invoices/<invoiceReferenceId>`);
    }
    log(`events     ${outboxFile}`);
    log('operate    npm run cli -- orders list');
    log('ready      Ctrl-C stops everything');
  } catch (error) {
    log(`error      ${(error as Error).message}`);
    await stop(1);
  }
}

await main();
