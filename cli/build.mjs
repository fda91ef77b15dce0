/**
 * Bundles the CLI into dist/cli.mjs (one file, dependencies included), so `glase-checkout`
 * starts without compiling TypeScript on every run. `npm install` / `npm ci` run it (prepare);
 * so does the integration tests' setup, so tests always run the CLI as built from the source.
 */
import { build } from 'esbuild';

export async function buildCli() {
  await build({
    entryPoints: [new URL('./main.ts', import.meta.url).pathname],
    outfile: new URL('../dist/cli.mjs', import.meta.url).pathname,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    keepNames: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildCli();
