import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import type { GlobalOptions } from '../session.js';
import { note, show } from '../session.js';
import { FUNCTION_IDS, type FunctionName, findSourceMap, mapStackTrace } from '../stack-trace.js';

/** `stack-trace`: a logged stack trace back to source lines, from the bundle's source map. */
export function registerStackTrace(program: Command): void {
  program
    .command('stack-trace')
    .argument('[file]', 'a logged stack trace or log line (default: standard input)')
    .addOption(
      new Option('--function <name>', 'the function that logged it')
        .choices(Object.keys(FUNCTION_IDS))
        .default('createPurchase'),
    )
    .option('--cdk-out <dir>', 'the cloud assembly the deployed code came from', 'cdk.out')
    .option('--map <file>', "the bundle's source map, instead of finding it in --cdk-out")
    .description('turn a logged stack trace back into source files and lines (no AWS access)')
    .action(
      async (
        file: string | undefined,
        flags: { function: string; cdkOut: string; map?: string },
        command: Command,
      ) => {
        const options = command.optsWithGlobals<GlobalOptions>();
        const map = flags.map ?? findSourceMap(flags.cdkOut, options.stack, flags.function as FunctionName);
        const trace = readFileSync(file ?? 0, 'utf8');
        const result = mapStackTrace(trace, map);
        show(options, { map, ...result }, () => result.text.replace(/\n$/, ''));
        if (result.found > 0 && result.mapped === 0)
          note(`note: no position matched ${map}: is it this function's, from the deployed commit?`);
      },
    );
}
