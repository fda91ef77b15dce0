import { loadConfig } from '../wiring/config.js';
import { wireCreatePurchase } from '../wiring/create-purchase.js';
import { createPurchaseHandler } from './create-purchase-handler.js';

/** Lambda entry for POST /webshop/{urlKey}/createPurchase. */
export const handler = createPurchaseHandler(wireCreatePurchase(loadConfig()));
