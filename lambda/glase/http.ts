// Default imports: in the functions' bundles node:http is an alias that loads it on first use
// (lambda/wiring/node-http-status.ts), and Glase is reached over https.
import http from 'node:http';
import https from 'node:https';

/**
 * One HTTP exchange over Node's own http/https modules: the Glase client's SOAP calls, and the
 * functions' reads from the secrets extension on localhost. Not `fetch`: on Node 24 its first use
 * loads and runs undici, measured at ~95 ms of CPU in createPurchase's first invocation
 * (`npm run bench`), while the AWS SDK already brings node:https in. Redirects are never
 * followed (a Glase request carries the terminal password); the answer is read up to `maxBytes`.
 */
export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | undefined;
  /** The whole exchange, connecting included. */
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

export interface HttpAnswer {
  readonly status: number;
  /** The body as bytes: a caller decides whether it is text. */
  readonly body: Buffer;
}

export type HttpExchange = (url: string, request: HttpRequest) => Promise<HttpAnswer>;

/** The answer was longer than the caller takes; the connection is dropped. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
}

/** No answer within the request's time; `name` matches AbortSignal.timeout's. */
export class HttpTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

export const httpExchange: HttpExchange = (url, request) =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? https.request : http.request;
    const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
    const outgoing = send(target, {
      method: request.method,
      headers: { ...request.headers, ...(body ? { 'content-length': String(body.byteLength) } : {}) },
    });
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      finish();
    };
    // Our own reason first: what the dropped connection says afterwards is only its echo.
    const abort = (error: Error) => {
      settle(() => reject(error));
      outgoing.destroy();
    };
    // A timer that fires while the answer already waits in the socket must not win: on a busy
    // event loop the timer phase runs before the loop reads the socket, and a sendInvoice given
    // up on that way is an invoice Glase created whose reference we never learn (measured in the
    // loaded flash sale). setImmediate runs after the loop's next read, so only silence times out.
    const timer = setTimeout(
      () => setImmediate(() => abort(new HttpTimeoutError(`no answer within ${request.timeoutMs} ms`))),
      request.timeoutMs,
    );
    outgoing.on('error', (error) => settle(() => reject(error)));
    outgoing.once('response', (incoming) => {
      if (Number(incoming.headers['content-length'] ?? 0) > request.maxBytes) {
        abort(new ResponseTooLargeError());
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      incoming.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > request.maxBytes) abort(new ResponseTooLargeError());
        else chunks.push(chunk);
      });
      incoming.on('error', (error) => settle(() => reject(error)));
      incoming.once('end', () =>
        settle(() => resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks) })),
      );
    });
    outgoing.end(body);
  });
