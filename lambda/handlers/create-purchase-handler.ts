import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { METRIC } from '../../contract/metrics.js';
import { MAX_PURCHASE_BODY_BYTES, notifyPath } from '../../contract/routes.js';
import { InvalidInputError } from '../checkout/model/errors.js';
import { signOrderId } from '../checkout/model/notification-signature.js';
import { type PurchaseRequest, parsePurchaseRequest } from '../checkout/model/purchase-request.js';
import { createPurchase } from '../checkout/use-cases/create-purchase.js';
import type { CreatePurchaseWiring } from '../wiring/create-purchase.js';
import { callerAuth, httpRoute, json, validBody } from './http-middleware.js';
import { jsonBody } from './json-body.js';

/** Time kept back from the function's own timeout to answer Glase ourselves, never a gateway 502. */
const ANSWER_MARGIN_MS = 1_000;

type PurchaseEvent = Omit<APIGatewayProxyEvent, 'body'> & { body: PurchaseRequest };

/**
 * POST /webshop/{urlKey}/createPurchase (or /webshop/createPurchase without a URL key). The
 * middleware order is the request's path: normalise headers, refuse oversized bodies,
 * authenticate, parse and validate — all before anything is read or written — then run the
 * use case (which answers a retry from its request record), inside the time the function has left.
 */
export function createPurchaseHandler(wiring: CreatePurchaseWiring) {
  const { config, logger, metrics, secrets } = wiring;
  const purchase = async (event: PurchaseEvent, context: Context): Promise<APIGatewayProxyResult> => {
    // Both are needed before anything is reserved; a placeholder refuses the purchase here.
    const [signingKey] = await Promise.all([secrets.signingKey(), secrets.terminal()]);
    const baseUrl = config.publicBaseUrl ?? baseUrlOf(event);
    const deadline = Date.now() + context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS;
    const result = await createPurchase(
      {
        ...wiring.purchase,
        notificationUrlFor: (orderId) => {
          // Asked for once the order exists: from here on every log line, errors too, names it.
          logger.appendKeys({ orderId });
          return notificationUrl(baseUrl, orderId, signingKey);
        },
      },
      event.body,
      { deadline, idempotencyKey: idempotencyKeyOf(event) },
    );
    metrics.addMetric(
      result.replayed ? METRIC.purchaseReplayed : METRIC.purchaseCreated,
      MetricUnit.Count,
      1,
    );
    logger.info(result.replayed ? 'purchase replayed' : 'purchase invoiced', {
      orderId: result.orderId,
      invoiceReference: result.invoiceReference,
    });
    return json(200, { invoiceReferenceId: result.invoiceReference });
  };

  return (
    httpRoute(wiring, MAX_PURCHASE_BODY_BYTES)
      .use(callerAuth(wiring))
      .use(jsonBody())
      .use(validBody(parsePurchaseRequest))
      // validBody has replaced the raw body with the validated PurchaseRequest by now.
      .handler(
        purchase as unknown as (
          event: APIGatewayProxyEvent,
          context: Context,
        ) => Promise<APIGatewayProxyResult>,
      )
  );
}

/** An Idempotency-Key header, when the caller sends one: 1-200 visible characters. */
function idempotencyKeyOf(event: Pick<APIGatewayProxyEvent, 'headers'>): string | undefined {
  const key = event.headers?.['idempotency-key'];
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
    throw new InvalidInputError([
      { field: 'Idempotency-Key', message: 'must be 1-200 visible ASCII characters' },
    ]);
  }
  return key;
}

/** Where Glase will notify about this order: signed, so only a URL we issued is ever served. */
export function notificationUrl(publicBaseUrl: string, orderId: string, signingKey: string): string {
  const base = publicBaseUrl.replace(/\/+$/, '');
  return `${base}${notifyPath(orderId)}?sig=${signOrderId(orderId, signingKey)}`;
}

/** Without PUBLIC_BASE_URL, notifications come back to the host and stage Glase called. */
function baseUrlOf(event: Pick<APIGatewayProxyEvent, 'headers' | 'requestContext'>): string {
  const host = event.headers?.host ?? event.requestContext?.domainName ?? 'localhost';
  const proto = event.headers?.['x-forwarded-proto'] ?? 'https';
  const stage = event.requestContext?.stage;
  const onApiGatewayDomain = host.includes('.execute-api.');
  return `${proto}://${host}${onApiGatewayDomain && stage && stage !== '$default' ? `/${stage}` : ''}`;
}
