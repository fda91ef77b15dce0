import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createPurchase, type PurchaseResult } from '../checkout/create-purchase.js';
import { CheckoutError } from '../checkout/errors.js';
import { notificationUrl } from '../checkout/notification-signature.js';
import { type PurchaseRequest, parsePurchaseRequest } from '../checkout/purchase-request.js';
import { callerAuth, httpRoute, json, validBody } from './http-middleware.js';
import { idempotent } from './idempotency.js';
import type { Runtime } from './runtime.js';

export const MAX_BODY_BYTES = 16 * 1024;

type PurchaseEvent = Omit<APIGatewayProxyEvent, 'body'> & { body: PurchaseRequest };

/**
 * POST /webshop/createPurchase. The middleware order is the request's path: normalise
 * headers, refuse oversized bodies, authenticate, parse and validate — all before the
 * idempotency record is written — then run the use case once per distinct request.
 */
export function createPurchaseHandler(runtime: Runtime) {
  const { config, logger, metrics } = runtime;
  const idempotency = new IdempotencyConfig({
    // A retry carries the same Idempotency-Key, or failing that the same body.
    eventKeyJmesPath: 'headers."idempotency-key" || body',
    payloadValidationJmesPath: 'body',
    expiresAfterSeconds: config.idempotencyTtlSeconds,
  });

  const purchase = async (event: PurchaseEvent): Promise<APIGatewayProxyResult> => {
    const { signingKey } = await runtime.secrets();
    const baseUrl = config.publicBaseUrl ?? baseUrlOf(event);
    let result: PurchaseResult;
    try {
      result = await createPurchase(
        {
          catalog: runtime.catalog,
          orders: runtime.orders,
          glase: runtime.glase,
          shop: config.shop,
          clock: runtime.clock,
          newOrderId: runtime.newOrderId,
          notificationUrlFor: (orderId) => notificationUrl(baseUrl, orderId, signingKey),
          warn: (message, details) => logger.warn(message, details),
        },
        event.body,
      );
    } catch (error) {
      metrics.addMetric(error instanceof CheckoutError ? error.code : 'InternalError', MetricUnit.Count, 1);
      throw error;
    }
    metrics.addMetric('PurchaseCreated', MetricUnit.Count, 1);
    logger.info('purchase invoiced', { orderId: result.orderId, invoiceReference: result.invoiceReference });
    return json(200, { invoiceReferenceId: result.invoiceReference });
  };

  return (
    httpRoute(runtime, MAX_BODY_BYTES)
      .use(callerAuth(config, runtime.secrets))
      .use(httpJsonBodyParser())
      .use(validBody(parsePurchaseRequest))
      .use(
        idempotent({
          persistenceStore: runtime.idempotencyStore,
          config: idempotency,
          keyPrefix: 'createPurchase',
        }),
      )
      // validBody has replaced the raw body with the validated PurchaseRequest by now.
      .handler(purchase as unknown as (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>)
  );
}

/** Without PUBLIC_BASE_URL, notifications come back to the host and stage Glase called. */
function baseUrlOf(event: Pick<APIGatewayProxyEvent, 'headers' | 'requestContext'>): string {
  const host = event.headers?.host ?? event.requestContext?.domainName ?? 'localhost';
  const proto = event.headers?.['x-forwarded-proto'] ?? 'https';
  const stage = event.requestContext?.stage;
  const onApiGatewayDomain = host.includes('.execute-api.');
  return `${proto}://${host}${onApiGatewayDomain && stage && stage !== '$default' ? `/${stage}` : ''}`;
}
