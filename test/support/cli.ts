import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalStack } from '../../local/stack.js';

const BIN = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url));
/** Long enough that only a hung CLI reaches it, however busy the machine. */
const HANG = 300_000;

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The operator CLI as a process of its own, connected to a test stack as it would be to
 * `npm start`; its events and mails go to `files`, never the developer's `.local/`.
 */
export function cliOf(stack: LocalStack, files: string, environment: NodeJS.ProcessEnv = {}) {
  return (args: readonly string[], extra: NodeJS.ProcessEnv = {}) =>
    new Promise<CliRun>((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        {
          env: {
            ...process.env,
            DYNAMODB_ENDPOINT: process.env.TEST_DYNAMODB_ENDPOINT,
            TABLE_PREFIX: stack.tables.products.replace(/products$/, ''),
            GLASE_API_URL: stack.sandbox?.url,
            PUBLIC_BASE_URL: stack.apiUrl,
            OUTBOX_FILE: join(files, 'outbox.jsonl'),
            MAIL_DIR: join(files, 'mail'),
            ...environment,
            ...extra,
          },
          timeout: HANG,
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
}
