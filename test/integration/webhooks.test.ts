import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WEBHOOK_SIGNATURE_HEADER } from '../../contract/events.js';
import { webhookEventId } from '../../lambda/checkout/model/webhook.js';
import {
  attemptDueWebhooks,
  deliverWebhook,
  type WebhookDeps,
} from '../../lambda/checkout/use-cases/webhooks.js';
import { orderEventView } from '../../lambda/checkout/views/order-view.js';
import { HttpWebhookPoster } from '../../lambda/webhooks/http-poster.js';
import { verifySignature } from '../../lambda/webhooks/signature.js';
import { cliOf } from '../support/cli.js';
import { glaseSampleBody, startTestStack, type TestStack } from '../support/stack.js';

const SECRET = 'integration-webhook-secret-Zq8wN3vX5kP1';
const BIN = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url));
const files = mkdtempSync(join(tmpdir(), 'glase-hooks-'));

type Answer = number | 'hang';
interface Received {
  readonly header: string;
  readonly body: string;
  readonly event: { id: string; type: string; created: number; data: Record<string, any> };
}

/** The merchant's endpoint on loopback: answers from a script (then 200), keeps what came. */
class Endpoint {
  readonly received: Received[] = [];
  answers: Answer[] = [];
  private readonly hung: ServerResponse[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.received.push({
          header: String(request.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()]),
          body,
          event: JSON.parse(body),
        });
        const answer = this.answers.shift() ?? 200;
        if (answer === 'hang') this.hung.push(response);
        else response.writeHead(answer).end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`;
  }

  async stop(): Promise<void> {
    for (const response of this.hung) response.destroy();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

describe('webhooks, delivered over real HTTP (DynamoDB Local + sandbox + a loopback endpoint)', () => {
  let stack: TestStack;
  let webhooks: WebhookDeps;
  const endpoint = new Endpoint();
  beforeAll(async () => {
    await endpoint.start();
    stack = await startTestStack({ environment: { WEBHOOK_URL: endpoint.url, WEBHOOK_SECRET: SECRET } });
    webhooks = stack.webhooks as WebhookDeps;
  });
  afterAll(async () => {
    await stack.close();
    await endpoint.stop();
  });
  beforeEach(() => {
    endpoint.answers = [];
  });

  let shoppers = 0;
  // A shopper of their own each time: the same purchase again would be a retry of the first.
  const paidOrder = () => stack.paid({ ...glaseSampleBody, clientName: `Webhook Shopper ${++shoppers}` });
  const receivedFor = (orderId: string) =>
    endpoint.received.filter((one) => one.event.data.orderId === orderId);
  const valid = (delivery: Received) =>
    verifySignature(delivery.header, delivery.body, SECRET, {
      nowSeconds: Math.floor(Date.now() / 1000),
      toleranceSeconds: 300,
    }).valid;

  it('a payment POSTs order.paid, signed, with the order and no customer; the log says delivered', async () => {
    const order = await paidOrder();
    const [delivery] = receivedFor(order.orderId);
    expect(receivedFor(order.orderId)).toHaveLength(1);
    expect(valid(delivery as Received)).toBe(true);
    expect(delivery?.header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(delivery?.event).toMatchObject({
      id: webhookEventId('OrderPaid', order.orderId),
      type: 'order.paid',
      data: {
        orderId: order.orderId,
        status: 'PAID',
        customer: null,
        total: { value: '149.00', currency: 'SEK' },
      },
    });
    expect(delivery?.body).not.toContain('Webhook Shopper');
    const logged = await webhooks.log.get(delivery?.event.id as string);
    expect(logged?.endpoints.local).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: '200' });
  });

  it('after a 500 it is retried when due (30 s later) with the same id and body, then logged delivered', async () => {
    endpoint.answers = [500];
    const order = await paidOrder();
    const eventId = webhookEventId('OrderPaid', order.orderId);
    const failed = await webhooks.log.get(eventId);
    expect(failed?.endpoints.local).toMatchObject({ state: 'failed', attempts: 1, lastStatus: 'HTTP 500' });
    // 30 s after the attempt started, however long the endpoint took to answer.
    const attempted = Math.floor(Date.parse(failed?.endpoints.local?.lastAttemptAt as string) / 1000);
    expect((failed?.nextAttemptAt as number) - attempted).toBe(30);
    // The sweep npm start runs every few seconds, 30 s on.
    const later = {
      ...webhooks,
      clock: { now: () => new Date(((failed?.nextAttemptAt as number) + 1) * 1000) },
    };
    expect(await attemptDueWebhooks(later)).toContainEqual({ outcome: 'delivered', eventId });
    const [first, second] = receivedFor(order.orderId);
    expect(second?.body).toBe(first?.body);
    expect(second?.event.id).toBe(eventId);
    expect(valid(second as Received)).toBe(true);
    expect((await webhooks.log.get(eventId))?.endpoints.local).toMatchObject({
      state: 'delivered',
      attempts: 2,
    });
  });

  it('an endpoint that does not answer is a timeout, retried with the same id', async () => {
    // This event goes through a poster with a short timeout; the endpoint hangs on it forever.
    const order = await paidOrder();
    const source = { type: 'OrderCanceled' as const, data: orderEventView({ ...order, status: 'CANCELED' }) };
    endpoint.answers = ['hang'];
    const impatient = {
      ...webhooks,
      poster: new HttpWebhookPoster(async () => ({ current: SECRET }), { timeoutMs: 1_000 }),
    };
    const first = await deliverWebhook(impatient, source);
    expect(first).toMatchObject({ outcome: 'retry', retryAfterSeconds: 30 });
    expect((await webhooks.log.get(first?.eventId as string))?.endpoints.local?.lastStatus).toBe('timeout');
    const again = await deliverWebhook(webhooks, source);
    expect(again).toEqual({ outcome: 'delivered', eventId: first?.eventId });
    const canceled = receivedFor(order.orderId).filter((one) => one.event.type === 'order.canceled');
    expect(canceled.map((one) => one.event.id)).toEqual([first?.eventId, first?.eventId]);
  });

  describe('the CLI', () => {
    const cli = (...args: string[]) =>
      cliOf(stack, files, { WEBHOOK_URL: endpoint.url, WEBHOOK_SECRET: SECRET })(args);

    it('webhooks redeliver sends the event again, same id and body; webhooks deliveries shows the log', async () => {
      const order = await paidOrder();
      const eventId = webhookEventId('OrderPaid', order.orderId);
      const redeliver = await cli('webhooks', 'redeliver', eventId);
      expect(redeliver).toMatchObject({ code: 0 });
      expect(redeliver.stdout).toContain(`${eventId}: delivered to every endpoint`);
      const [first, second] = receivedFor(order.orderId);
      expect(second?.body).toBe(first?.body);
      expect(valid(second as Received)).toBe(true);

      const listed = await cli('webhooks', 'deliveries', '--json', '--limit', '50');
      expect(listed.code).toBe(0);
      const entry = (
        JSON.parse(listed.stdout) as { eventId: string; endpoints: Record<string, unknown> }[]
      ).find((one) => one.eventId === eventId);
      expect(entry).toMatchObject({
        type: 'order.paid',
        orderId: order.orderId,
        endpoints: { local: { state: 'delivered', attempts: 1, lastStatus: '200' } },
      });
      expect(JSON.stringify(entry)).not.toContain('"body"');
      const table = await cli('webhooks', 'deliveries');
      expect(table.stdout).toMatch(
        new RegExp(`${eventId}\\s+order\\.paid\\s+${order.orderId}.*local\\s+delivered\\s+1\\s+200`),
      );

      const unknown = await cli('webhooks', 'redeliver', 'evt_nosuchevent');
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toBe(
        'refused: evt_nosuchevent: no such event in the delivery log (kept 30 days)\n',
      );
    });

    it('a refund from the CLI reaches the endpoint as order.refunded', async () => {
      const order = await paidOrder();
      expect((await cli('orders', 'refund', order.orderId, '--amount', '10.00')).code).toBe(0);
      const refunded = receivedFor(order.orderId).filter((one) => one.event.type === 'order.refunded');
      expect(refunded).toHaveLength(1);
      expect(valid(refunded[0] as Received)).toBe(true);
      expect(refunded[0]?.event.data.refunded).toEqual({ value: '10.00', currency: 'SEK' });
    });

    it('webhooks listen verifies what it receives, drops repeats, refuses a forged delivery', async () => {
      const listener: ChildProcess = spawn(
        process.execPath,
        [BIN, 'webhooks', 'listen', '--port', '0', '--secret', SECRET],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      try {
        const port = await new Promise<number>((resolve, reject) => {
          let text = '';
          listener.stderr?.on('data', (chunk: Buffer) => {
            text += chunk.toString();
            const match = /127\.0\.0\.1:(\d+)\//.exec(text);
            if (match) resolve(Number(match[1]));
          });
          listener.once('exit', () => reject(new Error(`listen exited: ${text}`)));
        });
        const lines: string[] = [];
        listener.stdout?.on('data', (chunk: Buffer) =>
          lines.push(...chunk.toString().split('\n').filter(Boolean)),
        );
        const url = `http://127.0.0.1:${port}/`;
        const poster = new HttpWebhookPoster(async () => ({ current: SECRET }));
        const forger = new HttpWebhookPoster(async () => ({ current: 'not-the-secret-0123456789abcdef' }));
        const body = JSON.stringify({
          id: 'evt_listen',
          type: 'order.paid',
          created: 1,
          data: { orderId: 'L1', status: 'PAID', total: { value: '1.00', currency: 'SEK' } },
        });
        expect(await poster.post('local', url, body)).toEqual({ status: 200 });
        expect(await poster.post('local', url, body)).toEqual({ status: 200 });
        expect(await forger.post('local', url, body)).toEqual({ status: 400 });
        // Signed with the right secret, yet no event: refused, and the listener lives on.
        expect(await poster.post('local', url, 'not json')).toEqual({ status: 400 });
        expect(await poster.post('local', url, body)).toEqual({ status: 200 });
        // The listener's lines reach us through a pipe, possibly after its answers did.
        while (lines.length < 5) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(lines).toEqual([
          'verified  evt_listen  order.paid  order L1  PAID  1.00 SEK',
          'repeat    evt_listen  order.paid  order L1  PAID  1.00 SEK  (already seen: dropped)',
          'refused   no v1 signature matches the secret',
          'refused   signed, but not JSON',
          'repeat    evt_listen  order.paid  order L1  PAID  1.00 SEK  (already seen: dropped)',
        ]);
      } finally {
        listener.kill('SIGTERM');
      }
    });
  });
});
