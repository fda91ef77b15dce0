/**
 * Handler CPU, in a process of its own (`tsx bench/cpu.ts <dynamodb> <glase url> <results file>`)
 * whose stdout goes nowhere, so logs (INFO) and metrics (on) cost what they cost deployed without
 * filling a terminal. process.cpuUsage() is read around each handler call and nothing else runs
 * in this process: DynamoDB Local and the Glase sandbox are other processes. Our createPurchase
 * and the floor (the same SDK and SOAP calls without our code) alternate, one of each per round.
 */
import { writeFileSync } from 'node:fs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { GlaseClient } from '../lambda/glase/client.js';
import { createPurchaseHandler } from '../lambda/handlers/create-purchase-handler.js';
import { createDynamoClients } from '../lambda/store/dynamo-client.js';
import { loadConfig } from '../lambda/wiring/config.js';
import { wireCreatePurchase } from '../lambda/wiring/create-purchase.js';
import { LOCAL_SECRETS, localEnvironment } from '../lambda/wiring/local-profile.js';
import { floorPurchase } from './floor-purchase.js';

const [endpoint, glaseUrl, resultsFile] = process.argv.slice(2);
if (!endpoint || !glaseUrl || !resultsFile)
  throw new Error('usage: tsx bench/cpu.ts <dynamodb> <glase> <file>');
const ROUNDS = Number(process.env.CPU_ROUNDS ?? 300);
const WARM_UP = 30;
export const CPU_PRODUCT = '29834231890234';

const config = loadConfig(
  localEnvironment({
    TABLE_PREFIX: 'bench-',
    DYNAMODB_ENDPOINT: endpoint,
    GLASE_API_URL: glaseUrl,
    CALLER_AUTH: 'url-key',
  }),
);
const dynamoRequests: string[] = [];
const glaseCalls: string[] = [];
// The SDK's requests counted by its own middleware; Glase's calls by the client's hook.
const dynamo = createDynamoClients({
  region: config.region,
  endpoint,
  onRequest: (command) => dynamoRequests.push(command),
});
const built = wireCreatePurchase(config, { dynamo });
const wiring = {
  ...built,
  purchase: {
    ...built.purchase,
    glase: new GlaseClient({
      url: config.glase.url,
      clientId: config.glase.clientId,
      timeoutMs: config.glase.timeoutMs,
      credentials: async () => ({
        terminalId: LOCAL_SECRETS.terminalId,
        password: LOCAL_SECRETS.terminalPassword,
      }),
      onCall: (operation) => glaseCalls.push(operation),
    }),
  },
};
const ours = createPurchaseHandler(wiring);
const floorDynamo = createDynamoClients({ region: config.region, endpoint });
const floor = floorPurchase({
  document: floorDynamo.document,
  tables: config.tables,
  glaseUrl,
  terminalId: LOCAL_SECRETS.terminalId,
  password: LOCAL_SECRETS.terminalPassword,
});

const context = {
  functionName: 'createPurchase',
  awsRequestId: 'bench',
  getRemainingTimeInMillis: () => 15_000,
} as unknown as Context;
let shoppers = 0;
/** A fresh event each call, as Lambda gives (the handler replaces the body with its parsed form). */
function event(headers: Record<string, string> = {}, shopper = ++shoppers): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    path: `/webshop/${LOCAL_SECRETS.urlKey}/createPurchase`,
    resource: '/webshop/{urlKey}/createPurchase',
    pathParameters: { urlKey: LOCAL_SECRETS.urlKey },
    headers: { 'content-type': 'application/json', host: '127.0.0.1', ...headers },
    body: JSON.stringify({
      purchaseToken: CPU_PRODUCT,
      clientName: `Bench Shopper ${shopper}`,
      street: 'Storgatan 1',
      city: 'Stockholm',
      country: 'Sweden',
      state: '',
      zip: '11122',
      // One unpaid order per shopper is the default cap: each purchase is a new shopper.
      email: `shopper-${shopper}-${process.pid}@bench.example`,
    }),
    requestContext: { stage: 'local' },
  } as unknown as APIGatewayProxyEvent;
}

async function cpuOf(
  handler: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>,
  given: APIGatewayProxyEvent,
) {
  const before = process.cpuUsage();
  const answer = await handler(given, context);
  const used = process.cpuUsage(before);
  if (answer.statusCode !== 200) throw new Error(`answered ${answer.statusCode}: ${answer.body}`);
  return (used.user + used.system) / 1000;
}

// Round trips, counted by SDK middleware and the Glase client for one purchase and its replay.
for (let warm = 0; warm < WARM_UP; warm++) {
  await cpuOf(ours, event());
  await cpuOf(floor, event());
}
dynamoRequests.length = 0;
glaseCalls.length = 0;
const key = { 'idempotency-key': `bench-${process.pid}` };
const keyedShopper = ++shoppers;
await cpuOf(ours, event(key, keyedShopper));
const purchase = { dynamodb: [...dynamoRequests], glase: [...glaseCalls] };
dynamoRequests.length = 0;
glaseCalls.length = 0;
await cpuOf(ours, event(key, keyedShopper));
const replay = { dynamodb: [...dynamoRequests], glase: [...glaseCalls] };

const oursMs: number[] = [];
const floorMs: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  // Alternate which goes first, so neither always meets a freshly collected heap.
  if (round % 2) {
    oursMs.push(await cpuOf(ours, event()));
    floorMs.push(await cpuOf(floor, event()));
  } else {
    floorMs.push(await cpuOf(floor, event()));
    oursMs.push(await cpuOf(ours, event()));
  }
}
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
writeFileSync(
  resultsFile,
  JSON.stringify({
    rounds: ROUNDS,
    roundTrips: { purchase, replay },
    oursCpuMsPerPurchase: sum(oursMs) / ROUNDS,
    floorCpuMsPerPurchase: sum(floorMs) / ROUNDS,
    overhead: sum(oursMs) / sum(floorMs),
  }),
);
process.exit(0);
