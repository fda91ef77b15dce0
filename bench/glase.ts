/**
 * The bench's Glase, in a process of its own (`tsx bench/glase.ts`): the sandbox with the local
 * profile's terminal. Glase runs on its own machines; sharing the server's event loop, the
 * sandbox's "answer in 3 s" became 3 s plus whatever backlog the purchases under test had built,
 * so the loaded flash sale measured a Glase slower than the one it names. Prints one JSON line
 * when ready.
 */
import { LOCAL_SECRETS } from '../lambda/wiring/local-profile.js';
import { GlaseSandbox } from '../local/glase-sandbox/index.js';

const sandbox = new GlaseSandbox({
  host: '127.0.0.1',
  port: 0,
  terminalId: LOCAL_SECRETS.terminalId,
  password: LOCAL_SECRETS.terminalPassword,
});
const glaseUrl = await sandbox.start();
process.stdout.write(`${JSON.stringify({ ready: true, glaseUrl })}\n`);
const stop = () => void sandbox.stop().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
