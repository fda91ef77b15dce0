import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import type { MiddlewareObj } from '@middy/core';

type Options = Parameters<typeof makeHandlerIdempotent>[0];
type Request = Parameters<NonNullable<MiddlewareObj['before']>>[0];

const OWNS_RECORD = 'glase-checkout.ownsIdempotencyRecord';

/**
 * Powertools' idempotency middleware, made safe under concurrency.
 *
 * Up to @aws-lambda-powertools/idempotency 2.35.0 the middleware's onError deletes the
 * idempotency record even when its own `before` refused the request — so a duplicate that
 * is turned away with "already in progress" deletes the lock of the request still running,
 * and the next duplicate runs the purchase a second time (upstream issue #5675, fixed in
 * #5676 but not yet released; `test/integration/reliability.test.ts` proves the fix here).
 * Only the request that acquired the record may delete it, and only if its handler fails.
 */
export function idempotent(options: Options): MiddlewareObj {
  const inner = makeHandlerIdempotent(options);
  const owns = (request: Request) => (request.internal as Record<string, unknown>)[OWNS_RECORD] === true;
  const setOwner = (request: Request, value: boolean) => {
    (request.internal as Record<string, unknown>)[OWNS_RECORD] = value;
  };
  return {
    before: async (request) => {
      setOwner(request, false);
      const replayed = await inner.before?.(request);
      // A value is a stored response being replayed: this request holds no record.
      if (replayed === undefined) setOwner(request, true);
      return replayed;
    },
    after: async (request) => {
      // Like the function wrapper: once the handler succeeded, a failed save must not delete.
      setOwner(request, false);
      await inner.after?.(request);
    },
    onError: async (request) => {
      if (owns(request)) await inner.onError?.(request);
    },
  };
}
