import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type AppOptions, defineApp } from '../../infra/app.js';
import type { GlaseCheckoutStack } from '../../infra/glase-checkout-stack.js';
import { CONTEXT_PREFIX } from '../../infra/settings.js';

/** Values on top of settings/demo.json, as `-c glase-checkout:<key>=<value>` would give them. */
export const REQUIRED = {
  webshopId: 'test-shop',
  shopTitle: 'Test Shop',
  glaseApiUrl: 'https://glase.invalid/soap',
};

export interface Synthesized {
  readonly template: Template;
  readonly stack: GlaseCheckoutStack;
  readonly report: {
    pluginReports: { conclusion: string; violations: unknown[]; suppressedViolations: unknown[] }[];
  };
  readonly outdir: string;
}

/** The prod-like stage's settings (allow-list, mail, custom domain, token auth, pinned account). */
export const FIXTURE_SETTINGS = new URL('./fixtures/settings/', import.meta.url);

/**
 * The prod-like stage as its committed file says, nothing on top: what a merchant's `cdk deploy
 * -c stage=prod` synthesizes. `env` stands for what the CDK CLI would pass (the active profile).
 */
export function synthProdLike(env: NodeJS.ProcessEnv = {}): Synthesized {
  return synthesize({ stage: 'prod' }, { settingsDir: FIXTURE_SETTINGS, env });
}

/** Synthesizes the real app (bundling with the local esbuild, cdk-nag on) with the given context. */
export function synth(settings: Record<string, unknown> = {}, stage?: string): Synthesized {
  const context = Object.fromEntries(
    Object.entries({ ...REQUIRED, ...settings }).map(([key, value]) => [`${CONTEXT_PREFIX}${key}`, value]),
  );
  return synthesize({ ...context, ...(stage ? { stage } : {}) }, { env: {} });
}

function synthesize(context: Record<string, unknown>, options: AppOptions): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'glase-cdk-'));
  // The CDK CLI turns asset metadata on for every synth (sam local needs it); do the same.
  const app = new App({ outdir, context: { ...context, 'aws:cdk:enable-asset-metadata': true } });
  const stack = defineApp(app, options);
  app.synth();
  return {
    template: Template.fromStack(stack),
    stack,
    report: JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')),
    outdir,
  };
}

/**
 * A CloudFormation value as the text it becomes at deploy, every intrinsic (Ref, GetAtt…) shown
 * as `token`: enough to read a JSON output the way the CLI will.
 */
export function rendered(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(rendered).join(join[0]);
  return 'token';
}
