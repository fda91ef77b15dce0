import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

/**
 * API Gateway REST (v1) proxy integration over node:http: each request becomes the event
 * API Gateway would send, the real handler runs, and its result becomes the HTTP answer.
 */

export type LambdaHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface Route {
  readonly method: string;
  /** API Gateway resource path, e.g. NOTIFY_RESOURCE (contract/routes.ts). */
  readonly resource: string;
  readonly functionName: string;
  readonly handler: LambdaHandler;
  readonly timeoutMs?: number;
}

export interface ApiServerOptions {
  readonly host?: string;
  readonly port?: number;
  readonly stage?: string;
  readonly routes: readonly Route[];
  /** API Gateway refuses payloads over 10 MB itself; so does this. */
  readonly maxPayloadBytes?: number;
}

export interface ApiServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const maxPayloadBytes = options.maxPayloadBytes ?? 10 * 1024 * 1024;
  const server: Server = createServer((request, response) => {
    serve(request, response).catch(() => {
      if (!response.headersSent)
        reply(response, 502, gatewayError('INTEGRATION_FAILURE', 'Internal server error'));
    });
  });

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://local');
    const body = await readBody(request, maxPayloadBytes);
    if (body === undefined)
      return reply(response, 413, gatewayError('REQUEST_TOO_LARGE', 'Request Entity Too Large'));
    if (url.pathname === '/health' && request.method === 'GET') return reply(response, 200, { status: 'ok' });

    const matching = options.routes
      .map((route) => ({ route, params: matchResource(route.resource, url.pathname) }))
      .filter((candidate) => candidate.params !== undefined);
    const found = matching.find(({ route }) => route.method === request.method);
    if (!found) {
      // API Gateway's "Missing Authentication Token", which the stack maps to 404 in our envelope:
      // an unknown route, a wrong method and a missing URL key all look the same.
      return reply(response, 404, gatewayError('NOT_FOUND', 'no such resource'));
    }
    const { route, params } = found;
    const event = toEvent(request, url, body, route, params ?? {}, options.stage ?? 'local');
    const started = Date.now();
    const timeoutMs = route.timeoutMs ?? 29_000;
    const context = lambdaContext(route.functionName, () => timeoutMs - (Date.now() - started));
    let result: APIGatewayProxyResult;
    try {
      result = await route.handler(event, context);
    } catch {
      // What API Gateway says when the function throws instead of answering.
      return reply(response, 502, gatewayError('INTEGRATION_FAILURE', 'Internal server error'));
    }
    const headers: Record<string, string | number | boolean> = { ...(result.headers ?? {}) };
    for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
      headers[name] = values.join(', ');
    const payload = result.isBase64Encoded
      ? Buffer.from(result.body ?? '', 'base64')
      : Buffer.from(result.body ?? '');
    response.writeHead(result.statusCode, { ...stringHeaders(headers), 'content-length': payload.length });
    response.end(payload);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  server.keepAliveTimeout = 5_000;
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function matchResource(resource: string, path: string): Record<string, string> | undefined {
  const want = resource.split('/');
  const have = path.split('/');
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (let index = 0; index < want.length; index++) {
    const segment = want[index] ?? '';
    const actual = have[index] ?? '';
    if (segment.startsWith('{') && segment.endsWith('}')) {
      if (actual === '') return undefined;
      try {
        params[segment.slice(1, -1)] = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
    } else if (segment !== actual) {
      return undefined;
    }
  }
  return params;
}

function toEvent(
  request: IncomingMessage,
  url: URL,
  body: string,
  route: Route,
  pathParameters: Record<string, string>,
  stage: string,
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index] ?? '';
    const value = request.rawHeaders[index + 1] ?? '';
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  // API Gateway adds these; handlers build absolute URLs from them.
  const forwarded = {
    'X-Forwarded-For': request.socket.remoteAddress ?? '127.0.0.1',
    'X-Forwarded-Port': String(request.socket.localPort ?? ''),
    'X-Forwarded-Proto': 'http',
  };
  for (const [name, value] of Object.entries(forwarded)) {
    headers[name] = value;
    multiValueHeaders[name] = [value];
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    multiQuery[name] = [...(multiQuery[name] ?? []), value];
  }
  const requestId = randomUUID();
  const hasQuery = Object.keys(query).length > 0;
  return {
    resource: route.resource,
    path: url.pathname,
    httpMethod: request.method ?? 'GET',
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
    stageVariables: null,
    body: body === '' ? null : body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      domainName: request.headers.host ?? 'localhost',
      httpMethod: request.method ?? 'GET',
      identity: {
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      } as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/${stage}${url.pathname}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: route.resource,
      stage,
    },
  };
}

function lambdaContext(functionName: string, remaining: () => number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, remaining()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function readBody(request: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The stack's gateway responses: API Gateway's own refusals in the project's error envelope. */
function gatewayError(code: string, message: string) {
  return { error: { code, message } };
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  });
  response.end(payload);
}

function stringHeaders(headers: Record<string, string | number | boolean>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)]));
}
