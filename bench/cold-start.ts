import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { FUNCTION_BUNDLE } from '../infra/bundling.js';
import { percentile } from './report.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The deployed functions. */
export const FUNCTIONS = {
  createPurchase: 'lambda/handlers/create-purchase.ts',
  paymentNotification: 'lambda/handlers/payment-notification.ts',
  reconciler: 'lambda/handlers/reconcile.ts',
  orderMail: 'lambda/handlers/order-mail.ts',
} as const;
export type FunctionName = keyof typeof FUNCTIONS;
/** What no code of ours can go below: the bare DynamoDB client (and, invoked, one GetItem). */
const FLOOR = 'bench/floors/dynamodb-client.ts';
const EMPTY = 'bench/empty-handler.ts';

/** min / median / max of one figure over the rounds. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export interface ColdStartFigure {
  readonly handler: FunctionName;
  readonly bytes: number;
  /** CPU (user + system, every thread) of a whole process that imports the bundle, ms. */
  readonly importCpuMs: Spread;
  /** This function's import CPU ÷ the floor's, in the same round. */
  readonly importRatio: Spread;
  /** Import and one real invocation against DynamoDB Local and the sandbox (two functions). */
  readonly firstInvocation?: { readonly cpuMs: Spread; readonly ratio: Spread; readonly does: string };
}

export interface ColdStartResult {
  readonly rounds: number;
  readonly floor: { readonly bytes: number; readonly importCpuMs: Spread; readonly firstCallCpuMs?: Spread };
  /** The floor's import CPU ÷ an empty module's: what the SDK alone costs, for scale. */
  readonly floorOverEmpty: Spread;
  readonly functions: ColdStartFigure[];
}

/** Where the first invocations go; without it only imports are measured. */
export interface FirstInvocationTarget {
  readonly environment: Record<string, string>;
  /** A fresh createPurchase event for each round (a new shopper: a repeat would be a replay). */
  readonly purchaseEvent: (round: number) => unknown;
  /** A notification of an invoiced, unpaid order: getPaymentStatus says ISSUED, nothing changes. */
  readonly notificationEvent: () => unknown;
}

/**
 * What a deployed function finds in its environment (infra/constructs), enough to start: the
 * same tables, secrets by ARN (read through the extension), no NODE_OPTIONS.
 */
const FUNCTION_ENVIRONMENT: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  PRODUCTS_TABLE: 'products',
  ORDERS_TABLE: 'orders',
  IDEMPOTENCY_TABLE: 'idempotency',
  GLASE_API_URL: 'https://glase.invalid/soap',
  GLASE_WEBSHOP_ID: 'bench',
  GLASE_CREDENTIALS_SECRET_ARN: 'arn:aws:secretsmanager:eu-north-1:000000000000:secret:credentials',
  SIGNING_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-north-1:000000000000:secret:signing',
  URL_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-north-1:000000000000:secret:url-key',
  EVENT_BUS_NAME: 'bench',
  MAIL_FROM: 'Bench Shop <orders@bench.example>',
  AWS_REGION: 'eu-north-1',
  POWERTOOLS_SERVICE_NAME: 'glase-checkout',
  POWERTOOLS_METRICS_NAMESPACE: 'GlaseCheckout',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
export const BENCH_SECRET_ARNS = {
  credentials: FUNCTION_ENVIRONMENT.GLASE_CREDENTIALS_SECRET_ARN as string,
  signingKey: FUNCTION_ENVIRONMENT.SIGNING_KEY_SECRET_ARN as string,
  urlKey: FUNCTION_ENVIRONMENT.URL_KEY_SECRET_ARN as string,
};

/** Builds one entry exactly as the CDK construct does (infra/bundling.ts). */
export async function bundle(entry: string, outfile: string): Promise<number> {
  await build({
    ...FUNCTION_BUNDLE,
    entryPoints: [`${root}${entry}`],
    outfile,
    bundle: true,
    banner: { js: FUNCTION_BUNDLE.banner },
    mainFields: [...FUNCTION_BUNDLE.mainFields],
    external: [...FUNCTION_BUNDLE.external],
    logLevel: 'error',
  });
  return statSync(outfile).size;
}

/**
 * One cold start in a process of its own: import the bundle (CPU read right after), then, given
 * an event, invoke its handler once (CPU read again). process.cpuUsage() is getrusage of the
 * whole process: Node's start, compiling, every thread.
 */
const CHILD = `
const cpu = () => { const used = process.cpuUsage(); return (used.user + used.system) / 1000; };
const module = await import(process.env.BENCH_BUNDLE);
const importMs = cpu();
let status;
if (process.env.BENCH_EVENT) {
  const context = { functionName: 'bench', awsRequestId: 'bench', invokedFunctionArn: 'arn:aws:lambda:eu-north-1:000000000000:function:bench',
    memoryLimitInMB: '512', getRemainingTimeInMillis: () => 15000 };
  const answer = await module.handler(JSON.parse(process.env.BENCH_EVENT), context);
  status = answer?.statusCode;
}
process.stderr.write('\\n' + JSON.stringify({ importMs, totalMs: cpu(), status }) + '\\n');
process.exit(0);
`;

interface ChildFigures {
  readonly importMs: number;
  readonly totalMs: number;
  readonly status?: number;
}

/** Asynchronous, so the secrets extension's stand-in in this process can answer the child. */
function coldStart(
  file: string,
  environment: Record<string, string>,
  event?: unknown,
): Promise<ChildFigures> {
  return new Promise((resolve, reject) => {
    // BENCH_PROFILE=<dir>: each process also writes a V8 CPU profile there (Chrome DevTools reads them).
    const profile = process.env.BENCH_PROFILE
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${process.env.BENCH_PROFILE}`,
          `--cpu-prof-name=${basename(file)}-${event === undefined ? 'import' : 'invoked'}-${Date.now()}.cpuprofile`,
        ]
      : [];
    const child = spawn(process.execPath, [...profile, '--input-type=module', '-e', CHILD], {
      env: {
        ...environment,
        BENCH_BUNDLE: `file://${file}`,
        ...(event === undefined ? {} : { BENCH_EVENT: JSON.stringify(event) }),
      },
      cwd: root,
      // The function's own logs go to stdout, as in Lambda; nobody reads them here.
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => {
      const last = stderr.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`${file} failed: ${stderr}`));
      else resolve(JSON.parse(last) as ChildFigures);
    });
  });
}

export const spread = (values: readonly number[]): Spread => ({
  min: Math.min(...values),
  median: percentile([...values], 50),
  max: Math.max(...values),
});

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(Math.random() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}

/**
 * Cold start as Lambda pays it, as CPU time: every round starts one process for the empty module,
 * the floor and each function, in a new random order, so all meet the same machine; each figure is
 * a ratio to the floor of the same round, reported as min / median / max over the rounds.
 */
export async function measureColdStart(
  rounds: number,
  first?: FirstInvocationTarget,
): Promise<ColdStartResult> {
  const outdir = `${root}bench/.out`;
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const entries: Record<string, string> = { empty: EMPTY, floor: FLOOR, ...FUNCTIONS };
  const built = Object.fromEntries(
    await Promise.all(
      Object.entries(entries).map(async ([name, entry]) => {
        const file = `${outdir}/${name}.mjs`;
        return [name, { file, bytes: await bundle(entry, file) }] as const;
      }),
    ),
  );
  const invoked: Record<string, (round: number) => unknown> = first
    ? {
        floor: () => ({}),
        createPurchase: first.purchaseEvent,
        paymentNotification: () => first.notificationEvent(),
      }
    : {};
  const environment = { ...FUNCTION_ENVIRONMENT, ...first?.environment };
  const names = Object.keys(entries);
  for (const name of names) await coldStart(built[name]?.file as string, FUNCTION_ENVIRONMENT); // file cache warm, not measured
  const imports = new Map<string, number[]>(names.map((name) => [name, []]));
  const firstCalls = new Map<string, number[]>();
  const importRatios = new Map<string, number[]>();
  const firstRatios = new Map<string, number[]>();
  const push = (map: Map<string, number[]>, key: string, value: number) =>
    map.set(key, [...(map.get(key) ?? []), value]);
  for (let round = 0; round < rounds; round++) {
    const thisRound = new Map<string, ChildFigures>();
    for (const name of shuffled(names)) {
      const event = invoked[name]?.(round);
      const figures = await coldStart(built[name]?.file as string, environment, event);
      if (event !== undefined && figures.status !== 200) {
        throw new Error(`${name}'s first invocation answered ${figures.status}, not 200`);
      }
      thisRound.set(name, figures);
    }
    const floor = thisRound.get('floor') as ChildFigures;
    for (const [name, figures] of thisRound) {
      push(imports, name, figures.importMs);
      if (name in FUNCTIONS) push(importRatios, name, figures.importMs / floor.importMs);
      if (invoked[name]) push(firstCalls, name, figures.totalMs);
      if (invoked[name] && name in FUNCTIONS) push(firstRatios, name, figures.totalMs / floor.totalMs);
    }
    push(importRatios, 'floorOverEmpty', floor.importMs / (thisRound.get('empty') as ChildFigures).importMs);
  }
  rmSync(outdir, { recursive: true, force: true });
  const does: Partial<Record<FunctionName, string>> = {
    createPurchase: 'a purchase: 3 DynamoDB round trips, sendInvoice, 3 secrets',
    paymentNotification: 'a notification: 1 GetItem, getPaymentStatus (ISSUED), 1 secret',
  };
  return {
    rounds,
    floor: {
      bytes: built.floor?.bytes ?? 0,
      importCpuMs: spread(imports.get('floor') ?? []),
      ...(first ? { firstCallCpuMs: spread(firstCalls.get('floor') ?? []) } : {}),
    },
    floorOverEmpty: spread(importRatios.get('floorOverEmpty') ?? []),
    functions: (Object.keys(FUNCTIONS) as FunctionName[]).map((handler) => ({
      handler,
      bytes: built[handler]?.bytes ?? 0,
      importCpuMs: spread(imports.get(handler) ?? []),
      importRatio: spread(importRatios.get(handler) ?? []),
      ...(firstRatios.has(handler)
        ? {
            firstInvocation: {
              cpuMs: spread(firstCalls.get(handler) ?? []),
              ratio: spread(firstRatios.get(handler) ?? []),
              does: does[handler] ?? '',
            },
          }
        : {}),
    })),
  };
}
