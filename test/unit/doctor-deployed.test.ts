import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetAccountCommand,
  GetEmailIdentityCommand,
  NotFoundException,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { OperatorSettings } from '../../cli/connect.js';
import { deployedChecks, settingsDrift } from '../../cli/doctor-deployed.js';

const TOPIC = 'arn:aws:sns:eu-north-1:111122223333:GlaseCheckout-prod-Alarms';
const DEPLOYED: OperatorSettings = {
  version: 1,
  stage: 'prod',
  region: 'eu-north-1',
  environment: {},
  createPurchaseUrl: 'https://x/webshop/{urlKey}/createPurchase',
  alarmTopicArn: TOPIC,
  mailIdentity: 'minbutik.se',
  settings: {
    account: '111122223333',
    webshopId: 'minbutik-4711',
    waf: true,
    allowedSourceIps: ['192.0.2.10'],
  },
};

function settingsDir(file: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'doctor-settings-'));
  writeFileSync(join(dir, 'prod.json'), JSON.stringify(file));
  return dir;
}

describe('doctor against a deployed stack (AWS answers stubbed: nothing here reaches AWS)', () => {
  const sns = mockClient(SNSClient);
  const ses = mockClient(SESv2Client);
  afterEach(() => {
    sns.reset();
    ses.reset();
  });
  afterAll(() => {
    sns.restore();
    ses.restore();
  });
  const healthySes = () => {
    ses
      .on(GetEmailIdentityCommand)
      .resolves({ VerifiedForSendingStatus: true, VerificationStatus: 'SUCCESS' });
    ses.on(GetAccountCommand).resolves({ ProductionAccessEnabled: true });
  };

  it('fails while nobody has clicked the subscription link, and passes once someone has', async () => {
    healthySes();
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [{ SubscriptionArn: 'PendingConfirmation', Protocol: 'email' }],
    });
    const dir = settingsDir(DEPLOYED.settings as Record<string, unknown>);
    const [alarms] = await deployedChecks(DEPLOYED, dir);
    expect(alarms).toMatchObject({
      name: 'alarms',
      ok: false,
      detail: expect.stringContaining('nobody confirmed'),
    });

    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [{ SubscriptionArn: `${TOPIC}:0b1c`, Protocol: 'email' }],
    });
    const [confirmed] = await deployedChecks(DEPLOYED, dir);
    expect(confirmed).toMatchObject({
      name: 'alarms',
      ok: true,
      detail: '1 confirmed alarm subscription(s)',
    });
    expect(sns.commandCalls(ListSubscriptionsByTopicCommand)[0]?.args[0].input).toEqual({
      TopicArn: TOPIC,
      NextToken: undefined,
    });
  });

  it('fails on an unverified mail identity and on the SES sandbox, saying what to do', async () => {
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [{ SubscriptionArn: `${TOPIC}:1` }] });
    ses
      .on(GetEmailIdentityCommand)
      .resolves({ VerifiedForSendingStatus: false, VerificationStatus: 'PENDING' });
    ses.on(GetAccountCommand).resolves({ ProductionAccessEnabled: false });
    const mail = (await deployedChecks(DEPLOYED, settingsDir({}))).find((check) => check.name === 'mail');
    expect(mail?.ok).toBe(false);
    expect(mail?.detail).toContain('minbutik.se is not verified in SES (PENDING)');
    expect(mail?.detail).toContain('SES is still in its sandbox');

    ses.on(GetEmailIdentityCommand).rejects(new NotFoundException({ message: 'no', $metadata: {} }));
    const missing = (await deployedChecks(DEPLOYED, settingsDir({}))).find((check) => check.name === 'mail');
    expect(missing?.detail).toContain('is not an SES identity in eu-north-1');

    healthySes();
    const verified = (await deployedChecks(DEPLOYED, settingsDir({}))).find((check) => check.name === 'mail');
    expect(verified).toEqual({
      name: 'mail',
      ok: true,
      detail: 'minbutik.se is verified and SES has production access',
    });
    // No mails configured: no mail check.
    const noMail = await deployedChecks({ ...DEPLOYED, mailIdentity: undefined }, settingsDir({}));
    expect(noMail.map((check) => check.name)).not.toContain('mail');
  });
});

describe('doctor’s settings drift', () => {
  it('passes when the file holds what was deployed (nulls and "true"/true alike)', () => {
    const dir = settingsDir({ ...DEPLOYED.settings, waf: 'true', mailFrom: null, $comment: 'x' });
    expect(settingsDrift(DEPLOYED, dir)).toEqual({
      name: 'settings',
      ok: true,
      detail: `the stack matches ${dir}/prod.json`,
    });
  });

  it('names each setting that differs either way', () => {
    const dir = settingsDir({
      ...DEPLOYED.settings,
      webshopId: 'other',
      alarmEmail: 'ops@minbutik.se',
      waf: undefined,
    });
    const drift = settingsDrift(DEPLOYED, dir);
    expect(drift?.ok).toBe(false);
    expect(drift?.detail).toContain('differs from');
    expect(drift?.detail).toContain('in alarmEmail, waf, webshopId:');
  });

  it('says so when there is no file to compare, and stays silent for a stack that predates the output', () => {
    expect(settingsDrift(DEPLOYED, join(tmpdir(), 'no-such-dir'))?.detail).toMatch(/^not compared: no /);
    expect(settingsDrift({ ...DEPLOYED, settings: undefined }, 'settings')).toBeUndefined();
  });
});
