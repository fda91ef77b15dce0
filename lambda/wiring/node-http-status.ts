/**
 * What the functions' bundles use in place of `node:http` (an esbuild alias, infra/bundling.ts).
 * On Node 24 an ES import of `node:http` evaluates every export of the module, `WebSocket` and
 * `MessageEvent` included, and those load the whole of undici: ~40 ms of a cold start's CPU, paid
 * because @middy/util imports STATUS_CODES for an error's reason phrase. Here node:http is taken
 * through `process.getBuiltinModule` (the CommonJS module, without that ES facade), and only when
 * first used: a function that answers no error over plain http never loads it. The AWS SDK's
 * `import('node:http')` (for an http:// endpoint, such as DynamoDB Local) takes the default
 * export. Should a bundled module ever import another name, esbuild fails the build on it.
 */
type Http = typeof import('node:http');
const http = (): Http => process.getBuiltinModule('node:http');
const onFirstUse = <T extends object>(target: () => T): T =>
  new Proxy({} as T, { get: (_empty, name) => Reflect.get(target(), name) });

export default onFirstUse(http);
export const STATUS_CODES = onFirstUse(() => http().STATUS_CODES);
