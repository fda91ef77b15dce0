import { InMemoryCatalog, InMemoryOrderStore } from '../support/in-memory.js';
import { describeStores } from './stores.contract.js';

describeStores('in memory', async () => {
  const catalog = new InMemoryCatalog();
  const orders = new InMemoryOrderStore(catalog);
  return {
    orders,
    catalog,
    seedLegacyProduct: async (entry, stock) => catalog.seedLegacy(entry, stock),
    seedOrder: async (order) => {
      orders.orders.set(order.orderId, structuredClone(order));
    },
    close: async () => undefined,
  };
});
