import type { Command } from 'commander';
import type { Connection } from './connect.js';

/** The options every command takes (`glase-checkout --help`). */
export interface GlobalOptions {
  stack?: string;
  region?: string;
  json?: boolean;
  debug?: boolean;
}

export const out = (text: string) => process.stdout.write(`${text}\n`);
export const note = (text: string) => process.stderr.write(`${text}\n`);
/** `--json` prints the data for scripts; otherwise the human form. */
export const show = (options: GlobalOptions, data: unknown, human: () => string) =>
  out(options.json ? JSON.stringify(data, null, 2) : human());

/**
 * Connects (the `npm start` environment, or `--stack`), runs `work`, disconnects. The connection
 * is loaded on first use: `--help`, `--version` and usage errors never load the AWS SDK.
 */
export async function session<T>(
  command: Command,
  work: (connection: Connection, options: GlobalOptions) => Promise<T>,
): Promise<T> {
  const options = command.optsWithGlobals<GlobalOptions>();
  const { connect } = await import('./connect.js');
  const connection = await connect(options);
  try {
    return await work(connection, options);
  } finally {
    connection.wiring.close();
  }
}
