import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpTimeoutError, httpExchange, ResponseTooLargeError } from '../../lambda/glase/http.js';

/** A loopback server whose answer each test writes; what it received is kept. */
async function serve(answer: (request: IncomingMessage, response: ServerResponse, body: string) => void) {
  const received: { method?: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      received.push({ method: request.method, headers: request.headers, body });
      answer(request, response, body);
    });
  });
  let connections = 0;
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/soap`;
  return {
    url,
    received,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const post = (body: string, maxBytes = 1024, timeoutMs = 60_000) => ({
  method: 'POST' as const,
  headers: { 'content-type': 'text/xml; charset=utf-8' },
  body,
  timeoutMs,
  maxBytes,
});

describe('the functions’ HTTP exchange (node:http, not fetch)', () => {
  it('posts the body with its length and headers, and hands back the status and the bytes', async () => {
    const server = await serve((_request, response, body) => response.writeHead(201).end(`echo ${body}`));
    try {
      const answer = await httpExchange(server.url, post('<åäö/>'));
      expect(answer.status).toBe(201);
      expect(answer.body.toString('utf8')).toBe('echo <åäö/>');
      expect(server.received[0]).toMatchObject({
        method: 'POST',
        body: '<åäö/>',
        headers: { 'content-type': 'text/xml; charset=utf-8', 'content-length': '9' },
      });
    } finally {
      await server.close();
    }
  });

  it('GETs without a body', async () => {
    const server = await serve((_request, response) => response.end('{}'));
    try {
      const answer = await httpExchange(server.url, {
        method: 'GET',
        headers: { 'x-token': 't' },
        timeoutMs: 60_000,
        maxBytes: 10,
      });
      expect([answer.status, answer.body.toString()]).toEqual([200, '{}']);
      expect(server.received[0]).toMatchObject({ method: 'GET', body: '', headers: { 'x-token': 't' } });
      expect(server.received[0]?.headers['content-length']).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('never follows a redirect: the 3xx is the answer', async () => {
    const server = await serve((_request, response) =>
      response.writeHead(307, { location: 'http://127.0.0.1:1/elsewhere' }).end(),
    );
    try {
      const answer = await httpExchange(server.url, post('<password>pw</password>'));
      expect(answer.status).toBe(307);
      expect(server.received).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('gives up on a server that never answers, with its own timeout error', async () => {
    // The server never answers: whatever the machine's load, only the timeout can end this.
    const server = await serve(() => undefined);
    try {
      const error = await httpExchange(server.url, post('x', 1024, 50)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HttpTimeoutError);
      expect((error as Error).name).toBe('TimeoutError');
      expect((error as Error).message).toBe('no answer within 50 ms');
    } finally {
      await server.close();
    }
  });

  it('reads an answer that arrived while the event loop was too busy to notice its timer', async () => {
    // The server (in this process) answers at once, then holds the event loop past the client's
    // timeout: when the loop turns again the timer is due and the answer waits in the socket.
    // However loaded the machine, the answer was there first, so it must win.
    const timeoutMs = 50;
    const server = await serve((_request, response) => {
      response.end('<invoiceReference>1</invoiceReference>');
      const until = Date.now() + 4 * timeoutMs;
      while (Date.now() < until) {
        // busy: the event loop cannot turn
      }
    });
    try {
      const answer = await httpExchange(server.url, post('x', 1024, timeoutMs));
      expect(answer.body.toString()).toBe('<invoiceReference>1</invoiceReference>');
      // The timer that lost does nothing later: the kept-alive connection still serves the next.
      await new Promise((resolve) => setImmediate(resolve));
      await httpExchange(server.url, post('y', 1024, 60_000));
      expect(server.connections()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('refuses an answer over the cap, declared or streamed, without keeping it', async () => {
    const declared = await serve((_request, response) =>
      response.writeHead(200, { 'content-length': '11' }).end('01234567890'),
    );
    const streamed = await serve((_request, response) => {
      response.writeHead(200);
      response.write('0123456789');
      response.end('0');
    });
    const exact = await serve((_request, response) => response.end('0123456789'));
    try {
      await expect(httpExchange(declared.url, post('x', 10))).rejects.toBeInstanceOf(ResponseTooLargeError);
      await expect(httpExchange(streamed.url, post('x', 10))).rejects.toBeInstanceOf(ResponseTooLargeError);
      expect((await httpExchange(exact.url, post('x', 10))).body.toString()).toBe('0123456789');
    } finally {
      await Promise.all([declared.close(), streamed.close(), exact.close()]);
    }
  });

  it('passes on what the network said: a refused connection, TLS spoken to a plain server', async () => {
    const closed = await serve(() => undefined);
    const port = new URL(closed.url).port;
    await closed.close();
    await expect(httpExchange(`http://127.0.0.1:${port}/soap`, post('x'))).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    const plain = await serve((_request, response) => response.end('plain'));
    try {
      // https:// goes through node:https: a TLS handshake with a server that does not speak it.
      const error = (await httpExchange(plain.url.replace('http:', 'https:'), post('x')).catch(
        (caught: unknown) => caught,
      )) as { code?: string };
      expect(error.code).toMatch(/^(EPROTO|ERR_SSL_|ECONNRESET)/);
    } finally {
      await plain.close();
    }
  });
});
