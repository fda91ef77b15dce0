import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GlaseCheckoutStack } from './glase-checkout-stack.js';
import { type CheckoutSettings, readSettings, SettingsError } from './settings.js';

export interface AppOptions {
  /** Where the stages' settings files are (the infra tests' fixtures); `settings/` by default. */
  readonly settingsDir?: URL;
  readonly env?: NodeJS.ProcessEnv;
}

/** The app as `cdk synth` runs it and the infra tests build it: settings, stack, cdk-nag. */
export function defineApp(app: App, options: AppOptions = {}): GlaseCheckoutStack {
  const env = options.env ?? process.env;
  const { settings, overridden } = readSettings(app.node, env, options.settingsDir);
  if (overridden.length > 0) {
    process.stderr.write(
      `note: ${overridden.join(', ')} given with -c are not saved; the next deploy without them uses settings/${settings.stage}.json\n`,
    );
  }
  const stack = new GlaseCheckoutStack(app, `GlaseCheckout-${settings.stage}`, {
    settings,
    description: `glase-checkout (${settings.stage}): Glase Instant Checkout backend (createPurchase, payments, reconciler)`,
    env: stageEnvironment(settings, env),
    terminationProtection: settings.terminationProtection,
  });
  Tags.of(stack).add('app', 'glase-checkout');
  Tags.of(stack).add('stage', settings.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
}

/**
 * The account and region the stage is pinned to. The CDK CLI says which account the active
 * credentials belong to (CDK_DEFAULT_ACCOUNT) and which region the profile names: a stage
 * deployed from the wrong profile would otherwise become a second, empty shop with a new URL key.
 * Without credentials (an offline synth) there is nothing to compare, and the pinned values stand.
 */
export function stageEnvironment(
  settings: Pick<CheckoutSettings, 'stage' | 'account' | 'region'>,
  env: NodeJS.ProcessEnv,
): { account?: string; region?: string } {
  const active = { account: env.CDK_DEFAULT_ACCOUNT, region: env.CDK_DEFAULT_REGION };
  const file = `settings/${settings.stage}.json`;
  if (settings.account && active.account && active.account !== settings.account) {
    throw new SettingsError(
      `${file} pins account ${settings.account}, but your AWS credentials are for account ${active.account}: use that account's profile (AWS_PROFILE=…), or check -c stage=${settings.stage}`,
    );
  }
  if (settings.region && active.region && active.region !== settings.region) {
    throw new SettingsError(
      `${file} pins region ${settings.region}, but your AWS profile's region is ${active.region}: run with AWS_REGION=${settings.region}`,
    );
  }
  const account = settings.account ?? active.account;
  const region = settings.region ?? active.region;
  return { ...(account ? { account } : {}), ...(region ? { region } : {}) };
}

// Run as the CDK app (`cdk synth`), not when a test imports it; path comparison works on Windows too.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    defineApp(new App());
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
