import { loadConfig } from '../wiring/config.js';
import { dynamoClients } from '../wiring/parts.js';
import { retentionLogs, wireSettlement } from '../wiring/settlement.js';
import { reconcileHandler } from './reconcile-handler.js';

const config = loadConfig();
// One DynamoDB client for the settling and the retention period's logs.
const dynamo = dynamoClients(config, {});

/** Lambda entry for the scheduled reconciler. */
export const handler = reconcileHandler(
  wireSettlement(config, { dynamo }),
  retentionLogs(config, { dynamo }),
);
