import { existsSync, readFileSync } from 'node:fs';
import type { OperatorSettings } from './connect.js';

/** A check `doctor` runs only against a deployed stack (`--stack`). */
export interface DeployedCheck {
  readonly name: 'alarms' | 'mail' | 'settings';
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * What only a deployed shop can get wrong after the deploy itself succeeded: alarms that reach
 * nobody because no one clicked the subscription link, order mails SES will not send, and a
 * stack that no longer matches the settings file it was deployed from.
 */
export async function deployedChecks(
  deployed: OperatorSettings,
  settingsDir = 'settings',
): Promise<DeployedCheck[]> {
  return Promise.all([
    alarmSubscription(deployed),
    mailIdentity(deployed),
    Promise.resolve(settingsDrift(deployed, settingsDir)),
  ]).then((checks) => checks.filter((check): check is DeployedCheck => check !== undefined));
}

async function alarmSubscription({ alarmTopicArn, region }: OperatorSettings): Promise<DeployedCheck> {
  if (!alarmTopicArn) {
    return {
      name: 'alarms',
      ok: false,
      detail: 'the stack has no alarm topic: set alarmEmail or alarmTopicArn',
    };
  }
  const { SNSClient, ListSubscriptionsByTopicCommand } = await import('@aws-sdk/client-sns');
  const sns = new SNSClient({ region });
  try {
    const subscriptions = [];
    let next: string | undefined;
    do {
      const page = await sns.send(
        new ListSubscriptionsByTopicCommand({ TopicArn: alarmTopicArn, NextToken: next }),
      );
      subscriptions.push(...(page.Subscriptions ?? []));
      next = page.NextToken;
    } while (next);
    // An e-mail subscription stays "PendingConfirmation" until someone clicks SNS's link.
    const confirmed = subscriptions.filter(
      (subscription) =>
        subscription.SubscriptionArn && subscription.SubscriptionArn !== 'PendingConfirmation',
    );
    const pending = subscriptions.length - confirmed.length;
    if (confirmed.length === 0) {
      return {
        name: 'alarms',
        ok: false,
        detail:
          pending > 0
            ? `nobody confirmed the alarm subscription yet (${pending} pending): click the link SNS mailed to alarmEmail, or alarms reach no one`
            : 'the alarm topic has no subscription: alarms reach no one',
      };
    }
    return {
      name: 'alarms',
      ok: true,
      detail: `${confirmed.length} confirmed alarm subscription(s)${pending > 0 ? `, ${pending} still pending` : ''}`,
    };
  } catch (error) {
    return { name: 'alarms', ok: false, detail: `could not read the alarm topic: ${(error as Error).name}` };
  } finally {
    sns.destroy();
  }
}

async function mailIdentity({
  mailIdentity: identity,
  region,
}: OperatorSettings): Promise<DeployedCheck | undefined> {
  if (!identity) return undefined;
  const { SESv2Client, GetAccountCommand, GetEmailIdentityCommand } = await import('@aws-sdk/client-sesv2');
  const ses = new SESv2Client({ region });
  try {
    const [found, account] = await Promise.all([
      ses.send(new GetEmailIdentityCommand({ EmailIdentity: identity })),
      ses.send(new GetAccountCommand({})),
    ]);
    const problems = [
      ...(found.VerifiedForSendingStatus
        ? []
        : [
            `${identity} is not verified in SES (${found.VerificationStatus ?? 'unknown'}): docs/deploy.md, The shopper's order mail, step 1`,
          ]),
      ...(account.ProductionAccessEnabled
        ? []
        : [
            'SES is still in its sandbox in this region: mails to shoppers fail until production access is granted (step 2)',
          ]),
    ];
    return problems.length > 0
      ? { name: 'mail', ok: false, detail: problems.join('; ') }
      : { name: 'mail', ok: true, detail: `${identity} is verified and SES has production access` };
  } catch (error) {
    const name = (error as Error).name;
    return {
      name: 'mail',
      ok: false,
      detail:
        name === 'NotFoundException'
          ? `${identity} is not an SES identity in ${region}: create and verify it (docs/deploy.md, step 1)`
          : `could not ask SES about ${identity}: ${name}`,
    };
  } finally {
    ses.destroy();
  }
}

/**
 * The settings the stack was deployed from (its output) against `settings/<stage>.json` here:
 * a difference is a deploy someone forgot, a `-c` override that was never saved, or a file edited
 * without a deploy. Values the file leaves out or sets to null are the defaults on both sides.
 */
export function settingsDrift(deployed: OperatorSettings, settingsDir: string): DeployedCheck | undefined {
  if (!deployed.settings) return undefined;
  const path = `${settingsDir}/${deployed.stage}.json`;
  if (!existsSync(path)) {
    return {
      name: 'settings',
      ok: true,
      detail: `not compared: no ${path} here (run doctor from the project)`,
    };
  }
  const file = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const given = (values: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(values).filter(
        ([key, value]) => !key.startsWith('$') && value !== null && value !== undefined && value !== '',
      ),
    );
  const mine = given(file);
  const theirs = given(deployed.settings);
  const differing = [...new Set([...Object.keys(mine), ...Object.keys(theirs)])]
    .filter((key) => canonical(mine[key]) !== canonical(theirs[key]))
    .sort();
  return differing.length === 0
    ? { name: 'settings', ok: true, detail: `the stack matches ${path}` }
    : {
        name: 'settings',
        ok: false,
        detail: `the stack differs from ${path} in ${differing.join(', ')}: deploy the file (npx cdk deploy -c stage=${deployed.stage}), or put the deployed values in it`,
      };
}

/** Settings compare as text: `"true"` from -c and `true` from the file are the same setting. */
function canonical(value: unknown): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map(String).join(',');
  return String(value);
}
