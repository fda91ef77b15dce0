import { httpExchange } from '../glase/http.js';
import type { SecretFetch } from './secrets.js';

/** The extension's documented default port. */
const DEFAULT_PORT = 2773;
/** The extension answers from its cache in ~1 ms; a miss is one Secrets Manager call. */
const TIMEOUT_MS = 3_000;
/** A GetSecretValue answer: Secrets Manager's own limit on a secret is 64 KiB. */
const MAX_BYTES = 256 * 1024;

/**
 * Secrets Manager as the functions read it: through the AWS Parameters and Secrets Lambda
 * extension on localhost, which calls Secrets Manager with the function's role and caches the
 * answer. The SDK's Secrets Manager client would add a second AWS client to every bundle for
 * three reads per container. The extension serves only while a request is being handled, never
 * during a cold start's initialisation.
 */
export function secretsExtension(environment: NodeJS.ProcessEnv = process.env): SecretFetch {
  const port = Number(environment.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT || DEFAULT_PORT);
  return async (arn) => {
    const token = environment.AWS_SESSION_TOKEN;
    if (!token) {
      throw new Error('AWS_SESSION_TOKEN is not set: the secrets extension runs only inside Lambda');
    }
    const url = `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(arn)}`;
    const answer = await httpExchange(url, {
      method: 'GET',
      headers: { 'X-Aws-Parameters-Secrets-Token': token },
      timeoutMs: TIMEOUT_MS,
      maxBytes: MAX_BYTES,
    });
    const text = answer.body.toString('utf8');
    // A secret created without a value (Glase's credentials until the merchant puts them in)
    // has no AWSCURRENT version: Secrets Manager's ResourceNotFoundException, passed on.
    if ((answer.status === 400 || answer.status === 404) && text.includes('ResourceNotFoundException')) {
      return undefined;
    }
    if (answer.status !== 200) {
      // The extension's own message (AccessDenied, not found…), never a secret: it had none.
      throw new Error(`secrets extension answered ${answer.status} for ${arn}: ${text.slice(0, 300)}`);
    }
    const { SecretString } = JSON.parse(text) as { SecretString?: unknown };
    if (typeof SecretString !== 'string') throw new Error(`${arn} holds no SecretString`);
    return SecretString;
  };
}
