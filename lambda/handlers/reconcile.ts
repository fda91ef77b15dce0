import { loadConfig } from '../wiring/config.js';
import { wireSettlement } from '../wiring/settlement.js';
import { reconcileHandler } from './reconcile-handler.js';

/** Lambda entry for the scheduled reconciler. */
export const handler = reconcileHandler(wireSettlement(loadConfig()));
