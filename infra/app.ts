import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GlaseCheckoutStack } from './glase-checkout-stack.js';
import { readSettings, SettingsError } from './settings.js';

/** The app as `cdk synth` runs it and the infra tests build it: settings, stack, cdk-nag. */
export function defineApp(app: App): GlaseCheckoutStack {
  const stack = new GlaseCheckoutStack(app, 'GlaseCheckoutStack', {
    settings: readSettings(app.node),
    description: 'glase-checkout: Glase Instant Checkout backend (createPurchase, payments, reconciler)',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  try {
    defineApp(new App());
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
