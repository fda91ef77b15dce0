/**
 * The operator CLI's start-up, as a merchant runs it (`node cli/bin.mjs …`): the bundle
 * (dist/cli.mjs, built at install) against the TypeScript source through tsx (what every command
 * paid before), interleaved run by run so both see the same machine.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fixed, percentile, printTable, say } from './report.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = `${root}cli/bin.mjs`;

export interface CliStartResult {
  readonly runs: number;
  readonly commands: readonly {
    readonly command: string;
    readonly sourceMs: number;
    readonly bundleMs: number;
    readonly speedup: number;
  }[];
}

function wallMs(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, [BIN, ...args], { env, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** `--help`, and `orders list` against the tables at `dynamodbEndpoint` with `tablePrefix`. */
export function measureCliStart(runs: number, dynamodbEndpoint: string, tablePrefix: string): CliStartResult {
  execFileSync(process.execPath, [`${root}cli/build.mjs`], { stdio: 'ignore' });
  const env = {
    ...process.env,
    DYNAMODB_ENDPOINT: dynamodbEndpoint,
    TABLE_PREFIX: tablePrefix,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const commands = [['--help'], ['orders', 'list', '--limit', '20']].map((args) => {
    const source: number[] = [];
    const bundle: number[] = [];
    for (let run = 0; run < runs; run++) {
      source.push(wallMs(args, { ...env, GLASE_CLI_FROM_SOURCE: '1' }));
      bundle.push(wallMs(args, env));
    }
    const sourceMs = percentile(source, 50);
    const bundleMs = percentile(bundle, 50);
    return { command: args.join(' '), sourceMs, bundleMs, speedup: sourceMs / bundleMs };
  });
  say(
    `\n## Operator CLI start-up: a whole \`node cli/bin.mjs …\` process, wall time, median of ${runs}, ` +
      'source through tsx and the bundle alternating\n',
  );
  printTable(
    ['command', 'TypeScript via tsx ms (before)', 'bundle ms (now)', 'faster'],
    commands.map((figure) => [
      figure.command,
      fixed(figure.sourceMs),
      fixed(figure.bundleMs),
      `${fixed(figure.speedup, 1)}×`,
    ]),
  );
  return { runs, commands };
}
