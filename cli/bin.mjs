#!/usr/bin/env node
// The `glase-checkout` command: runs the bundled CLI (dist/cli.mjs, built by `npm install` or
// `npm run build`). If the bundle is missing or older than the source, it runs the TypeScript
// through tsx instead and says so: slower, never stale.
import { readdirSync, statSync } from 'node:fs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const root = new URL('../', import.meta.url);
const bundle = new URL('dist/cli.mjs', root);

function newestSource() {
  let newest = 0;
  const walk = (directory) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = new URL(entry.name + (entry.isDirectory() ? '/' : ''), directory);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(new URL('cli/', root));
  walk(new URL('lambda/', root));
  return newest;
}

let built = 0;
try {
  built = statSync(bundle).mtimeMs;
} catch {}
const fresh = built > 0 && built >= newestSource() && !process.env.GLASE_CLI_FROM_SOURCE;
let run;
if (fresh) ({ run } = await import(bundle.href));
else {
  if (!process.env.GLASE_CLI_FROM_SOURCE) {
    process.stderr.write(
      'note: dist/cli.mjs is missing or older than the source; `npm run build` makes the CLI start fast\n',
    );
  }
  const { tsImport } = await import('tsx/esm/api');
  ({ run } = await tsImport('./main.ts', import.meta.url));
}
process.exitCode = await run(process.argv.slice(2));
