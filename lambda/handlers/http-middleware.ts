import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { METRIC } from '../../contract/metrics.js';
import { isCallerToken, sameSecret } from '../checkout/model/caller-auth.js';
import type { Config } from '../wiring/config.js';
import type { Observability } from '../wiring/parts.js';
import type { Secrets } from '../wiring/secrets.js';
import { jsonErrors, RequestRefusal } from './http-errors.js';

/**
 * What every HTTP route shares, in the order a request meets it: logging context, metrics,
 * lower-cased headers, errors turned into our JSON bodies, and a body-size cap checked
 * before anything parses the body.
 */
export function httpRoute(seen: Observability, maxBodyBytes: number) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(injectLambdaContext(seen.logger, { resetKeys: true }))
    .use(logMetrics(seen.metrics))
    .use(httpHeaderNormalizer())
    .use(httpErrorHandler({ logger: false }))
    .use(jsonErrors(seen))
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
        throw new RequestRefusal('PAYLOAD_TOO_LARGE', `request body must be at most ${maxBytes} bytes`);
      }
    },
  };
}

/**
 * Who may call createPurchase. Glase's Instant Checkout sends nothing but the URL, so by
 * default the URL itself is the credential: `/webshop/{urlKey}/createPurchase` with a key of at
 * least 128 bits, compared in constant time; a wrong key looks exactly like an unknown route.
 * `token` checks X-Auth-Token (for a Glase contract that provides one); `none` is for a laptop.
 * Runs before the body is parsed, so a stranger costs no reads or writes. A key that is missing,
 * a placeholder or too short is refused at cold start and every request answers 503: never open.
 */
export function callerAuth({
  config,
  secrets,
  logger,
  metrics,
}: { config: Config; secrets: Secrets } & Observability): MiddlewareObj<APIGatewayProxyEvent> {
  const mode = config.callerAuth;
  const webshopId = config.glase.webshopId ?? '';
  const check = (event: APIGatewayProxyEvent) =>
    mode === 'url-key'
      ? secrets.urlKey().then((key) => sameSecret(event.pathParameters?.urlKey, key))
      : secrets
          .authSecret()
          .then((secret) => isCallerToken(event.headers?.['x-auth-token'], webshopId, secret));
  let reported = false;
  const report = (error: Error) => {
    if (reported) return;
    reported = true;
    logger.error('caller authentication is not configured; every purchase will be refused with 503', {
      problem: error.message,
    });
  };
  const source = mode === 'url-key' ? config.secrets.urlKey : config.secrets.terminal;
  if (mode !== 'none' && !(source && 'arn' in source)) {
    // A value in the environment is checked at cold start, before Glase first calls. One in
    // Secrets Manager can only be read once a request is being served (the extension does not
    // answer during initialisation): it is reported at the first request.
    (mode === 'url-key' ? secrets.urlKey() : secrets.authSecret()).catch(report);
  }
  return {
    before: async ({ event }) => {
      if (mode === 'none') return;
      let allowed: boolean;
      try {
        allowed = await check(event);
      } catch (error) {
        report(error as Error);
        metrics.addMetric(METRIC.callerAuthNotConfigured, MetricUnit.Count, 1);
        throw error;
      }
      if (allowed) return;
      if (mode === 'url-key') throw new RequestRefusal('NOT_FOUND', 'no such resource');
      throw new RequestRefusal('NOT_AUTHENTICATED', 'X-Auth-Token is missing or wrong');
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
