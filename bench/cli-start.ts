/**
 * The operator CLI's start-up, as a merchant runs it (`node cli/bin.mjs …`), three ways, run by
 * run in turn so all see the same machine: the CLI as released before it was bundled (its
 * TypeScript through tsx on every run; a git worktree of CLI_BASELINE_COMMIT), today's source
 * through tsx, and today's bundle (dist/, built at install).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixed, percentile, printTable, say } from './report.js';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The last commit whose CLI ran through tsx on every command (before issue #12). */
const BASELINE = process.env.CLI_BASELINE_COMMIT ?? 'fca0cc6';

export interface CliStartResult {
  readonly runs: number;
  readonly baseline: string | undefined;
  readonly commands: readonly {
    readonly command: string;
    readonly releasedMs: number | undefined;
    readonly sourceMs: number;
    readonly bundleMs: number;
    readonly speedup: number | undefined;
  }[];
}

function wallMs(bin: string, args: readonly string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, [bin, ...args], { env, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** A checkout of the baseline next to this one, sharing its node_modules; undefined without git. */
function baselineCheckout(): { dir: string; remove: () => void } | undefined {
  const dir = join(mkdtempSync(join(tmpdir(), 'glase-cli-baseline-')), 'tree');
  try {
    execFileSync('git', ['worktree', 'add', '--detach', dir, BASELINE], { cwd: root, stdio: 'ignore' });
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  } catch {
    return undefined;
  }
  return {
    dir,
    remove: () => {
      execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: root, stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
  const baseline = baselineCheckout();
  try {
    const commands = [['--help'], ['orders', 'list', '--limit', '20']].map((args) => {
      const released: number[] = [];
      const source: number[] = [];
      const bundle: number[] = [];
      for (let run = 0; run < runs; run++) {
        if (baseline) released.push(wallMs(join(baseline.dir, 'cli/bin.mjs'), args, env));
        source.push(wallMs(`${root}cli/bin.mjs`, args, { ...env, GLASE_CLI_FROM_SOURCE: '1' }));
        bundle.push(wallMs(`${root}cli/bin.mjs`, args, env));
      }
      const releasedMs = baseline ? percentile(released, 50) : undefined;
      const bundleMs = percentile(bundle, 50);
      return {
        command: args.join(' '),
        releasedMs,
        sourceMs: percentile(source, 50),
        bundleMs,
        speedup: releasedMs === undefined ? undefined : releasedMs / bundleMs,
      };
    });
    say(
      `\n## Operator CLI start-up: a whole \`node cli/bin.mjs …\` process, wall time, median of ${runs}, ` +
        `the three taking turns (released = ${baseline ? BASELINE : 'not available: no git'})\n`,
    );
    printTable(
      ['command', 'released CLI ms (tsx)', 'this source via tsx ms', 'bundle ms (now)', 'released ÷ now'],
      commands.map((figure) => [
        figure.command,
        figure.releasedMs === undefined ? 'n/a' : fixed(figure.releasedMs),
        fixed(figure.sourceMs),
        fixed(figure.bundleMs),
        figure.speedup === undefined ? 'n/a' : `${fixed(figure.speedup, 1)}×`,
      ]),
    );
    return { runs, baseline: baseline ? BASELINE : undefined, commands };
  } finally {
    baseline?.remove();
  }
}
