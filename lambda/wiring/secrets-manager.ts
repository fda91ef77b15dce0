import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretFetch } from './secrets.js';

/** Secrets Manager through the SDK, for the CLI on an operator's machine (the functions use the extension). */
export function secretsManager(region: string | undefined): SecretFetch {
  let client: SecretsManagerClient | undefined;
  return async (arn) => {
    client ??= new SecretsManagerClient(region ? { region } : {});
    let SecretString: string | undefined;
    try {
      ({ SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn })));
    } catch (error) {
      // No value yet (a secret created empty), or no such secret: nothing to use either way.
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
    if (typeof SecretString !== 'string') throw new Error(`${arn} holds no SecretString`);
    return SecretString;
  };
}
