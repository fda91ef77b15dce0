/**
 * `npm run bench`: the figures a merchant's engineer asks for before going live, measured
 * side by side in one run on loopback. Absolute times depend on the machine; the ratios
 * are the claim. Results also go to bench/results.json for comparison between commits.
 *
 * Knobs: BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (10), FLASH_SHOPPERS (500),
 * FLASH_STOCK (100), COLD_RUNS (15), NOTIFY_RUNS (20).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { build } from 'esbuild';
import { createPurchaseHandler } from '../lambda/handlers/create-purchase-handler.js';
import { wireCreatePurchase } from '../lambda/wiring/create-purchase.js';
import { startDynamoDbLocal } from '../local/dynamodb-local.js';
import { startLocalStack } from '../local/stack.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const env = process.env;
const knob = (name: string, fallback: number) => Number(env[name] ?? fallback);
const DURATION = knob('BENCH_DURATION', 10);
const CONNECTIONS = knob('BENCH_CONNECTIONS', 10);
const SHOPPERS = knob('FLASH_SHOPPERS', 500);
const STOCK = knob('FLASH_STOCK', 100);
const COLD_RUNS = knob('COLD_RUNS', 15);
const NOTIFY_RUNS = knob('NOTIFY_RUNS', 20);
const results: Record<string, unknown> = {};
const say = (line = '') => process.stdout.write(`${line}\n`);

const median = (values: number[]) => percentile(values, 50);
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, rank)] as number;
}
const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
function printTable(headers: string[], rows: (string | number)[][]): void {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  say(line(headers));
  say(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of cells.slice(1)) say(line(row));
}

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

// ---------------------------------------------------------------- cold start
async function coldStart(): Promise<void> {
  const outdir = `${root}bench/.out`;
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const entries = {
    'empty handler': 'bench/empty-handler.ts',
    createPurchase: 'lambda/handlers/create-purchase.ts',
    paymentNotification: 'lambda/handlers/payment-notification.ts',
    reconcile: 'lambda/handlers/reconcile.ts',
  };
  const variants = { 'SDK bundled (deployed)': [] as string[], 'SDK external': ['@aws-sdk/*'] };
  const handlerEnv = {
    ...env,
    PRODUCTS_TABLE: 'p',
    ORDERS_TABLE: 'o',
    IDEMPOTENCY_TABLE: 'i',
    GLASE_API_URL: 'https://glase.invalid/soap',
    GLASE_WEBSHOP_ID: 'bench',
    GLASE_SECRET_ARN: 'arn:aws:secretsmanager:eu-north-1:000000000000:secret:bench',
    AWS_REGION: 'eu-north-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const rows: (string | number)[][] = [];
  const figures: Record<string, unknown>[] = [];
  let emptyMedian = Number.NaN;
  for (const [variant, external] of Object.entries(variants)) {
    for (const [name, entry] of Object.entries(entries)) {
      if (name === 'empty handler' && external.length > 0) continue;
      const outfile = `${outdir}/${name.replace(/\W+/g, '-')}-${external.length ? 'external' : 'bundled'}.mjs`;
      // The same options the CDK construct passes to esbuild.
      await build({
        entryPoints: [`${root}${entry}`],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        minify: true,
        mainFields: ['module', 'main'],
        external,
        banner: {
          js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        },
        logLevel: 'error',
      });
      const bytes = statSync(outfile).size;
      const times: number[] = [];
      for (let run = 0; run < COLD_RUNS; run++) {
        const output = execFileSync(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `const t = performance.now(); await import(${JSON.stringify(outfile)}); process.stdout.write(String(performance.now() - t));`,
          ],
          { env: handlerEnv, cwd: root },
        );
        times.push(Number(output.toString()));
      }
      const importMs = median(times);
      if (name === 'empty handler') emptyMedian = importMs;
      rows.push([
        variant,
        name,
        (bytes / 1024).toFixed(0),
        fixed(importMs),
        fixed(importMs / emptyMedian, 0),
      ]);
      figures.push({
        variant,
        handler: name,
        bytes,
        importMedianMs: importMs,
        ratioToEmpty: importMs / emptyMedian,
      });
    }
  }
  rmSync(outdir, { recursive: true, force: true });
  say(`\n## Cold start: bundle size and import time in a fresh Node process (median of ${COLD_RUNS})\n`);
  printTable(['variant', 'handler', 'KiB min.', 'import ms', '× empty'], rows);
  results.coldStart = figures;
}

// ---------------------------------------------------------------- the server under test
interface Server {
  process: ChildProcess;
  apiUrl: string;
  sandboxUrl: string;
}

async function startServer(dynamodbEndpoint: string): Promise<Server> {
  const [port, sandboxPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', 'tsx', `${root}local/start.ts`], {
    cwd: root,
    env: {
      ...env,
      PORT: String(port),
      GLASE_SANDBOX_PORT: String(sandboxPort),
      DYNAMODB_ENDPOINT: dynamodbEndpoint,
      TABLE_PREFIX: 'bench-',
      RECONCILE_INTERVAL_SECONDS: '3600',
      OUTBOX_FILE: `${root}.local/bench-outbox.jsonl`,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) resolve();
      if (output.includes('error ')) reject(new Error(output));
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${output}`)));
  });
  child.stdout?.resume();
  return {
    process: child,
    apiUrl: `http://127.0.0.1:${port}`,
    sandboxUrl: `http://127.0.0.1:${sandboxPort}`,
  };
}

const shopper = (clientName: string, purchaseToken = '29834231890234') =>
  JSON.stringify({
    purchaseToken,
    clientName,
    street: 'Storgatan 1',
    city: 'Stockholm',
    country: 'Sweden',
    state: '',
    zip: '11122',
    email: 'bench@shop.example',
  });

// ---------------------------------------------------------------- warm path
async function warmPath(server: Server): Promise<void> {
  let sequence = 0;
  const run = (title: string, options: autocannon.Options) =>
    new Promise<autocannon.Result>((resolve, reject) => {
      autocannon({ ...options, title, connections: CONNECTIONS, duration: DURATION }, (error, result) =>
        error ? reject(error) : resolve(result),
      );
    });
  const trivial = await run('trivial', { url: `${server.apiUrl}/health` });
  const purchase = await run('createPurchase', {
    url: server.apiUrl,
    requests: [
      {
        method: 'POST',
        path: '/webshop/createPurchase',
        headers: { 'content-type': 'application/json' },
        // Distinct bodies, so idempotency never short-circuits the work.
        setupRequest: (request) => ({ ...request, body: shopper(`Bench Shopper ${sequence++}`) }),
      },
    ],
  });
  const row = (name: string, result: autocannon.Result) => [
    name,
    fixed(result.requests.average, 0),
    result.latency.p50,
    result.latency.p99,
    result.non2xx,
    result.errors,
  ];
  say(`\n## Warm path: ${CONNECTIONS} connections for ${DURATION} s each, through the local API\n`);
  printTable(
    ['route', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'],
    [row('GET /health (trivial)', trivial), row('POST /webshop/createPurchase', purchase)],
  );
  say(
    `\ncreatePurchase: ${fixed(trivial.requests.average / purchase.requests.average, 1)}× fewer req/s and ` +
      `${fixed(purchase.latency.p50 / Math.max(trivial.latency.p50, 1), 1)}× the p50 latency of the trivial route ` +
      '(DynamoDB Local and the SOAP sandbox share these 2 cores).',
  );
  results.warmPath = {
    connections: CONNECTIONS,
    durationSeconds: DURATION,
    trivial: { rps: trivial.requests.average, p50: trivial.latency.p50, p99: trivial.latency.p99 },
    createPurchase: {
      rps: purchase.requests.average,
      p50: purchase.latency.p50,
      p99: purchase.latency.p99,
      non2xx: purchase.non2xx,
    },
    throughputRatio: trivial.requests.average / purchase.requests.average,
  };
}

// ---------------------------------------------------------------- CPU, round trips
async function cpuAndRoundTrips(dynamodbEndpoint: string, server: Server): Promise<void> {
  const dynamoCalls: string[] = [];
  const glaseCalls: string[] = [];
  const stack = await startLocalStack({
    dynamodbEndpoint,
    tablePrefix: 'bench-',
    catalogFile: false,
    glaseApiUrl: `${server.sandboxUrl}/soap`,
    wiring: {
      onDynamoRequest: (command) => dynamoCalls.push(command),
      onGlaseCall: (operation) => glaseCalls.push(operation),
    },
  });
  try {
    const handler = createPurchaseHandler(
      wireCreatePurchase(stack.config, {
        dynamo: stack.dynamo,
        onGlaseCall: (operation) => glaseCalls.push(operation),
      }),
    );
    const context = {
      functionName: 'createPurchase',
      awsRequestId: 'bench',
      getRemainingTimeInMillis: () => 15_000,
    } as unknown as Context;
    const event = (body: string) =>
      ({
        httpMethod: 'POST',
        path: '/webshop/createPurchase',
        headers: { 'content-type': 'application/json', host: '127.0.0.1' },
        body,
        requestContext: { stage: 'local' },
      }) as unknown as APIGatewayProxyEvent;
    for (let warm = 0; warm < 20; warm++) await handler(event(shopper(`Warm ${warm}`)), context);

    dynamoCalls.length = 0;
    glaseCalls.length = 0;
    const one = await handler(event(shopper('Round Trip Counter')), context);
    if (one.statusCode !== 200) throw new Error(`createPurchase answered ${one.statusCode}`);
    const roundTrips = { dynamodb: [...dynamoCalls], glase: [...glaseCalls] };

    const runs = 200;
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    for (let index = 0; index < runs; index++) await handler(event(shopper(`Cpu ${index}`)), context);
    const cpu = process.cpuUsage(cpuBefore);
    const wallMs = (performance.now() - wallBefore) / runs;
    const cpuMs = (cpu.user + cpu.system) / 1000 / runs;

    say(
      '\n## Per successful createPurchase (counted by SDK middleware and the Glase client, not estimated)\n',
    );
    printTable(
      ['measure', 'value'],
      [
        ['DynamoDB requests', `${roundTrips.dynamodb.length} (${roundTrips.dynamodb.join(' → ')})`],
        ['Glase SOAP calls', `${roundTrips.glase.length} (${roundTrips.glase.join(', ')})`],
        ['handler CPU per request (in-process, sequential, 200 runs)', `${fixed(cpuMs, 2)} ms`],
        ['wall time per request (same runs)', `${fixed(wallMs, 1)} ms`],
        [
          'CPU share of wall time',
          `${fixed((cpuMs / wallMs) * 100, 0)} % (the rest is awaiting DynamoDB and Glase)`,
        ],
      ],
    );
    results.perPurchase = { roundTrips, cpuMsPerRequest: cpuMs, wallMsPerRequest: wallMs };
  } finally {
    await stack.close();
  }
}

// ---------------------------------------------------------------- flash sale
async function flashSale(dynamodbEndpoint: string, server: Server): Promise<void> {
  const token = 'JKT-RAIN-M-NAVY';
  const stack = await startLocalStack({
    dynamodbEndpoint,
    tablePrefix: 'bench-',
    catalogFile: false,
    glaseApiUrl: `${server.sandboxUrl}/soap`,
  });
  try {
    await stack.operator.catalog.adjustStock(token, { set: STOCK });
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: SHOPPERS }, async (_, index) => {
        const begin = performance.now();
        const response = await fetch(`${server.apiUrl}/webshop/createPurchase`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: shopper(`Flash Shopper ${index}`, token),
        });
        await response.arrayBuffer();
        return { status: response.status, ms: performance.now() - begin };
      }),
    );
    const burstMs = performance.now() - started;
    const sold = answers.filter((answer) => answer.status === 200).length;
    const soldOut = answers.filter((answer) => answer.status === 409).length;
    const other = SHOPPERS - sold - soldOut;
    const product = await stack.operator.catalog.getProduct(token);
    const orders = await stack.operator.orders.findOrders({ status: 'INVOICED', limit: 10_000 });
    const invoiced = orders.filter((order) => order.purchaseToken === token).length;
    const oversold = Math.max(0, invoiced - STOCK, sold - STOCK);
    say(`\n## Flash sale: ${SHOPPERS} shoppers at once for ${STOCK} units of one product\n`);
    printTable(
      ['measure', 'value'],
      [
        ['200 invoiced', sold],
        ['409 sold out', soldOut],
        ['other answers', other],
        ['orders INVOICED in DynamoDB', invoiced],
        ['final stock', product?.available ?? 'n/a'],
        ['oversold units', oversold],
        [
          'p50 / p99 latency of the burst',
          `${fixed(
            percentile(
              answers.map((a) => a.ms),
              50,
            ),
            0,
          )} / ${fixed(
            percentile(
              answers.map((a) => a.ms),
              99,
            ),
            0,
          )} ms`,
        ],
        ['whole burst', `${fixed(burstMs, 0)} ms`],
      ],
    );
    results.flashSale = {
      shoppers: SHOPPERS,
      stock: STOCK,
      invoiced: sold,
      soldOut,
      other,
      ordersInvoiced: invoiced,
      finalStock: product?.available,
      oversold,
      p99Ms: percentile(
        answers.map((a) => a.ms),
        99,
      ),
      burstMs,
    };
    if (oversold > 0) process.exitCode = 1;
  } finally {
    await stack.close();
  }
}

// ---------------------------------------------------------------- notification deadline
async function notificationDeadline(server: Server): Promise<void> {
  const delays: number[] = [];
  for (let index = 0; index < NOTIFY_RUNS; index++) {
    const response = await fetch(`${server.apiUrl}/webshop/createPurchase`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: shopper(`Notified Shopper ${index}`, 'BOOK.fika-2nd-ed'),
    });
    const { invoiceReferenceId } = (await response.json()) as { invoiceReferenceId: string };
    const paid = await fetch(`${server.sandboxUrl}/sandbox/invoices/${invoiceReferenceId}/pay`, {
      method: 'POST',
    });
    const invoice = (await paid.json()) as { statusDelayMs?: number };
    if (invoice.statusDelayMs !== undefined) delays.push(invoice.statusDelayMs);
  }
  say(`\n## Payment notification → getPaymentStatus (Glase allows 20 000 ms), ${NOTIFY_RUNS} payments\n`);
  printTable(
    ['median ms', 'max ms', 'share of the 20 s budget (max)'],
    [[median(delays), Math.max(...delays), `${fixed((Math.max(...delays) / 20_000) * 100, 2)} %`]],
  );
  results.notificationToStatus = {
    runs: delays.length,
    medianMs: median(delays),
    maxMs: Math.max(...delays),
  };
}

// ---------------------------------------------------------------- main
async function main(): Promise<void> {
  say(
    `glase-checkout bench — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
  );
  say('A shared, noisy machine: read the ratios, not the absolute times.');
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  } catch {}
  results.meta = { date: new Date().toISOString(), commit, cpus: cpus().length, node: process.version };

  await coldStart();
  const dynamo = await startDynamoDbLocal(await freePort());
  let server: Server | undefined;
  try {
    server = await startServer(dynamo.endpoint);
    await (async () => {
      // Plenty of stock so the load test measures purchases, not sold-out answers.
      const stack = await startLocalStack({
        dynamodbEndpoint: dynamo.endpoint,
        tablePrefix: 'bench-',
        catalogFile: false,
        glaseApiUrl: `${server.sandboxUrl}/soap`,
      });
      await stack.operator.catalog.adjustStock('29834231890234', { set: 1_000_000 });
      await stack.close();
    })();
    await cpuAndRoundTrips(dynamo.endpoint, server);
    await warmPath(server);
    await flashSale(dynamo.endpoint, server);
    await notificationDeadline(server);
  } finally {
    server?.process.kill('SIGTERM');
    await dynamo.stop();
  }
  writeFileSync(`${root}bench/results.json`, `${JSON.stringify(results, null, 2)}\n`);
  say('\nwritten to bench/results.json');
}

await main();
process.exit(process.exitCode ?? 0);
