import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretFetch } from './secrets.js';

/** Secrets Manager through the SDK, for the CLI on an operator's machine (the functions use the extension). */
export function secretsManager(region: string | undefined): SecretFetch {
  let client: SecretsManagerClient | undefined;
  return async (arn) => {
    client ??= new SecretsManagerClient(region ? { region } : {});
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (typeof SecretString !== 'string') throw new Error(`${arn} holds no SecretString`);
    return SecretString;
  };
}
