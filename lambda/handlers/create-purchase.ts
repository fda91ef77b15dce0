import { createPurchaseHandler } from './create-purchase-handler.js';
import { lambdaRuntime } from './runtime.js';

/** Lambda entry for POST /webshop/createPurchase. */
export const handler = createPurchaseHandler(lambdaRuntime());
