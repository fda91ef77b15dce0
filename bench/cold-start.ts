import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { FUNCTION_BUNDLE } from '../infra/bundling.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The deployed functions, and the empty module every one is compared with. */
export const FUNCTIONS = {
  createPurchase: 'lambda/handlers/create-purchase.ts',
  paymentNotification: 'lambda/handlers/payment-notification.ts',
  reconciler: 'lambda/handlers/reconcile.ts',
} as const;
const EMPTY = 'bench/empty-handler.ts';
const FLOOR = { dynamodbClientAlone: 'bench/floors/dynamodb-client.ts' } as const;

export interface ColdStartFigure {
  readonly handler: string;
  readonly bytes: number;
  /** Median wall time of a whole `node --enable-source-maps` process that imports the bundle. */
  readonly processMs: number;
  /** The same for the empty module, in the runs paired with this function's. */
  readonly emptyProcessMs: number;
  readonly ratioToEmpty: number;
}

export interface ColdStartResult {
  readonly runs: number;
  readonly emptyProcessMs: number;
  readonly functions: ColdStartFigure[];
  /** The DynamoDB client alone, measured the same way: what no code of ours can go below. */
  readonly floorRatioToEmpty: number;
}

/** What a deployed function finds in its environment, enough for its cold start to succeed. */
const FUNCTION_ENVIRONMENT = {
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
  AWS_REGION: 'eu-north-1',
  POWERTOOLS_SERVICE_NAME: 'glase-checkout',
  POWERTOOLS_METRICS_NAMESPACE: 'GlaseCheckout',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
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

function processMs(file: string): number {
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    ['--enable-source-maps', '--input-type=module', '-e', `await import(${JSON.stringify(file)});`],
    { env: FUNCTION_ENVIRONMENT, cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const elapsed = performance.now() - started;
  if (child.status !== 0) throw new Error(`${file} failed to start: ${child.stderr.toString()}`);
  return elapsed;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/**
 * Cold start as Lambda pays it: a fresh Node process with source maps on (as deployed) that
 * imports the bundle and exits, against the same for an empty module built the same way. Each
 * round runs the empty module right before every function, so both see the same machine load.
 */
export async function measureColdStart(runs: number): Promise<ColdStartResult> {
  const outdir = `${root}bench/.out`;
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const emptyFile = `${outdir}/empty.mjs`;
  await bundle(EMPTY, emptyFile);
  const built = await Promise.all(
    Object.entries({ ...FUNCTIONS, ...FLOOR }).map(async ([handler, entry]) => {
      const file = `${outdir}/${handler}.mjs`;
      return { handler, file, bytes: await bundle(entry, file) };
    }),
  );
  const times = new Map<string, { empty: number[]; own: number[] }>(
    built.map(({ handler }) => [handler, { empty: [], own: [] }]),
  );
  for (const { file } of built) processMs(file); // warm the file cache, not measured
  processMs(emptyFile);
  for (let round = 0; round < runs; round++) {
    for (const { handler, file } of built) {
      const pair = times.get(handler) as { empty: number[]; own: number[] };
      pair.empty.push(processMs(emptyFile));
      pair.own.push(processMs(file));
    }
  }
  rmSync(outdir, { recursive: true, force: true });
  const figures = built.map(({ handler, bytes }) => {
    const pair = times.get(handler) as { empty: number[]; own: number[] };
    const own = median(pair.own);
    const empty = median(pair.empty);
    return { handler, bytes, processMs: own, emptyProcessMs: empty, ratioToEmpty: own / empty };
  });
  return {
    runs,
    emptyProcessMs: median([...times.values()].flatMap((pair) => pair.empty)),
    functions: figures.filter((figure) => figure.handler in FUNCTIONS),
    floorRatioToEmpty: figures.find((figure) => figure.handler in FLOOR)?.ratioToEmpty ?? Number.NaN,
  };
}
