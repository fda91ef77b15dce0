/**
 * `npm run bench`: the figures a merchant's engineer asks for before going live, measured side by
 * side in one run on loopback. These machines are shared and noisy: every claim is a ratio of
 * two things measured in the same run, interleaved, and each figure says exactly what it measures.
 * Results go to bench/results.json with the commit they were measured on.
 *
 * Knobs: COLD_RUNS (21), CPU_ROUNDS (300), BENCH_DURATION (s, 10), BENCH_CONNECTIONS (10),
 * FLASH_SHOPPERS (500), FLASH_STOCK (100), NOTIFY_RUNS (20), CLI_RUNS (7); BENCH_ONLY=cold runs
 * the cold-start section alone (results.json is then left as it was).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { CREATE_PURCHASE_RESOURCE, NOTIFY_RESOURCE } from '../contract/routes.js';
import { signOrderId } from '../lambda/checkout/model/notification-signature.js';
import { lookupKeysFor } from '../lambda/checkout/model/order-lookups.js';
import { startDynamoDbLocal } from '../local/dynamodb-local.js';
import { startSecretsExtension } from '../local/secrets-extension.js';
import { LOCAL_SECRETS, type LocalStack, startLocalStack } from '../local/stack.js';
import { measureCliStart } from './cli-start.js';
import { BENCH_SECRET_ARNS, type ColdStartResult, measureColdStart, type Spread } from './cold-start.js';
import { type FlashSaleResult, flashSale, loadedFlashSale } from './flash-sale.js';
import { type BenchServer, fixed, percentile, printTable, say, shopperBody } from './report.js';

// The operator's stack runs in this process: its metrics are not what the bench prints.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const root = fileURLToPath(new URL('..', import.meta.url));
const knob = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const COLD_RUNS = knob('COLD_RUNS', 21);
const DURATION = knob('BENCH_DURATION', 10);
const CONNECTIONS = knob('BENCH_CONNECTIONS', 10);
const NOTIFY_RUNS = knob('NOTIFY_RUNS', 20);
const CLI_RUNS = knob('CLI_RUNS', 7);
const CPU_PRODUCT = '29834231890234';
/**
 * The goals the bench prints each figure next to: round trips and CPU from issue #14, the cold
 * import (each function's, against the bare DynamoDB client) from issue #20.
 */
export const GOALS = { roundTrips: 3, replayRoundTrips: 1, coldImportRatio: 1.1, cpuOverhead: 1.3 } as const;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const tsx = (script: string, args: string[], stdout: 'pipe' | 'ignore') =>
  spawn(process.execPath, ['--import', 'tsx', `${root}${script}`, ...args], {
    cwd: root,
    env: {
      ...process.env,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_DISABLED: 'false',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', stdout, 'inherit'],
  });

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

// ---------------------------------------------------------------- the server under test

/** A bench process that prints `{"ready":true,…}` when it serves; its later output is drained. */
async function ready<T>(child: ChildProcess, name: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => candidate.startsWith('{"ready"'));
      if (line) resolve(JSON.parse(line) as T);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited ${code}: ${output.slice(-2000)}`)));
  });
}

async function startServer(dynamodbEndpoint: string): Promise<BenchServer> {
  // Glase apart from the server under test, as it is apart from the functions deployed.
  const glase = tsx('bench/glase.ts', [], 'pipe');
  const { glaseUrl } = await ready<{ glaseUrl: string }>(glase, 'bench Glase');
  // The server's own logs (INFO, as deployed) are read for the ready line, then drained.
  const child = tsx('bench/server.ts', [dynamodbEndpoint, glaseUrl], 'pipe');
  child.once('exit', () => glase.kill('SIGTERM'));
  const { apiUrl } = await ready<{ apiUrl: string }>(child, 'bench server');
  return {
    process: child,
    apiUrl,
    glaseUrl,
    counters: async () =>
      (await (await fetch(`${apiUrl}/bench/counters`, { method: 'POST' })).json()) as Awaited<
        ReturnType<BenchServer['counters']>
      >,
  };
}

// ---------------------------------------------------------------- handler CPU and round trips
interface CpuResult {
  rounds: number;
  roundTrips: {
    purchase: { dynamodb: string[]; glase: string[] };
    replay: { dynamodb: string[]; glase: string[] };
  };
  oursCpuMsPerPurchase: number;
  floorCpuMsPerPurchase: number;
  overhead: number;
}

async function handlerCpu(dynamodbEndpoint: string, server: BenchServer): Promise<CpuResult> {
  const directory = mkdtempSync(join(tmpdir(), 'glase-bench-'));
  const file = join(directory, 'cpu.json');
  try {
    const code = await exited(tsx('bench/cpu.ts', [dynamodbEndpoint, server.glaseUrl, file], 'ignore'));
    if (code !== 0) throw new Error(`bench/cpu.ts exited ${code}`);
    const result = JSON.parse(readFileSync(file, 'utf8')) as CpuResult;
    const { purchase, replay } = result.roundTrips;
    say('\n## createPurchase: round trips and handler CPU\n');
    say(
      `Counted by SDK middleware and the Glase client in a process of its own; CPU is process.cpuUsage() around\n` +
        `each handler call (INFO logs and metrics on, as deployed), ${result.rounds} rounds of ours and the floor alternating.\n` +
        'The floor makes the same DynamoDB and SOAP calls straight against the SDK, without our code.\n',
    );
    printTable(
      ['measure', 'value'],
      [
        ['DynamoDB requests, one purchase', `${purchase.dynamodb.length} (${purchase.dynamodb.join(' → ')})`],
        [
          'DynamoDB requests, its replay (same Idempotency-Key)',
          `${replay.dynamodb.length} (${replay.dynamodb.join(' → ')})`,
        ],
        [
          'Glase SOAP calls, one purchase / its replay',
          `${purchase.glase.join(', ')} / ${replay.glase.length}`,
        ],
        ['CPU per purchase, our handler', `${fixed(result.oursCpuMsPerPurchase, 2)} ms`],
        ['CPU per purchase, the floor', `${fixed(result.floorCpuMsPerPurchase, 2)} ms`],
        ['our CPU ÷ floor CPU', `${fixed(result.overhead, 2)}×`],
      ],
    );
    return result;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- warm path
const shopper = (clientName: string, purchaseToken = CPU_PRODUCT) => shopperBody(clientName, purchaseToken);

async function warmPath(server: BenchServer) {
  let sequence = 0;
  const run = (path: string) =>
    new Promise<autocannon.Result>((resolve, reject) => {
      autocannon(
        {
          url: server.apiUrl,
          connections: CONNECTIONS,
          duration: DURATION,
          requests: [
            {
              method: 'POST',
              path,
              headers: { 'content-type': 'application/json' },
              // Distinct bodies: a repeated one would be answered from its request record.
              setupRequest: (request) => ({ ...request, body: shopper(`Bench Shopper ${sequence++}`) }),
            },
          ],
        },
        (error, result) => (error ? reject(error) : resolve(result)),
      );
    });
  const minimal = await run('/bench/minimal');
  const purchase = await run('/webshop/createPurchase');
  const row = (name: string, result: autocannon.Result) => [
    name,
    fixed(result.requests.average, 0),
    result.latency.p50,
    result.latency.p99,
    result.non2xx,
    result.errors,
  ];
  say(
    `\n## Warm path: ${CONNECTIONS} connections for ${DURATION} s each, through the same local API emulation\n`,
  );
  printTable(
    ['route', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'],
    [row('minimal middy handler (parse JSON, answer)', minimal), row('createPurchase', purchase)],
  );
  say(
    `\nThe minimal handler answers ${fixed(minimal.requests.average / purchase.requests.average, 0)}× as many requests a ` +
      'second as createPurchase, whose three DynamoDB round trips and SOAP call go to DynamoDB Local (Java) and the ' +
      'sandbox on these same cores: a figure for regressions between commits, not for AWS.',
  );
  const figures = (result: autocannon.Result) => ({
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  });
  return {
    connections: CONNECTIONS,
    durationSeconds: DURATION,
    minimal: figures(minimal),
    createPurchase: figures(purchase),
  };
}

// ---------------------------------------------------------------- notification deadline
async function notificationDeadline(server: BenchServer) {
  const sandbox = new URL(server.glaseUrl).origin;
  const delays: number[] = [];
  for (let index = 0; index < NOTIFY_RUNS; index++) {
    const response = await fetch(`${server.apiUrl}/webshop/createPurchase`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: shopper(`Notified Shopper ${index}`, 'BOOK.fika-2nd-ed'),
    });
    const { invoiceReferenceId } = (await response.json()) as { invoiceReferenceId: string };
    const paid = await fetch(`${sandbox}/sandbox/invoices/${invoiceReferenceId}/pay`, { method: 'POST' });
    const invoice = (await paid.json()) as { statusDelayMs?: number };
    if (invoice.statusDelayMs !== undefined) delays.push(invoice.statusDelayMs);
  }
  say(
    `\n## Payment notification → getPaymentStatus (Glase reverses after 20 000 ms), ${NOTIFY_RUNS} payments\n`,
  );
  printTable(
    ['median ms', 'max ms', 'share of the 20 s budget (max)'],
    [[percentile(delays, 50), Math.max(...delays), `${fixed((Math.max(...delays) / 20_000) * 100, 2)} %`]],
  );
  return { runs: delays.length, medianMs: percentile(delays, 50), maxMs: Math.max(...delays) };
}

// ---------------------------------------------------------------- cold start
async function coldStarts(dynamodbEndpoint: string, server: BenchServer, seeder: LocalStack) {
  // One invoiced, unpaid order for every round's notification (getPaymentStatus: still ISSUED).
  const answer = await fetch(`${server.apiUrl}/webshop/createPurchase`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: shopper('Cold Notified', CPU_PRODUCT),
  });
  const { invoiceReferenceId } = (await answer.json()) as { invoiceReferenceId: string };
  const [order] = await seeder.operator.store.findByLookup(lookupKeysFor(invoiceReferenceId), { limit: 1 });
  if (!order) throw new Error(`no order for invoice ${invoiceReferenceId}`);
  const extension = await startSecretsExtension();
  extension.set(
    BENCH_SECRET_ARNS.credentials,
    JSON.stringify({
      terminalId: LOCAL_SECRETS.terminalId,
      terminalPassword: LOCAL_SECRETS.terminalPassword,
    }),
  );
  extension.set(BENCH_SECRET_ARNS.signingKey, LOCAL_SECRETS.signingKey);
  extension.set(BENCH_SECRET_ARNS.urlKey, LOCAL_SECRETS.urlKey);
  const tables = seeder.tables;
  let cold: ColdStartResult;
  try {
    cold = await measureColdStart(COLD_RUNS, {
      environment: {
        ...extension.environment,
        PRODUCTS_TABLE: tables.products,
        ORDERS_TABLE: tables.orders,
        IDEMPOTENCY_TABLE: tables.idempotency,
        GLASE_API_URL: server.glaseUrl,
        // The deployed configuration (no DYNAMODB_ENDPOINT), pointed at DynamoDB Local the SDK's own way.
        AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
      },
      purchaseEvent: (round) => ({
        httpMethod: 'POST',
        resource: CREATE_PURCHASE_RESOURCE['url-key'],
        pathParameters: { urlKey: LOCAL_SECRETS.urlKey },
        headers: { 'content-type': 'application/json', host: '127.0.0.1', 'x-forwarded-proto': 'http' },
        body: shopper(`Cold Shopper ${round} ${Date.now()}`, CPU_PRODUCT),
        isBase64Encoded: false,
        requestContext: { stage: 'bench' },
      }),
      notificationEvent: () => ({
        httpMethod: 'POST',
        resource: NOTIFY_RESOURCE,
        pathParameters: { orderId: order.orderId },
        queryStringParameters: { sig: signOrderId(order.orderId, LOCAL_SECRETS.signingKey) },
        headers: { host: '127.0.0.1' },
        body: null,
        isBase64Encoded: false,
        requestContext: { stage: 'bench' },
      }),
    });
  } finally {
    await extension.close();
  }
  say(
    `\n## Cold start: CPU time (user + system, every thread) of a whole process on Node ${process.versions.node}, ` +
      `each deployed bundle in its deployed environment (no source maps), ${cold.rounds} rounds\n`,
  );
  say(
    'Each round starts an empty module, the floor (the bare DynamoDB client, bundled the same way) and every function,\n' +
      'in a new random order; each ratio is to the floor of the same round, given as min / median / max over the rounds.\n',
  );
  const range = (value: Spread, digits = 2, unit = '×') =>
    `${fixed(value.min, digits)} / ${fixed(value.median, digits)} / ${fixed(value.max, digits)}${unit}`;
  printTable(
    ['function', 'bundle KiB', 'import CPU ms (median)', 'import ÷ floor (min / median / max)', 'goal', ''],
    [
      [
        'the floor: bare DynamoDB client',
        fixed(cold.floor.bytes / 1024, 0),
        fixed(cold.floor.importCpuMs.median),
        '1',
        '',
        '',
      ],
      ...cold.functions.map((figure) => [
        figure.handler,
        fixed(figure.bytes / 1024, 0),
        fixed(figure.importCpuMs.median),
        range(figure.importRatio),
        `≤ ${GOALS.coldImportRatio}×`,
        figure.importRatio.median <= GOALS.coldImportRatio ? 'met' : 'NOT met',
      ]),
    ],
  );
  say(`\nThe floor itself costs ${range(cold.floorOverEmpty)} an empty module's process.`);
  say(
    '\n### Import + first invocation (DynamoDB Local, the sandbox, secrets through a stand-in of the extension)\n',
  );
  printTable(
    [
      'function',
      'what its first invocation does',
      'CPU ms (median)',
      '÷ floor importing and making one GetItem',
    ],
    [
      ['the floor', 'one GetItem', fixed(cold.floor.firstCallCpuMs?.median ?? Number.NaN), '1'],
      ...cold.functions.flatMap((figure) =>
        figure.firstInvocation
          ? [
              [
                figure.handler,
                figure.firstInvocation.does,
                fixed(figure.firstInvocation.cpuMs.median),
                range(figure.firstInvocation.ratio),
              ],
            ]
          : [],
      ),
    ],
  );
  return cold;
}

// ---------------------------------------------------------------- summary
function summary(cold: ColdStartResult, cpu: CpuResult) {
  const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
  const purchaseTrips = cpu.roundTrips.purchase.dynamodb.length;
  const replayTrips = cpu.roundTrips.replay.dynamodb.length;
  const rows: (string | number)[][] = [
    [
      'DynamoDB round trips, one createPurchase',
      purchaseTrips,
      `≤ ${GOALS.roundTrips}`,
      verdict(purchaseTrips <= GOALS.roundTrips),
    ],
    [
      'DynamoDB round trips, its replay',
      replayTrips,
      `≤ ${GOALS.replayRoundTrips}`,
      verdict(replayTrips <= GOALS.replayRoundTrips),
    ],
    ...cold.functions.map((figure) => [
      `cold import CPU ÷ the bare DynamoDB client's, ${figure.handler} (median of ${cold.rounds} rounds)`,
      `${fixed(figure.importRatio.median, 2)}×`,
      `≤ ${GOALS.coldImportRatio}×`,
      verdict(figure.importRatio.median <= GOALS.coldImportRatio),
    ]),
    [
      'handler CPU ÷ floor CPU, createPurchase',
      `${fixed(cpu.overhead, 2)}×`,
      `≤ ${GOALS.cpuOverhead}×`,
      verdict(cpu.overhead <= GOALS.cpuOverhead),
    ],
  ];
  say('\n## The ratios against their goals\n');
  printTable(['measure', 'this run', 'goal', ''], rows);
}

async function main(): Promise<void> {
  let commit = 'unknown';
  let dirty = false;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
    dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root })
        .toString()
        .trim() !== '';
  } catch {}
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  say(
    `glase-checkout bench — commit ${commit}${dirty ? ' (with uncommitted changes)' : ''} — ${new Date().toISOString()} — ${machine}`,
  );
  say(
    'A shared, noisy machine: read the ratios, each measured side by side in this run, not the absolute times.',
  );

  const dynamo = await startDynamoDbLocal(await freePort());
  let server: BenchServer | undefined;
  let seeder: LocalStack | undefined;
  const results: Record<string, unknown> = {
    meta: { date: new Date().toISOString(), commit, dirty, cpus: cpus().length, node: process.version },
    goals: GOALS,
  };
  try {
    server = await startServer(dynamo.endpoint);
    // The operator's side, on the server's tables, for stock and reading back orders.
    seeder = await startLocalStack({
      dynamodbEndpoint: dynamo.endpoint,
      tablePrefix: 'bench-',
      catalogFile: undefined,
      glaseApiUrl: server.glaseUrl,
    });
    // Plenty of stock so the CPU and load runs measure purchases, not sold-out answers.
    await seeder.operator.catalog.adjustStock(CPU_PRODUCT, { set: 1_000_000 });
    await seeder.operator.catalog.adjustStock('BOOK.fika-2nd-ed', { set: 1_000 });
    if (process.env.BENCH_ONLY === 'loaded') {
      const loaded = await loadedFlashSale(server, seeder, cpus().length);
      results.loadedFlashSale = loaded;
      if (loaded.ghosts > 0 || loaded.internalErrors > 0 || loaded.oversold > 0) process.exitCode = 1;
      return;
    }
    const cold = await coldStarts(dynamo.endpoint, server, seeder);
    results.coldStart = cold;
    if (process.env.BENCH_ONLY === 'cold') return;
    const cpu = await handlerCpu(dynamo.endpoint, server);
    results.perPurchase = cpu;
    results.warmPath = await warmPath(server);
    const flash: FlashSaleResult[] = await flashSale(server, seeder);
    results.flashSale = flash;
    const loaded = await loadedFlashSale(server, seeder, cpus().length);
    results.loadedFlashSale = loaded;
    // A ghost invoice (payable, its buyer told it failed) or a 500 fails the bench.
    if (loaded.ghosts > 0 || loaded.internalErrors > 0 || loaded.oversold > 0) process.exitCode = 1;
    results.notificationToStatus = await notificationDeadline(server);
    results.cliStart = measureCliStart(CLI_RUNS, dynamo.endpoint, 'bench-');
    summary(cold, cpu);
    if (flash.some((run) => run.oversold > 0)) process.exitCode = 1;
  } finally {
    await seeder?.close();
    server?.process.kill('SIGTERM');
    await dynamo.stop();
  }
  writeFileSync(`${root}bench/results.json`, `${JSON.stringify(results, null, 2)}\n`);
  say('\nwritten to bench/results.json');
}

await main();
process.exit(process.exitCode ?? 0);
