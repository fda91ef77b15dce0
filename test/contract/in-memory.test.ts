import { InMemoryStore } from '../support/in-memory.js';
import { describeStores } from './stores.contract.js';

describeStores('in memory', async () => ({ store: new InMemoryStore(), close: async () => undefined }));
