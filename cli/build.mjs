/**
 * Bundles the CLI into dist/cli.mjs (one file, dependencies included), so `glase-checkout`
 * starts without compiling TypeScript on every run. `npm install` / `npm ci` run it (prepare);
 * so does the integration tests' setup, so tests always run the CLI as built from the source.
 */
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

export async function buildCli() {
  // Chunk names carry a hash of their content: old ones would only pile up.
  rmSync(new URL('../dist/chunks/', import.meta.url), { recursive: true, force: true });
  await build({
    entryPoints: { cli: new URL('./main.ts', import.meta.url).pathname },
    outdir: new URL('../dist/', import.meta.url).pathname,
    outExtension: { '.js': '.mjs' },
    // What a command needs is loaded when it runs: `--help` reads only the first file.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
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
