/**
 * glase-checkout: the merchant's operator CLI. Exit codes: 0 done, 1 refused (the reason is
 * printed), 2 usage error. No stack traces unless --debug; secrets are never printed. One module
 * per command group in commands/.
 */
import { Command, CommanderError } from 'commander';
import { CheckoutError } from '../lambda/checkout/model/errors.js';
import { registerDoctor } from './commands/doctor.js';
import { registerOrders } from './commands/orders.js';
import { registerProducts } from './commands/products.js';
import { registerShoppers } from './commands/shoppers.js';
import { registerSnippet } from './commands/snippet.js';
import { registerStackTrace } from './commands/stack-trace.js';
import { registerWebhooks } from './commands/webhooks.js';
import { CatalogFileError, ConnectionError } from './errors.js';
import { note } from './session.js';
import { PROGRAM_VERSION } from './version.js';

export function buildProgram(): Command {
  const program = new Command('glase-checkout')
    .description('Operate a Glase Instant Checkout shop: catalog, orders, refunds, books, shoppers, webhooks')
    .version(PROGRAM_VERSION, '-V, --version')
    .option('--stack <name>', 'work on a deployed stack (CloudFormation outputs + your AWS credentials)')
    .option('--region <region>', 'AWS region of --stack')
    .option('--json', 'print JSON for scripts instead of tables')
    .option('--debug', 'print stack traces of unexpected errors')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');

  registerProducts(program);
  registerOrders(program);
  registerShoppers(program);
  registerWebhooks(program);
  registerDoctor(program);
  registerStackTrace(program);
  registerSnippet(program);
  return program;
}

/**
 * Runs one command; the exit code says how it went. With `--json`, a failure is one JSON object
 * on stderr, `{"error": {"code", "message"}}`, with a stable code: the domain's own
 * (SOLD_OUT, ORDER_NOT_FOUND, REFUSED, GLASE_UNAVAILABLE…), USAGE, NOT_CONNECTED or INTERNAL.
 */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  const debug = argv.includes('--debug');
  const json = argv.includes('--json');
  const fail = (exitCode: number, code: string, prefix: string, message: string) => {
    note(json ? JSON.stringify({ error: { code, message } }) : `${prefix}: ${message}`);
    return exitCode;
  };
  if (json) {
    // Commander's own usage messages go through `fail` too, as JSON; every subcommand keeps the
    // output settings it was created with, so each is told.
    const quiet = (command: Command): void => {
      command.configureOutput({ writeErr: () => undefined });
      command.commands.forEach(quiet);
    };
    quiet(program);
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return 0;
      }
      if (error.code === 'usage' || json) {
        return fail(2, 'USAGE', 'error', error.message.replace(/^error: /, ''));
      }
      return 2;
    }
    if (error instanceof CatalogFileError) return fail(1, error.code, 'error', error.message);
    if (error instanceof CheckoutError) return fail(1, error.code, 'refused', error.message);
    if (error instanceof ConnectionError) return fail(1, 'NOT_CONNECTED', 'refused', error.message);
    const code = fail(1, 'INTERNAL', 'error', (error as Error).message ?? String(error));
    if (debug) note((error as Error).stack ?? '');
    return code;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await run(process.argv.slice(2));
}
