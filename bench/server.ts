/**
 * The bench's server, in a process of its own (`tsx bench/server.ts <dynamodb endpoint> <glase
 * url>`): the local stack (real handlers, API emulation) on DynamoDB Local, calling the Glase
 * sandbox of bench/glase.ts, plus the baseline route and a counter of DynamoDB refusals. Prints
 * one JSON line when ready.
 */
import type { LambdaHandler } from '../local/api-gateway.js';
import { startLocalStack } from '../local/stack.js';
import { minimalHandler } from './minimal-handler.js';

const [endpoint, glaseApiUrl] = process.argv.slice(2);
if (!endpoint || !glaseApiUrl) throw new Error('usage: tsx bench/server.ts <dynamodb endpoint> <glase url>');

const refusals = new Map<string, number>();
const requests = new Map<string, number>();
const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

const stack = await startLocalStack({
  dynamodbEndpoint: endpoint,
  tablePrefix: 'bench-',
  catalogFile: false,
  glaseApiUrl,
  environment: { CALLER_AUTH: 'none', OPEN_ORDERS_PER_SHOPPER: '0' },
  dynamoCounters: {
    onRequest: (command) => count(requests, command),
    onRefusal: (command, refusal) => count(refusals, `${command} ${refusal}`),
  },
  extraRoutes: [
    {
      method: 'POST',
      resource: '/bench/minimal',
      functionName: 'minimal',
      handler: minimalHandler as unknown as LambdaHandler,
    },
    {
      method: 'POST',
      resource: '/bench/counters',
      functionName: 'counters',
      handler: async () => {
        const body = JSON.stringify({
          requests: Object.fromEntries(requests),
          refusals: Object.fromEntries(refusals),
        });
        requests.clear();
        refusals.clear();
        return { statusCode: 200, body };
      },
    },
  ],
});
process.stdout.write(`${JSON.stringify({ ready: true, apiUrl: stack.apiUrl })}\n`);
const stop = () => void stack.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
