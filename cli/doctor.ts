import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { CREATE_PURCHASE_RESOURCE } from '../contract/routes.js';
import { callerToken } from '../lambda/checkout/model/caller-auth.js';
import { GlaseRejectedError, GlaseUnavailableError } from '../lambda/checkout/model/errors.js';
import { unindexedOrders } from '../lambda/checkout/use-cases/reindex.js';
import { CALLER_AUTH_MODES, type CallerAuthMode } from '../lambda/wiring/config.js';
import type { Connection } from './connect.js';
import { type DeployedCheck, deployedChecks } from './doctor-deployed.js';

export interface Check {
  readonly name:
    | 'tables'
    | 'secrets'
    | 'glase'
    | 'api'
    | 'caller-auth'
    | 'receipt'
    | 'index'
    | DeployedCheck['name'];
  readonly ok: boolean;
  readonly detail: string;
}

export interface Diagnosis {
  readonly ok: boolean;
  readonly checks: readonly Check[];
  /** The URL to give Glase, with its key; undefined when the key cannot be read. */
  readonly createPurchaseUrl?: string | undefined;
  /** The stack's CloudWatch dashboard (deployed only). */
  readonly dashboardUrl?: string | undefined;
}

/** An invoice reference no shop ever has: asking for it tells wrong credentials from right ones. */
const NO_SUCH_INVOICE = '0';

/**
 * Is this shop ready for Glase? Each check is independent, harmless, and says what to do:
 * the tables exist; no secret is missing or a placeholder; Glase accepts the terminal
 * credentials (getPaymentStatus of an invoice that cannot exist: "unknown invoice" means the
 * terminal was accepted); the API answers an empty createPurchase with 400, as it should; every
 * order is in the lookup index. Deployed, also: someone confirmed the alarm subscription, SES may
 * send the order mails, and the stack matches the stage's settings file.
 */
export async function diagnose(connection: Connection): Promise<Diagnosis> {
  const { wiring } = connection;
  const { config, secrets } = wiring;
  const checks: Check[] = [];

  const tables = Object.values(config.tables);
  const states = await Promise.all(
    tables.map((TableName) =>
      wiring.dynamo.client
        .send(new DescribeTableCommand({ TableName }))
        .then((answer) => `${TableName} ${answer.Table?.TableStatus ?? 'UNKNOWN'}`)
        .catch((error: Error) => `${TableName} ${error.name}`),
    ),
  );
  checks.push({
    name: 'tables',
    ok: states.every((state) => state.endsWith(' ACTIVE')),
    detail: states.join(', '),
  });

  const needed = [
    ['terminal credentials', secrets.terminal],
    ['notification signing key', secrets.signingKey],
    ...(config.callerAuth === 'url-key' ? [['createPurchase URL key', secrets.urlKey] as const] : []),
    ...(config.callerAuth === 'token' ? [['X-Auth-Token secret', secrets.authSecret] as const] : []),
  ] as const;
  const problems = (
    await Promise.all(
      needed.map(([, read]) =>
        read().then(
          () => undefined,
          (error: Error) => error.message,
        ),
      ),
    )
  ).filter((problem): problem is string => problem !== undefined);
  checks.push({
    name: 'secrets',
    ok: problems.length === 0,
    detail:
      problems.length === 0
        ? `${needed.map(([name]) => name).join(', ')} are set`
        : `${problems.join('; ')}. Put the real values in (README: Deploy, step 2)`,
  });

  checks.push(await glaseCheck(connection));

  // Deployed, the stack says how callers authenticate. Locally, `npm start` may run with another
  // CALLER_AUTH than this shell has: follow the one the API answers to (the local keys are public).
  const local = !connection.createPurchaseUrl;
  const modes = local
    ? [...new Set<CallerAuthMode>([config.callerAuth, ...CALLER_AUTH_MODES])]
    : [config.callerAuth];
  let createPurchaseUrl: string | undefined;
  let api: Check | undefined;
  let mode = config.callerAuth;
  for (const candidate of modes) {
    const template = urlTemplate(connection, candidate);
    const key = candidate === 'url-key' ? await secrets.urlKey().catch(() => undefined) : '';
    if (!template) {
      api = { name: 'api', ok: false, detail: 'not tried: PUBLIC_BASE_URL does not say where the API is' };
      break;
    }
    if (key === undefined) {
      api ??= { name: 'api', ok: false, detail: 'not tried: the URL key cannot be read (see secrets)' };
      continue;
    }
    const url = template.replace('{urlKey}', key);
    const { check, refusedCaller } = await apiCheck(connection, url, candidate);
    // The first answer decides, unless it is the refusal another caller-auth mode would pass.
    if (!api || check.ok) api = check;
    if (check.ok) {
      createPurchaseUrl = url;
      mode = candidate;
      if (candidate !== config.callerAuth) {
        api = { ...check, detail: `${check.detail} (npm start runs CALLER_AUTH=${candidate})` };
      }
      break;
    }
    if (!refusedCaller) break;
  }
  if (api) checks.push(api);
  if (mode === 'none') {
    checks.push({
      name: 'caller-auth',
      ok: true,
      detail:
        'warning: CALLER_AUTH=none, anyone who finds the URL can create purchases (fine on a laptop only)',
    });
  }
  if (config.mail && !(config.seller.name && config.seller.orgNumber)) {
    checks.push({
      name: 'receipt',
      ok: true,
      detail:
        'warning: the shopper mails are on but the seller is not named (sellerName and sellerOrgNumber, locally SELLER_NAME and SELLER_ORG_NUMBER): the paid mail is an order confirmation, not a receipt (kvitto)',
    });
  }
  checks.push(await indexCheck(connection));
  if (connection.deployed) checks.push(...(await deployedChecks(connection.deployed)));
  return {
    ok: checks.every((check) => check.ok),
    checks,
    createPurchaseUrl,
    dashboardUrl: connection.deployed?.dashboardUrl,
  };
}

/** Orders stored before the lookup index are invisible to `orders find` until reindexed. */
async function indexCheck({ wiring }: Connection): Promise<Check> {
  const missing = await unindexedOrders(wiring.store, wiring.settlement.clock.now());
  return missing.length === 0
    ? { name: 'index', ok: true, detail: 'the oldest order of each status is in the lookup index' }
    : {
        name: 'index',
        ok: false,
        detail: `orders stored before the lookup index (${missing.map((order) => `${order.orderId} ${order.status}`).join(', ')}): run \`orders reindex\``,
      };
}

async function glaseCheck({ wiring }: Connection): Promise<Check> {
  try {
    await wiring.settlement.glase.getPaymentStatus(
      { orderId: 'doctor', invoiceReference: NO_SUCH_INVOICE, invoiceVersion: 0 },
      { deadline: Date.now() + 10_000 },
    );
    return {
      name: 'glase',
      ok: true,
      detail: `Glase at ${wiring.config.glase.url} accepted the terminal credentials`,
    };
  } catch (error) {
    if (error instanceof GlaseRejectedError && error.refusal === 'unknown-invoice') {
      return {
        name: 'glase',
        ok: true,
        detail: `Glase at ${wiring.config.glase.url} accepted the terminal credentials`,
      };
    }
    if (error instanceof GlaseRejectedError && error.refusal === 'credentials') {
      return {
        name: 'glase',
        ok: false,
        detail: `Glase refused the terminal credentials: ${error.meaning} (${error.detail}). Check terminalId and terminalPassword with Glase`,
      };
    }
    if (error instanceof GlaseRejectedError || error instanceof GlaseUnavailableError) {
      return {
        name: 'glase',
        ok: false,
        detail: `${error.message} (is GLASE_API_URL ${wiring.config.glase.url} right?)`,
      };
    }
    return { name: 'glase', ok: false, detail: `could not ask Glase: ${(error as Error).message}` };
  }
}

/** The API's answer to an empty body; `refusedCaller`: it refused this caller, not the body. */
async function apiCheck(
  { wiring }: Connection,
  url: string,
  mode: CallerAuthMode,
): Promise<{ check: Check; refusedCaller?: boolean }> {
  const { config, secrets } = wiring;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (mode === 'token') {
    const secret = await secrets.authSecret().catch(() => '');
    headers['x-auth-token'] = callerToken(config.glase.webshopId ?? '', secret);
  }
  // Never the key itself in a check's line: the URL is printed whole once, where it is asked for.
  const shown = mode === 'url-key' ? url.replace(/[^/]+\/createPurchase$/, '{urlKey}/createPurchase') : url;
  try {
    // An empty body is refused before anything is read or written: a harmless probe.
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: '{}',
      signal: AbortSignal.timeout(10_000),
    });
    const answer = (await response.json().catch(() => ({}))) as { error?: { code?: string } };
    const code = answer.error?.code;
    if (response.status === 400 && code === 'INVALID_INPUT') {
      return {
        check: {
          name: 'api',
          ok: true,
          detail: `POST ${shown} answers 400 INVALID_INPUT to an empty body, as it should`,
        },
      };
    }
    return {
      check: {
        name: 'api',
        ok: false,
        detail: `POST ${shown} answered ${response.status} ${code ?? ''}; expected 400 INVALID_INPUT`,
      },
      refusedCaller: code === 'NOT_FOUND' || code === 'NOT_AUTHENTICATED',
    };
  } catch (error) {
    return {
      check: {
        name: 'api',
        ok: false,
        detail: `POST ${shown} could not be reached: ${(error as Error).message}`,
      },
    };
  }
}

/** Deployed: from the stack's settings; local: the local API on PUBLIC_BASE_URL. */
function urlTemplate(connection: Connection, mode: CallerAuthMode): string | undefined {
  if (connection.createPurchaseUrl) return connection.createPurchaseUrl;
  const { config } = connection.wiring;
  if (!config.publicBaseUrl) return undefined;
  return `${config.publicBaseUrl.replace(/\/+$/, '')}${CREATE_PURCHASE_RESOURCE[mode === 'url-key' ? 'url-key' : 'plain']}`;
}
