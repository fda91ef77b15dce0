import { execFile, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { WEBHOOK_SIGNATURE_HEADER } from '../../contract/events.js';
import { HttpWebhookPoster } from '../../lambda/webhooks/http-poster.js';
import { BODY, OLD_SECRET, SECRET, T, V1, V1_OLD } from '../support/webhook-vectors.js';

const NODE_EXAMPLE = fileURLToPath(new URL('../../examples/webhooks/verify.mjs', import.meta.url));
const PHP_EXAMPLE = fileURLToPath(new URL('../../examples/webhooks/verify.php', import.meta.url));

function php(): string {
  try {
    execFileSync('php', ['--version'], { stdio: 'ignore' });
    return 'php';
  } catch {
    throw new Error(
      'php is not installed: the PHP example is tested with php-cli (Debian: apt-get install php-cli)',
    );
  }
}

/** Runs an example as a merchant's endpoint would: the raw body on stdin, header and secret beside it. */
function verifyWith(command: string, script: string, body: string, header: string, secret: string, now = T) {
  return new Promise<{ code: number; stdout: string }>((resolve) => {
    const child = execFile(
      command,
      [script],
      {
        env: { PATH: process.env.PATH, SIGNATURE: header, WEBHOOK_SECRET: secret, NOW: String(now) },
        timeout: 300_000,
      },
      (error, stdout) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout }),
    );
    child.stdin?.end(body);
  });
}

describe('the webhook verification examples a merchant copies (examples/webhooks/)', () => {
  it.each([
    ['Node', () => process.execPath, NODE_EXAMPLE],
    ['PHP', php, PHP_EXAMPLE],
  ])(
    'the %s example verifies the fixed vector and refuses a tampered body, another secret and a replay',
    async (_name, command, script) => {
      const header = `t=${T},v1=${V1}`;
      expect(await verifyWith(command(), script, BODY, header, SECRET)).toEqual({
        code: 0,
        stdout: 'valid evt_0123456789abcdef0123456789abcdef order.paid\n',
      });
      expect(
        (await verifyWith(command(), script, BODY, `t=${T},v1=${V1},v1=${V1_OLD}`, OLD_SECRET)).code,
      ).toBe(0);
      expect((await verifyWith(command(), script, BODY.replace('PAID', 'PAYD'), header, SECRET)).code).toBe(
        1,
      );
      expect((await verifyWith(command(), script, BODY, header, OLD_SECRET)).code).toBe(1);
      expect((await verifyWith(command(), script, BODY, header, SECRET, T + 3600)).code).toBe(1);
    },
  );

  it.each([
    ['Node', () => process.execPath, NODE_EXAMPLE],
    ['PHP', php, PHP_EXAMPLE],
  ])(
    'the %s example verifies what our poster really sends (UTF-8 body, header as received)',
    async (_name, command, script) => {
      const received: { header: string; body: string }[] = [];
      const server = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          received.push({
            header: String(request.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()]),
            body: Buffer.concat(chunks).toString('utf8'),
          });
          response.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      try {
        const poster = new HttpWebhookPoster(async () => ({ current: SECRET, previous: OLD_SECRET }), {
          now: () => T * 1000,
        });
        const body = JSON.stringify({
          id: 'evt_real',
          type: 'order.refunded',
          created: T,
          data: { city: 'Göteborg', note: '☕ “fika”' },
        });
        expect(await poster.post('shop', `http://127.0.0.1:${port}/hook`, body)).toEqual({ status: 204 });
        const [delivery] = received;
        expect(delivery?.body).toBe(body);
        expect(
          await verifyWith(command(), script, delivery?.body as string, delivery?.header as string, SECRET),
        ).toEqual({
          code: 0,
          stdout: 'valid evt_real order.refunded\n',
        });
        expect(
          (
            await verifyWith(
              command(),
              script,
              delivery?.body as string,
              delivery?.header as string,
              OLD_SECRET,
            )
          ).code,
        ).toBe(0);
      } finally {
        server.close();
      }
    },
  );
});
