import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { isCallerToken } from '../checkout/caller-auth.js';
import type { Config, Secrets } from './config.js';
import { HttpRefusal, jsonErrors } from './http-errors.js';
import type { Runtime } from './runtime.js';

/**
 * What every HTTP route shares, in the order a request meets it: logging context, metrics,
 * lower-cased headers, errors turned into our JSON bodies, and a body-size cap checked
 * before anything parses the body.
 */
export function httpRoute({ logger, metrics }: Pick<Runtime, 'logger' | 'metrics'>, maxBodyBytes: number) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .use(httpHeaderNormalizer())
    .use(httpErrorHandler({ logger: false }))
    .use(jsonErrors(logger))
    .use(bodyLimit(maxBodyBytes));
}

/**
 * Refuses a body over `maxBytes` before anything parses it. API Gateway allows 10 MB; a
 * createPurchase body is a few hundred bytes.
 */
export function bodyLimit(maxBytes: number): MiddlewareObj<APIGatewayProxyEvent> {
  return {
    before: async ({ event }) => {
      const body = event.body ?? '';
      const bytes = event.isBase64Encoded ? Math.floor((body.length * 3) / 4) : Buffer.byteLength(body);
      if (bytes > maxBytes) {
        throw new HttpRefusal(413, 'PAYLOAD_TOO_LARGE', `request body must be at most ${maxBytes} bytes`);
      }
    },
  };
}

/**
 * Checks `X-Auth-Token` when CALLER_AUTH=token. Runs before the body is even parsed, so an
 * unauthenticated caller costs us no reads or writes.
 */
export function callerAuth(
  config: Config,
  secrets: () => Promise<Secrets>,
): MiddlewareObj<APIGatewayProxyEvent> {
  return {
    before: async ({ event }) => {
      if (config.callerAuth === 'none') return;
      const { authSecret } = await secrets();
      const webshopId = config.glase.webshopId;
      if (!authSecret || !webshopId) throw new Error('caller authentication is on but not configured');
      if (!isCallerToken(event.headers?.['x-auth-token'], webshopId, authSecret)) {
        throw new HttpRefusal(401, 'NOT_AUTHENTICATED', 'X-Auth-Token is missing or wrong');
      }
    },
  };
}

/** Replaces the parsed JSON body with the validated domain input, or throws naming the fields. */
export function validBody<T>(parse: (body: unknown) => T): MiddlewareObj<APIGatewayProxyEvent> {
  return {
    before: async (request) => {
      (request.event as unknown as { body: T }).body = parse(request.event.body);
    },
  };
}

export function json(statusCode: number, body: unknown) {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
    body: JSON.stringify(body),
  };
}
