import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GlaseCheckoutStack } from './glase-checkout-stack.js';
import { readSettings, SettingsError } from './settings.js';

/** The app as `cdk synth` runs it and the infra tests build it: settings, stack, cdk-nag. */
export function defineApp(app: App): GlaseCheckoutStack {
  const { settings, overridden } = readSettings(app.node);
  if (overridden.length > 0) {
    process.stderr.write(
      `note: ${overridden.join(', ')} given with -c are not saved; the next deploy without them uses settings/${settings.stage}.json\n`,
    );
  }
  const stack = new GlaseCheckoutStack(app, `GlaseCheckout-${settings.stage}`, {
    settings,
    description: `glase-checkout (${settings.stage}): Glase Instant Checkout backend (createPurchase, payments, reconciler)`,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    terminationProtection: settings.terminationProtection,
  });
  Tags.of(stack).add('app', 'glase-checkout');
  Tags.of(stack).add('stage', settings.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
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
