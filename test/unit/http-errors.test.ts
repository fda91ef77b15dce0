import { createError } from '@middy/util';
import {
  GlaseUnavailableError,
  IdempotencyKeyReusedError,
  InvalidInputError,
  OpenOrderLimitError,
  OrderNotFoundError,
  ProductNotForSaleError,
  RequestInProgressError,
  SoldOutError,
  UnknownPurchaseTokenError,
} from '../../lambda/checkout/model/errors.js';
import { rejection } from '../../lambda/glase/result-codes.js';
import { problemBody, RequestRefusal, toHttpProblem } from '../../lambda/handlers/http-errors.js';
import { httpRoute } from '../../lambda/handlers/http-middleware.js';
import { observability } from '../../lambda/wiring/parts.js';

describe('errors → HTTP, in one place', () => {
  it.each([
    [new InvalidInputError([{ field: 'zip', message: 'must not be empty' }]), 400, 'INVALID_INPUT'],
    [new RequestRefusal('NOT_AUTHENTICATED', 'no'), 401, 'NOT_AUTHENTICATED'],
    [new UnknownPurchaseTokenError('X'), 404, 'UNKNOWN_PURCHASE_TOKEN'],
    [new OrderNotFoundError('O'), 404, 'ORDER_NOT_FOUND'],
    [new SoldOutError('X'), 409, 'SOLD_OUT'],
    [new RequestInProgressError(), 503, 'REQUEST_IN_PROGRESS'],
    [new IdempotencyKeyReusedError(), 422, 'IDEMPOTENCY_KEY_REUSED'],
    [new OpenOrderLimitError('X'), 409, 'OPEN_ORDER_LIMIT'],
    [new ProductNotForSaleError('X'), 409, 'NOT_FOR_SALE'],
    [new RequestRefusal('UNSUPPORTED_MEDIA_TYPE', 'send application/json'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    [new RequestRefusal('INVALID_JSON', 'no'), 400, 'INVALID_JSON'],
    [createError(415, 'anything middy says'), 500, 'INTERNAL'],
    [rejection('sendInvoice', 94, 'SERVICE_UNAVAILABLE'), 503, 'GLASE_REJECTED'],
    [rejection('sendInvoice', 90, 'SYSTEM_ERROR'), 503, 'GLASE_REJECTED'],
    [rejection('sendInvoice', 20, 'AUTHENTICATION_FAILED'), 502, 'GLASE_REJECTED'],
    [new GlaseUnavailableError('x', 'timeout'), 503, 'GLASE_UNAVAILABLE'],
    [new GlaseUnavailableError('x', 'unreachable'), 503, 'GLASE_UNAVAILABLE'],
    [new GlaseUnavailableError('x', 'bad-response'), 502, 'GLASE_UNAVAILABLE'],
    [new Error('ValidationException: table glase-checkout-orders missing'), 500, 'INTERNAL'],
    [createError(500, 'boom'), 500, 'INTERNAL'],
    ['a string thrown', 500, 'INTERNAL'],
  ])('%p → %i %s', (error, status, code) => {
    const problem = toHttpProblem(error);
    expect([problem.statusCode, problem.code]).toEqual([status, code]);
  });

  it('never echoes an unexpected error or Idempotency internals', () => {
    const body = problemBody(toHttpProblem(new Error('secret table name and stack')));
    expect(body).toBe('{"error":{"code":"INTERNAL","message":"internal error"}}');
  });

  it('names the fields of invalid input', () => {
    const body = JSON.parse(
      problemBody(toHttpProblem(new InvalidInputError([{ field: 'email', message: 'bad' }]))),
    );
    expect(body).toEqual({
      error: {
        code: 'INVALID_INPUT',
        message: 'request body is invalid',
        fields: [{ field: 'email', message: 'bad' }],
      },
    });
  });

  it('tells the caller what the refusal means and its result name, nothing more', () => {
    const problem = toHttpProblem(rejection('sendInvoice', 49, 'free text from Glase'));
    expect(problem.message).toBe(
      'Glase refused the sendInvoice: the invoice breaks Glase’s rules (INVALID_INVOICE_DATA (result 49))',
    );
  });
});

describe('what every refusal and failure counts', () => {
  /** A recording stand-in for Powertools' Metrics: what the middleware asked it to publish. */
  function recordingMetrics() {
    const counted: string[] = [];
    const single: { dimensions: Record<string, string>; metrics: string[] }[] = [];
    const metrics = {
      addMetric: (name: string) => counted.push(name),
      singleMetric: () => {
        const entry = { dimensions: {} as Record<string, string>, metrics: [] as string[] };
        single.push(entry);
        return {
          addDimension: (name: string, value: string) => {
            entry.dimensions[name] = value;
          },
          addMetric: (name: string) => entry.metrics.push(name),
        };
      },
    };
    const logger = { error: () => undefined, info: () => undefined };
    return { counted, single, observability: { metrics, logger } as never };
  }

  it('counts each answer under its code, and a 500 against the Lambda version that gave it', async () => {
    const { counted, single, observability } = recordingMetrics();
    const { jsonErrors } = await import('../../lambda/handlers/http-errors.js');
    const onError = jsonErrors(observability).onError!;
    const previous = process.env.AWS_LAMBDA_FUNCTION_VERSION;
    process.env.AWS_LAMBDA_FUNCTION_VERSION = '42';
    try {
      await onError({ error: new SoldOutError('MUG') } as never);
      await onError({ error: new Error('boom') } as never);
    } finally {
      if (previous === undefined) delete process.env.AWS_LAMBDA_FUNCTION_VERSION;
      else process.env.AWS_LAMBDA_FUNCTION_VERSION = previous;
    }
    expect(counted).toEqual(['SOLD_OUT', 'INTERNAL']);
    // The release gate's metric: a refusal is not a bug, so only the 500 is counted, by version.
    expect(single).toEqual([{ dimensions: { version: '42' }, metrics: ['ReleaseInternalError'] }]);
  });
});

describe('the function running out of its own time', () => {
  it('is a 503 to try again (Retry-After), never a 500: middy’s own early timeout, through the real chain', async () => {
    const { Logger } = await import('@aws-lambda-powertools/logger');
    const seen = observability({ logger: new Logger({ logLevel: 'SILENT' }) });
    // A handler that never answers: only middy's early timeout can end this request.
    const handler = httpRoute(seen, 1024).handler(() => new Promise<never>(() => undefined));
    const context = {
      functionName: 'createPurchase',
      awsRequestId: 'r-1',
      getRemainingTimeInMillis: () => 50,
    };
    const answer = await handler(
      { body: '{}', headers: {}, httpMethod: 'POST', isBase64Encoded: false } as never,
      context as never,
    );
    expect(answer.statusCode).toBe(503);
    expect(JSON.parse(answer.body).error.code).toBe('SERVICE_UNAVAILABLE');
    expect(answer.headers).toMatchObject({ 'Retry-After': '1' });
  });
});
