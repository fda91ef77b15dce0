import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

/**
 * How each function is bundled, stated once: the CDK construct passes these to esbuild and
 * `npm run bench` builds with the very same options, so the bench measures what is deployed.
 */
export const FUNCTION_BUNDLE = {
  format: 'esm',
  platform: 'node',
  target: 'node24',
  minify: true,
  // Written beside the bundle for `glase-checkout stack-trace`; never loaded at run time
  // (no --enable-source-maps: parsing the map cost 5-11 % of a cold start).
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  // Some dependencies are CommonJS and call require(); ESM output needs one.
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  alias: {
    // Lambda hands every function its role's credentials in the environment; the SDK's default
    // chain (shared files, SSO, web identity, instance metadata) is ~100 KiB never used there.
    '@aws-sdk/credential-provider-node': `${root}lambda/wiring/lambda-credentials.ts`,
    // On Node 24 an ES import of node:http loads undici (~40 ms of cold start): see the module.
    'node:http': `${root}lambda/wiring/node-http-status.ts`,
  },
  // Only ever loaded by `await import()` for event-stream operations, which DynamoDB and
  // EventBridge calls never are. The SDK is otherwise bundled, not taken from the runtime:
  // the version we tested is the one that runs.
  external: ['@smithy/core/event-streams'],
  // Licences go to a file next to the bundle instead of being parsed at every cold start.
  legalComments: 'external',
} as const;

/**
 * The most a function on Glase's or a shopper's path may weigh: its cold start is waited on
 * (asserted by test/infra). Measured at this commit: createPurchase 294 KiB, the notification
 * function 300.4 KiB (EventBridge's client is 15 KiB of it); a cold start's compile grows with
 * the bytes, so a new dependency on these paths must earn its place here.
 */
export const MAX_BUNDLE_BYTES = 304 * 1024;
/**
 * The mail function's limit: it runs after the fact, from an event nobody waits on, and carries
 * the SES client beside DynamoDB's. Its cold start costs the shopper nothing.
 */
export const MAX_MAIL_BUNDLE_BYTES = 400 * 1024;
