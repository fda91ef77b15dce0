import { createServer } from 'node:net';
import { tsImport } from 'tsx/esm/api';
import { developerState } from './working-tree.mjs';

/**
 * One DynamoDB Local for the whole run (each test file makes its own tables in it),
 * started with the same launcher as `npm start` and stopped by PID in the teardown.
 */
export default async function globalSetup() {
  // The teardown checks no test wrote into the developer's .local/ (npm start's state).
  globalThis.__developerState = developerState();
  // The CLI tests spawn the CLI as a merchant runs it: bundled, and built from this source.
  const { buildCli } = await import('../../cli/build.mjs');
  await buildCli();
  if (process.env.TEST_DYNAMODB_ENDPOINT) return;
  const { startDynamoDbLocal } = await tsImport('../../local/dynamodb-local.ts', import.meta.url);
  const dynamo = await startDynamoDbLocal(await freePort());
  process.env.TEST_DYNAMODB_ENDPOINT = dynamo.endpoint;
  globalThis.__dynamo = dynamo;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
