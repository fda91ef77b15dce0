import { createServer, type IncomingMessage } from 'node:http';
import type { Command } from 'commander';
import { WEBHOOK_SIGNATURE_HEADER } from '../../contract/events.js';
import { RefusedError } from '../../lambda/checkout/model/errors.js';
import { WEBHOOK_LOG_DAYS, type WebhookDelivery } from '../../lambda/checkout/model/webhook.js';
import { type AttemptResult, redeliverWebhook } from '../../lambda/checkout/use-cases/webhooks.js';
import { verifySignature } from '../../lambda/webhooks/signature.js';
import { LOCAL_SECRETS, LOCAL_WEBHOOK_PORT } from '../../lambda/wiring/local-profile.js';
import { parsePositive } from '../arguments.js';
import { stamp, table } from '../output.js';
import { note, out, session, show } from '../session.js';

/** What `listen` prints of a delivery. */
interface ListenedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: { orderId: string; status: string; total: { value: string; currency: string } };
}

/** What a receiver should accept at most between a delivery's signing and its arrival. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

function deliveriesTable(deliveries: readonly WebhookDelivery[]): string {
  if (deliveries.length === 0) return 'no webhook deliveries';
  return table(
    ['EVENT', 'TYPE', 'ORDER', 'CREATED', 'ENDPOINT', 'STATE', 'ATTEMPTS', 'LAST', 'NEXT RETRY'],
    deliveries.flatMap((delivery) =>
      Object.entries(delivery.endpoints).map(([id, endpoint]) => [
        delivery.eventId,
        delivery.type,
        delivery.orderId,
        stamp(new Date(delivery.created * 1000).toISOString()),
        id,
        endpoint.state,
        endpoint.attempts,
        endpoint.lastStatus ?? '-',
        endpoint.state !== 'delivered' && delivery.nextAttemptAt
          ? stamp(new Date(delivery.nextAttemptAt * 1000).toISOString())
          : '-',
      ]),
    ),
  );
}

const attemptText = (result: AttemptResult) =>
  ({
    delivered: `${result.eventId}: delivered to every endpoint`,
    retry: `${result.eventId}: not delivered to every endpoint; it is retried on the schedule (webhooks deliveries)`,
    'gave-up': `${result.eventId}: not delivered`,
    unknown: `${result.eventId}: no such event in the delivery log (kept ${WEBHOOK_LOG_DAYS} days)`,
  })[result.outcome];

const readBody = (request: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

/** `webhooks …`: the delivery log, redelivery, and a receiver for a developer's laptop. */
export function registerWebhooks(program: Command): void {
  const webhooks = program.command('webhooks').description('signed order events to your endpoints');
  webhooks
    .command('deliveries')
    .option('--limit <n>', 'at most this many events (newest first)', parsePositive, 20)
    .option('--failed', 'only events some endpoint has not taken yet')
    .description('the delivery log: each event, each endpoint, attempts and the last answer')
    .action(async (flags: { limit: number; failed?: boolean }, command: Command) =>
      session(command, async ({ wiring }, options) => {
        const { deliveries } = await wiring.webhooks.log.list(flags.limit);
        const shown = flags.failed
          ? deliveries.filter((delivery) =>
              Object.values(delivery.endpoints).some((endpoint) => endpoint.state !== 'delivered'),
            )
          : deliveries;
        show(
          options,
          shown.map(({ body: _body, ...delivery }) => delivery),
          () => deliveriesTable(shown),
        );
      }),
    );
  webhooks
    .command('redeliver')
    .argument('<event>', 'the event id (evt_…), from webhooks deliveries or your endpoint')
    .description('send an event again to every endpoint that took it, with the same id and body')
    .action(async (eventId: string, _flags, command: Command) =>
      session(command, async ({ wiring }, options) => {
        const result = await redeliverWebhook(wiring.webhooks, eventId);
        if (result.outcome === 'unknown') throw new RefusedError(attemptText(result));
        const after = await wiring.webhooks.log.get(eventId);
        show(options, { ...result, endpoints: after?.endpoints ?? {} }, () =>
          [
            attemptText(result),
            ...Object.entries(after?.endpoints ?? {}).map(
              ([id, endpoint]) =>
                `  ${id}  ${endpoint.url}  ${endpoint.state}  ${endpoint.lastStatus ?? '-'}`,
            ),
          ].join('\n'),
        );
        if (result.outcome !== 'delivered') throw new RefusedError(attemptText(result));
      }),
    );
  webhooks
    .command('listen')
    .option('--port <port>', 'where to listen on 127.0.0.1', (value) => Number(value), LOCAL_WEBHOOK_PORT)
    .option(
      '--secret <secret>',
      'the signing secret (default: WEBHOOK_SECRET, else the local one npm start uses)',
    )
    .option(
      '--tolerance <seconds>',
      'refuse deliveries signed longer ago than this',
      (value) => Number(value),
      DEFAULT_TOLERANCE_SECONDS,
    )
    .option(
      '--fail <n>',
      'answer 500 to the first n deliveries (to watch the retries)',
      (value) => Number(value),
      0,
    )
    .description('a local endpoint that verifies each delivery and prints it (Ctrl-C stops it)')
    .action(
      async (flags: { port: number; secret?: string; tolerance: number; fail: number }, command: Command) => {
        const { json } = command.optsWithGlobals<{ json?: boolean }>();
        const secret = flags.secret ?? process.env.WEBHOOK_SECRET ?? LOCAL_SECRETS.webhookSecret;
        const seen = new Set<string>();
        let toFail = flags.fail;
        const server = createServer(async (request, response) => {
          const body = await readBody(request);
          const header = request.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()];
          const verdict = verifySignature(Array.isArray(header) ? header[0] : header, body, secret, {
            nowSeconds: Math.floor(Date.now() / 1000),
            toleranceSeconds: flags.tolerance,
          });
          if (!verdict.valid) {
            out(json ? JSON.stringify({ valid: false, why: verdict.why }) : `refused   ${verdict.why}`);
            response.writeHead(400).end();
            return;
          }
          let event: ListenedEvent;
          try {
            event = JSON.parse(body);
          } catch {
            out(
              json
                ? JSON.stringify({ valid: false, why: 'signed, but not JSON' })
                : 'refused   signed, but not JSON',
            );
            response.writeHead(400).end();
            return;
          }
          if (toFail > 0) {
            toFail -= 1;
            out(
              json
                ? JSON.stringify({ valid: true, answered: 500, event })
                : `answered 500 to ${event.id} ${event.type} (--fail)`,
            );
            response.writeHead(500).end();
            return;
          }
          const repeat = seen.has(event.id);
          seen.add(event.id);
          out(
            json
              ? JSON.stringify({ valid: true, repeat, event })
              : `${repeat ? 'repeat  ' : 'verified'}  ${event.id}  ${event.type}  order ${event.data.orderId}  ${event.data.status}  ${event.data.total.value} ${event.data.total.currency}${repeat ? '  (already seen: dropped)' : ''}`,
          );
          response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        });
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(flags.port, '127.0.0.1', resolve);
        });
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : flags.port;
        note(
          `listening on http://127.0.0.1:${port}/ — start the shop with WEBHOOK_URL=http://127.0.0.1:${port}/ npm start`,
        );
        await new Promise<void>((resolve) => {
          const stop = () => server.close(() => resolve());
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      },
    );
}
