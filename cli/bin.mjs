#!/usr/bin/env node
// The `glase-checkout` command: runs the TypeScript CLI through tsx.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { tsImport } = await import('tsx/esm/api');
const { run } = await tsImport('./main.ts', import.meta.url);
process.exitCode = await run(process.argv.slice(2));
