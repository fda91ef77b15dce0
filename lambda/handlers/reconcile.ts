import { reconcileHandler } from './reconcile-handler.js';
import { lambdaRuntime } from './runtime.js';

/** Lambda entry for the scheduled reconciler. */
export const handler = reconcileHandler(lambdaRuntime());
