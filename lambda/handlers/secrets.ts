import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod/mini';
import { type Config, ConfigurationError, type Secrets } from './config.js';

const secretSchema = z.object({
  terminalId: z.string().check(z.minLength(1)),
  terminalPassword: z.string().check(z.minLength(1)),
  authSecret: z.optional(z.string().check(z.minLength(1))),
  signingKey: z.string().check(z.minLength(16)),
});

/** Cached for five minutes so a rotated secret reaches warm containers without a redeploy. */
const SECRET_MAX_AGE_SECONDS = 300;

/**
 * Where the terminal password, caller-auth secret and signing key come from: Secrets Manager
 * when deployed (never plain environment variables there), the environment when local.
 */
export function secretsFrom(config: Config): () => Promise<Secrets> {
  const local = config.localSecrets;
  if (local) return async () => local;
  const arn = config.secretArn;
  if (!arn) throw new ConfigurationError('invalid configuration: GLASE_SECRET_ARN is missing');
  return async () => {
    const value = await getSecret(arn, { transform: 'json', maxAge: SECRET_MAX_AGE_SECONDS });
    const parsed = secretSchema.safeParse(value);
    if (!parsed.success) {
      // Name the keys, never the values.
      const keys = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
      throw new ConfigurationError(`the Glase secret lacks or has malformed keys: ${keys}`);
    }
    return parsed.data;
  };
}
