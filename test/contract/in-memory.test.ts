import { InMemoryStore, InMemoryWebhookLog } from '../support/in-memory.js';
import { describeStores } from './stores.contract.js';
import { describeWebhookLogs } from './webhook-log.contract.js';

describeStores('in memory', async () => ({ store: new InMemoryStore(), close: async () => undefined }));

describeWebhookLogs('in memory', async () => ({
  log: new InMemoryWebhookLog(),
  close: async () => undefined,
}));
