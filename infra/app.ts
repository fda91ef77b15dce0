import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GlaseCheckoutStack } from './glase-checkout-stack.js';
import { readSettings, SettingsError } from './settings.js';

const app = new App();
try {
  const settings = readSettings(app.node);
  new GlaseCheckoutStack(app, 'GlaseCheckoutStack', {
    settings,
    description: 'glase-checkout: Glase Instant Checkout backend (createPurchase, payments, reconciler)',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
} catch (error) {
  if (error instanceof SettingsError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
