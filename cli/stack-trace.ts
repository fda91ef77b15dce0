import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { NoSourceMapError } from './errors.js';

/**
 * `glase-checkout stack-trace`: the functions run without --enable-source-maps (parsing the map
 * cost 5-11 % of every cold start), so a logged stack trace points into the minified bundle,
 * `file:///var/task/index.mjs:1:23456`. This turns every such position back into the source file,
 * line and column, from the `.map` esbuild wrote beside the bundle — the one `cdk deploy` left in
 * cdk.out, or any named with --map. Node's own SourceMap reads it: nothing else is loaded.
 */

/** A position in a bundle as Node prints it in a stack trace (1-based line and column). */
const BUNDLE_POSITION = /(?:file:\/\/)?[^\s()"'[\]]*index\.mjs:(\d+):(\d+)/g;

export interface MappedTrace {
  readonly text: string;
  /** How many positions were found in the bundle, and how many of them the map resolved. */
  readonly found: number;
  readonly mapped: number;
}

/**
 * Every bundle position in `text` replaced by `source:line:column`, sources given relative to
 * `base` (the repository, when run from it). Anything else in the text is left as it was, so a
 * whole log line (JSON included) can be pasted in.
 */
export function mapStackTrace(text: string, mapFile: string, base = process.cwd()): MappedTrace {
  const map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));
  const mapDirectory = dirname(resolve(mapFile));
  let found = 0;
  let mapped = 0;
  const result = text.replace(BUNDLE_POSITION, (position, line: string, column: string) => {
    found++;
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (entry.originalSource === undefined || entry.originalLine === undefined) return position;
    mapped++;
    const source = relative(base, resolve(mapDirectory, entry.originalSource.replace(/^file:\/\//, '')));
    return `${source}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
  });
  return { text: result, found, mapped };
}

/** The functions as the stack names them (infra/glase-checkout-stack.ts), by the CLI's names. */
export const FUNCTION_IDS = {
  createPurchase: 'CreatePurchase',
  paymentNotification: 'PaymentNotification',
  reconciler: 'Reconciler',
  orderMail: 'OrderMail',
} as const;
export type FunctionName = keyof typeof FUNCTION_IDS;

/**
 * The source map of one function's bundle in a synthesized cloud assembly: the template names
 * each function's asset directory, and esbuild wrote `index.mjs.map` beside `index.mjs` there.
 */
export function findSourceMap(cdkOut: string, stackName: string | undefined, fn: FunctionName): string {
  const template = join(cdkOut, `${stackName ?? onlyStack(cdkOut)}.template.json`);
  if (!existsSync(template)) {
    throw new NoSourceMapError(
      `no ${template}: run \`npm run synth\` (or deploy) from the commit that is deployed, or give --map`,
    );
  }
  const { Resources = {} } = JSON.parse(readFileSync(template, 'utf8')) as {
    Resources?: Record<string, { Type?: string; Metadata?: Record<string, string> }>;
  };
  const id = FUNCTION_IDS[fn];
  const asset = Object.entries(Resources).find(
    ([logicalId, resource]) =>
      resource.Type === 'AWS::Lambda::Function' &&
      logicalId.startsWith(`${id}Function`) &&
      resource.Metadata?.['aws:asset:path'],
  )?.[1].Metadata?.['aws:asset:path'];
  if (!asset) throw new NoSourceMapError(`${template} has no ${id} function`);
  const map = join(cdkOut, asset, 'index.mjs.map');
  if (!existsSync(map)) throw new NoSourceMapError(`${map} is missing: synthesize again`);
  return map;
}

/** Without --stack: the one stack synthesized into `cdkOut`. */
function onlyStack(cdkOut: string): string {
  const stacks = existsSync(cdkOut)
    ? readdirSync(cdkOut)
        .filter((name) => name.endsWith('.template.json'))
        .map((name) => name.slice(0, -'.template.json'.length))
    : [];
  if (stacks.length === 1) return stacks[0] as string;
  throw new NoSourceMapError(
    stacks.length === 0
      ? `nothing synthesized in ${cdkOut}: run \`npm run synth\` (or deploy), or give --map`
      : `${cdkOut} holds ${stacks.join(', ')}: say which with --stack`,
  );
}
