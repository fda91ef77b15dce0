/**
 * `npm start`: DynamoDB Local, the Glase sandbox and the real handlers on loopback, with
 * the demo catalog loaded and the reconciler on an interval. Every setting is an
 * environment variable (README: Configuration).
 */

import { createServer } from 'node:net';
import { NOTIFY_RESOURCE } from '../contract/routes.js';
import { attemptDueWebhooks } from '../lambda/checkout/use-cases/webhooks.js';
import { loadConfig } from '../lambda/wiring/config.js';
import {
  LOCAL_OUTBOX_FILE,
  LOCAL_RECONCILE_INTERVAL_SECONDS,
  LOCAL_TABLE_PREFIX,
  LOCAL_WEBHOOK_SWEEP_SECONDS,
  localEnvironment,
  localPorts,
} from '../lambda/wiring/local-profile.js';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.js';
import { type LocalStack, startLocalStack } from './stack.js';

const env = process.env;
// Locally there is no CloudWatch to read EMF metric lines; keep the terminal for logs.
env.POWERTOOLS_METRICS_DISABLED ??= 'true';
const ports = localPorts(env);
const log = (line: string) => process.stdout.write(`${line}\n`);

/** The first port that is already taken, checked before anything is started. */
async function busyPort(
  wanted: readonly { name: string; variable: string; port: number }[],
): Promise<{ name: string; variable: string; port: number } | undefined> {
  for (const candidate of wanted) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(candidate.port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (!free) return candidate;
  }
  return undefined;
}

/** The environment a second terminal needs to reach this `npm start`, when it is not the default. */
function cliEnvironment(): string {
  const names = [
    'PORT',
    'DYNAMODB_PORT',
    'GLASE_SANDBOX_PORT',
    'DYNAMODB_ENDPOINT',
    'TABLE_PREFIX',
    'GLASE_API_URL',
    'CALLER_AUTH',
    'WEBHOOK_URL',
  ];
  return names
    .filter((name) => env[name])
    .map((name) => `${name}=${env[name]} `)
    .join('');
}

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
    // The same configuration module the Lambda functions use, with the local profile filled in.
    const environment = localEnvironment(env);
    const config = loadConfig(environment);
    const busy = await busyPort([
      { name: 'the API', variable: 'PORT', port: ports.api },
      ...(env.DYNAMODB_ENDPOINT
        ? []
        : [{ name: 'DynamoDB Local', variable: 'DYNAMODB_PORT', port: ports.dynamodb }]),
      ...(env.GLASE_API_URL
        ? []
        : [{ name: 'the Glase sandbox', variable: 'GLASE_SANDBOX_PORT', port: ports.sandbox }]),
      { name: 'the demo shop', variable: 'SHOP_PORT', port: ports.shop },
    ]);
    if (busy) {
      throw new Error(
        `port ${busy.port} for ${busy.name} is already in use (is another npm start running?). ` +
          `Stop it, or pick another port: ${busy.variable}=${busy.port + 1} npm start`,
      );
    }
    const outboxFile = config.outboxFile ?? LOCAL_OUTBOX_FILE;
    if (env.DYNAMODB_ENDPOINT) {
      log(`dynamodb   using ${env.DYNAMODB_ENDPOINT}`);
    } else {
      dynamo = await startDynamoDbLocal(ports.dynamodb);
      log(
        `dynamodb   DynamoDB Local (in memory, shared by every region) on ${dynamo.endpoint}, pid ${dynamo.pid}`,
      );
    }
    stack = await startLocalStack({
      dynamodbEndpoint: env.DYNAMODB_ENDPOINT ?? dynamo?.endpoint ?? '',
      tablePrefix: env.TABLE_PREFIX ?? LOCAL_TABLE_PREFIX,
      port: ports.api,
      sandboxPort: ports.sandbox,
      glaseApiUrl: env.GLASE_API_URL,
      environment: { ...environment, OUTBOX_FILE: outboxFile },
      shopPort: ports.shop,
    });
    if (config.callerAuth === 'none') {
      log(
        'warning    CALLER_AUTH=none: createPurchase accepts any caller. Deployed, the URL key (url-key) is the default.',
      );
    }
    const reconcileEvery = Number(env.RECONCILE_INTERVAL_SECONDS ?? LOCAL_RECONCILE_INTERVAL_SECONDS);
    const running = stack;
    setInterval(() => {
      running.reconcile().catch((error: unknown) => log(`reconcile  failed: ${(error as Error).message}`));
    }, reconcileEvery * 1000).unref();
    const webhooks = stack.webhooks;
    if (webhooks) {
      // The queue's part locally: every few seconds, the deliveries whose retry is due.
      setInterval(() => {
        attemptDueWebhooks(webhooks).catch((error: unknown) =>
          log(`webhooks   retry sweep failed: ${(error as Error).message}`),
        );
      }, LOCAL_WEBHOOK_SWEEP_SECONDS * 1000).unref();
    }

    log(
      `glase      ${stack.sandbox ? `sandbox on ${stack.sandbox.url}` : `Payment API at ${config.glase.url}`}`,
    );
    log(`tables     ${Object.values(stack.tables).join(', ')} (demo catalog loaded)`);
    log(
      `api        POST ${stack.createPurchaseUrl}   (CALLER_AUTH=${config.callerAuth}${config.callerAuth === 'token' ? ': send X-Auth-Token' : ''})`,
    );
    log(`           POST ${stack.apiUrl}${NOTIFY_RESOURCE}?sig=…  (Glase's payment notification)`);
    log(`reconcile  every ${reconcileEvery} s (RECONCILE_INTERVAL_SECONDS)`);
    log(`shop       ${stack.shopUrl} (a product page per catalog item, each with the Glase QR widget)`);
    if (stack.appUrl) log(`app        ${stack.appUrl} (the sandbox's Glase app: scan, pay, decline)`);
    if (stack.sandbox) {
      const sandboxEnv = env.GLASE_SANDBOX_PORT ? `GLASE_SANDBOX_PORT=${env.GLASE_SANDBOX_PORT} ` : '';
      log(`sandbox    pay:    ${sandboxEnv}npm run sandbox:pay -- <invoiceReferenceId>`);
      log(`           look:   curl ${stack.sandbox.baseUrl}/sandbox/invoices/<invoiceReferenceId>`);
    }
    log(`events     ${outboxFile}`);
    log(
      config.mail?.directory
        ? `mail       ${config.mail.directory}/ (each shopper mail as an .eml file; its path is logged)`
        : 'mail       off (MAIL_FROM unset)',
    );
    log(
      webhooks
        ? `webhooks   POST ${config.webhooks.map((endpoint) => endpoint.url).join(', ')} (signed; retried from 30 s on; npm run cli -- webhooks deliveries)`
        : 'webhooks   off (WEBHOOK_URL unset; try: npm run cli -- webhooks listen)',
    );
    log(`operate    ${cliEnvironment()}npm run cli -- orders list`);
    log('ready      Ctrl-C stops everything');
  } catch (error) {
    log(`error      ${(error as Error).message}`);
    await stop(1);
  }
}

await main();
