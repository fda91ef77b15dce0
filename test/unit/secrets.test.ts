import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { loadConfig } from '../../lambda/handlers/config.js';
import { secretsFrom } from '../../lambda/handlers/secrets.js';

const secretsManager = mockClient(SecretsManagerClient);
const config = (arn: string) =>
  loadConfig({
    PRODUCTS_TABLE: 'p',
    ORDERS_TABLE: 'o',
    IDEMPOTENCY_TABLE: 'i',
    GLASE_API_URL: 'https://glase.invalid/soap',
    GLASE_WEBSHOP_ID: 'shop',
    GLASE_SECRET_ARN: arn,
    AWS_REGION: 'eu-north-1',
  });

describe('secrets from Secrets Manager (deployed)', () => {
  beforeEach(() => secretsManager.reset());

  it('reads the JSON secret once and serves it from the cache', async () => {
    const value = {
      terminalId: 'terminal-1',
      terminalPassword: 'pw-never-logged',
      authSecret: 'auth',
      signingKey: 'k'.repeat(48),
    };
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(value) });
    const secrets = secretsFrom(config('arn:aws:secretsmanager:eu-north-1:0:secret:cached'));
    expect(await secrets()).toEqual(value);
    expect(await secrets()).toEqual(value);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('names the missing or malformed keys, never the values', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({
        terminalId: 'terminal-1',
        terminalPassword: 'pw-never-logged',
        signingKey: 'short',
      }),
    });
    const secrets = secretsFrom(config('arn:aws:secretsmanager:eu-north-1:0:secret:malformed'));
    const failure = await secrets().catch((error: Error) => error);
    expect((failure as Error).message).toBe('the Glase secret lacks or has malformed keys: signingKey');
    expect((failure as Error).message).not.toContain('pw-never-logged');
  });
});
