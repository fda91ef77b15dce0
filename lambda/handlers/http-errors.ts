import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import { createError } from '@middy/util';
import { METRIC, RELEASE_METRIC } from '../../contract/metrics.js';
import {
  CheckoutError,
  GlaseRejectedError,
  GlaseUnavailableError,
  InvalidInputError,
  ServiceUnavailableError,
} from '../checkout/model/errors.js';
import { ConfigurationError } from '../wiring/config.js';
import type { Observability } from '../wiring/parts.js';
import { releaseMetric } from './release-metric.js';

export interface HttpProblem {
  readonly statusCode: number;
  readonly code: string;
  readonly message: string;
  readonly fields?: readonly { field: string; message: string }[];
  /** Seconds a caller should wait before repeating the request (a 503's Retry-After). */
  readonly retryAfter?: number;
}

/** What a request itself got wrong, before any use case ran (the middlewares' refusals). */
const REQUEST_STATUS = {
  INVALID_JSON: 400,
  INVALID_ENCODING: 400,
  NOT_AUTHENTICATED: 401,
  INVALID_SIGNATURE: 403,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
} as const;

/** Every code callers can get, and its status: the one table (docs/http-api.md lists it). */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  ...REQUEST_STATUS,
  INVALID_INPUT: 400,
  UNKNOWN_PURCHASE_TOKEN: 404,
  ORDER_NOT_FOUND: 404,
  SOLD_OUT: 409,
  UNITS_HELD: 409,
  NOT_FOR_SALE: 409,
  OPEN_ORDER_LIMIT: 409,
  // Transient: a caller that repeats only 5xx answers would stop at a 409 and tell its buyer
  // "failed" while the earlier attempt may still produce the invoice nobody gets.
  REQUEST_IN_PROGRESS: 503,
  IDEMPOTENCY_KEY_REUSED: 422,
  ORDER_STATE_CONFLICT: 409,
};

/**
 * A request refused before it reaches a use case (too large, not JSON, not ours): one more member
 * of the domain's error family, so one function maps every failure to HTTP.
 */
export class RequestRefusal extends CheckoutError {
  constructor(
    readonly code: keyof typeof REQUEST_STATUS,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The one place an error becomes an HTTP answer. Domain errors keep their message (they are
 * written for callers and carry no secrets); everything unexpected is a bare 500.
 */
export function toHttpProblem(error: unknown): HttpProblem {
  const parserRefusal = jsonParserRefusal(error);
  if (parserRefusal) return parserRefusal;
  if (isFunctionTimeout(error)) {
    // middy's own early timeout: the function ran out of time (a machine or a service too slow).
    return {
      statusCode: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: UNAVAILABLE_MESSAGE['no-time'],
      retryAfter: 1,
    };
  }
  if (error instanceof InvalidInputError) {
    return { statusCode: 400, code: error.code, message: 'request body is invalid', fields: error.issues };
  }
  if (error instanceof GlaseRejectedError) {
    return {
      statusCode: error.retryable ? 503 : 502,
      code: error.code,
      message: `Glase refused the ${error.operation}: ${error.meaning} (${error.detail})`,
      ...(error.retryable ? { retryAfter: RETRY_AFTER_SECONDS } : {}),
    };
  }
  if (error instanceof GlaseUnavailableError) {
    const retryable = error.kind !== 'bad-response';
    return {
      statusCode: retryable ? 503 : 502,
      code: error.code,
      message: 'Glase did not give a usable answer; nothing was reserved',
      ...(retryable ? { retryAfter: RETRY_AFTER_SECONDS } : {}),
    };
  }
  if (error instanceof ServiceUnavailableError) {
    return {
      statusCode: 503,
      code: error.code,
      message: UNAVAILABLE_MESSAGE[error.reason],
      retryAfter: error.retryAfterSeconds,
    };
  }
  if (error instanceof ConfigurationError) {
    // A secret still holding its placeholder, or missing: the operator must act; callers retry.
    return {
      statusCode: 503,
      code: 'NOT_CONFIGURED',
      message: 'this shop is not ready to take purchases yet',
      retryAfter: 60,
    };
  }
  if (error instanceof CheckoutError) {
    // An error that knows when to try again (REQUEST_IN_PROGRESS: when the earlier attempt's lock
    // ends) says so in Retry-After.
    const { retryAfterSeconds } = error as { retryAfterSeconds?: number };
    return {
      statusCode: STATUS_BY_CODE[error.code] ?? 500,
      code: error.code,
      message: error.message,
      ...(retryAfterSeconds ? { retryAfter: retryAfterSeconds } : {}),
    };
  }
  return { statusCode: 500, code: 'INTERNAL', message: 'internal error' };
}

/** What a caller is told for each kind of "try again"; never the internals. */
const UNAVAILABLE_MESSAGE: Record<ServiceUnavailableError['reason'], string> = {
  'no-time': 'the shop is busy: nothing was reserved or invoiced; try again',
  undone: 'the purchase could not be completed in time and was undone (the invoice withdrawn); try again',
  store: 'the shop could not reach its database in time; nothing was kept; try again',
};
const RETRY_AFTER_SECONDS = 1;

/**
 * middy's timeoutEarlyResponse, raised just before the function's own timeout: a TimeoutError
 * from middy 7 on (an AbortError before). Seen by its cause, which names middy.
 */
function isFunctionTimeout(error: unknown): boolean {
  const { name, cause } = (error ?? {}) as { name?: string; cause?: { package?: string } };
  return (name === 'TimeoutError' || name === 'AbortError') && cause?.package === '@middy/core';
}

/**
 * @middy/http-json-body-parser answers 415 for a media type it does not take and 422 for a body
 * that does not parse (or names `__proto__`); to Glase and our error table that is 400 INVALID_JSON.
 */
function jsonParserRefusal(error: unknown): HttpProblem | undefined {
  const { statusCode, cause } = (error ?? {}) as { statusCode?: number; cause?: { package?: string } };
  if (cause?.package !== '@middy/http-json-body-parser') return undefined;
  if (statusCode === 415)
    return { statusCode, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send application/json' };
  return { statusCode: 400, code: 'INVALID_JSON', message: 'request body is not valid JSON' };
}

export function problemBody(problem: HttpProblem): string {
  const { code, message, fields } = problem;
  return JSON.stringify({ error: fields ? { code, message, fields } : { code, message } });
}

/**
 * Turns any error into a JSON HTTP error for @middy/http-error-handler to send, logging it at
 * the level it deserves. Registered after http-error-handler so its onError runs first.
 */
export function jsonErrors({ logger, metrics }: Observability): MiddlewareObj {
  return {
    onError: async (request) => {
      const problem = toHttpProblem(request.error);
      const error = request.error as Error;
      const details = { code: problem.code, statusCode: problem.statusCode, error: error?.message };
      // Every refusal and failure counted by its code: the dashboard's "failures by reason".
      metrics.addMetric(problem.code, MetricUnit.Count, 1);
      if (problem.code === 'NOT_CONFIGURED') metrics.addMetric(METRIC.notConfigured, MetricUnit.Count, 1);
      if (problem.code === 'INTERNAL') releaseMetric(metrics, RELEASE_METRIC.internalError);
      // "Try again" under load or an outage is expected and counted (dashboard, alarms): a warning.
      if (problem.code === 'SERVICE_UNAVAILABLE' || problem.code === 'REQUEST_IN_PROGRESS')
        logger.warn('request deferred', { ...details, cause: error?.cause });
      else if (problem.statusCode >= 500) logger.error('request failed', { ...details, cause: error?.cause });
      else logger.info('request refused', details);
      const answer = createError(problem.statusCode, problemBody(problem), { expose: true });
      // http-error-handler sends an error's `headers` (createError takes no other properties).
      if (problem.retryAfter)
        Object.assign(answer, { headers: { 'Retry-After': String(problem.retryAfter) } });
      request.error = answer;
    },
  };
}
