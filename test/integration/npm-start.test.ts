import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Long enough that only a hung process reaches it, however busy the machine: never a measure of speed. */
const HANG = 300_000;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function start(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; ready: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const watch = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready ')) resolve();
    };
    child.stdout?.on('data', watch);
    child.stderr?.on('data', watch);
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${output}`)));
  });
  return { child, output: () => output, ready };
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm start', () => {
  it(
    "takes the README's curl, answers with an invoiceReferenceId, and leaves no java behind on SIGTERM",
    async () => {
      const [port, dynamodbPort, sandboxPort, shopPort] = [
        await freePort(),
        await freePort(),
        await freePort(),
        await freePort(),
      ];
      const files = mkdtempSync(join(tmpdir(), 'glase-start-'));
      const mailDir = join(files, 'mail');
      const { child, output, ready } = start({
        ...process.env,
        PORT: String(port),
        DYNAMODB_PORT: String(dynamodbPort),
        GLASE_SANDBOX_PORT: String(sandboxPort),
        SHOP_PORT: String(shopPort),
        OUTBOX_FILE: join(files, 'outbox.jsonl'),
        MAIL_DIR: mailDir,
        // As a developer runs it: the info lines (the mail's path among them) are printed.
        POWERTOOLS_LOG_LEVEL: 'INFO',
      });
      try {
        await ready;
        expect(output()).toContain('CALLER_AUTH=none');
        // The demo shop and the sandbox's app, in the banner; a product page carries the snippet.
        expect(output()).toContain(`shop       http://127.0.0.1:${shopPort}/`);
        expect(output()).toContain(`app        http://127.0.0.1:${sandboxPort}/app/`);
        const productPage = await (
          await fetch(`http://127.0.0.1:${shopPort}/products/29834231890234`)
        ).text();
        expect(productPage).toContain(
          `<script src="http://127.0.0.1:${sandboxPort}/sandbox/qr.js"></script>`,
        );
        expect(productPage).toContain('purchaseToken: "29834231890234"');
        const response = await fetch(`http://127.0.0.1:${port}/webshop/createPurchase`, {
          method: 'POST',
          headers: { Accept: 'application/json', 'Content-Type': 'application/json;charset=UTF-8' },
          body: `{"purchaseToken": "29834231890234", "clientName": "John Smith",
"street": "Storgatan 1", "city": "Stockholm", "country": "Sweden",
"state": "", "zip": "11122", "email": "very.happy@shopping.com"}`,
        });
        expect(response.status).toBe(200);
        const { invoiceReferenceId } = (await response.json()) as { invoiceReferenceId: string };
        expect(invoiceReferenceId).toMatch(/^\d+$/);

        // The banner's CLI command works as printed from another terminal, non-default ports and all.
        const operate = /operate {4}(.*) npm run cli -- orders list/.exec(output())?.[1] ?? '';
        expect(operate).toBe(`PORT=${port} DYNAMODB_PORT=${dynamodbPort} GLASE_SANDBOX_PORT=${sandboxPort}`);
        const printed = Object.fromEntries(operate.split(' ').map((pair) => pair.split('=')));
        const bare = Object.fromEntries(
          Object.entries(process.env).filter(([name]) => !/^(PORT|DYNAMODB_|GLASE_|TABLE_PREFIX)/.test(name)),
        );
        const listed = execFileSync(
          process.execPath,
          [join(root, 'cli/bin.mjs'), 'orders', 'find', invoiceReferenceId, '--json'],
          { env: { ...bare, ...printed }, timeout: HANG },
        );
        expect(JSON.parse(String(listed)).map((order: { status: string }) => order.status)).toEqual([
          'INVOICED',
        ]);

        // Paid in the sandbox: the shopper's confirmation is an .eml file, and its path is printed.
        const paid = await fetch(
          `http://127.0.0.1:${sandboxPort}/sandbox/invoices/${invoiceReferenceId}/pay`,
          {
            method: 'POST',
          },
        );
        expect(paid.status).toBe(200);
        const mails = readdirSync(mailDir);
        expect(mails).toEqual([expect.stringMatching(/#?paid\.eml$|_paid\.eml$/)]);
        const mail = join(mailDir, mails[0] as string);
        expect(readFileSync(mail, 'utf8')).toMatch(
          /^From: Glase Demo Shop <orders@glase-demo\.example>\r\nTo: "John Smith" <very\.happy@shopping\.com>/,
        );
        expect(output()).toContain(`mail       ${mailDir}/`);
        // Logged before the notification is answered, so before the sandbox's pay returns; the
        // child's output may still be on its way through the pipe.
        while (!output().includes(`"location":"${mail}"`))
          await new Promise((resolve) => setTimeout(resolve, 50));

        // A second npm start on the same ports says which one is busy, and starts nothing.
        const second = spawnSync(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
          cwd: root,
          env: { ...process.env, PORT: String(port), DYNAMODB_PORT: String(dynamodbPort) },
          timeout: HANG,
        });
        expect(second.status).toBe(1);
        expect(String(second.stdout)).toContain(`port ${port} for the API is already in use`);
        expect(String(second.stdout)).not.toMatch(/pid \d+/);
      } finally {
        const javaPid = Number(/pid (\d+)/.exec(output())?.[1]);
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
        expect(javaPid).toBeGreaterThan(0);
        expect(isRunning(javaPid)).toBe(false);
      }
    },
    2 * HANG,
  );

  it(
    'stops at once, saying how to install it, when there is no Java',
    () => {
      const bin = mkdtempSync(join(tmpdir(), 'no-java-'));
      symlinkSync(process.execPath, join(bin, 'node'));
      let message = '';
      try {
        execFileSync(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
          cwd: root,
          env: { ...process.env, PATH: bin, PORT: '0' },
          stdio: 'pipe',
          timeout: HANG,
        });
      } catch (error) {
        message = String((error as { stdout?: Buffer }).stdout ?? '');
        expect((error as { status?: number }).status).toBe(1);
      }
      expect(message).toContain('DynamoDB Local needs Java 17 or newer');
      expect(message).toContain('apt-get install -y openjdk-17-jre-headless');
    },
    HANG,
  );
});
