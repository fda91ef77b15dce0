import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { type Config, ConfigurationError, type SecretSource, type TerminalSecret } from './config.js';

/**
 * The shop's secrets, each from its own source: Secrets Manager when deployed (never plain
 * environment variables there), the environment when local. Every value is checked before
 * use and a placeholder, empty or short one is refused — fail closed, never accepted.
 */
export interface Secrets {
  /** Glase's terminal id and password (and, with CALLER_AUTH=token, the X-Auth-Token secret). */
  terminal(): Promise<TerminalSecret>;
  /** Signs notification URLs. Generated at deploy. */
  signingKey(): Promise<string>;
  /** The secret path segment of the createPurchase URL. Generated at deploy. */
  urlKey(): Promise<string>;
  /** The X-Auth-Token secret, for CALLER_AUTH=token. */
  authSecret(): Promise<string>;
}

/** A secret that is missing, still a placeholder, or too weak: the function refuses to use it. */
export class SecretNotConfiguredError extends ConfigurationError {
  override readonly name = 'SecretNotConfiguredError';
  constructor(
    readonly secret: string,
    why: string,
  ) {
    super(`${secret} ${why}`);
  }
}

/** Cached for five minutes so a rotated secret reaches warm containers without a redeploy. */
export const SECRET_MAX_AGE_SECONDS = 300;
/** What the stack writes into the credentials secret until the merchant puts Glase's values in. */
export const PLACEHOLDER_PREFIX = 'REPLACE_WITH_';
/** At least 128 bits: 32 characters of [A-Za-z0-9_-] carry 190. */
const URL_KEY = /^[A-Za-z0-9_-]{32,128}$/;
const MIN_SIGNING_KEY = 32;
const MIN_AUTH_SECRET = 16;

/** Where to read a secret deployed, and locally. */
interface Names {
  readonly arn: string;
  readonly local: string;
}

type Fetch = (arn: string, json: boolean) => Promise<unknown>;

export function secretsFrom(config: Config, fetch: Fetch = secretsManager(config.region)): Secrets {
  const terminalNames = {
    arn: 'GLASE_CREDENTIALS_SECRET_ARN',
    local: 'GLASE_TERMINAL_ID / GLASE_TERMINAL_PASSWORD',
  };
  const terminal = reader(fetch, config.secrets.terminal, terminalNames, true, (value, name) => {
    const secret = (value ?? {}) as Partial<TerminalSecret>;
    return {
      terminalId: usable(secret.terminalId, `${name}: terminalId`),
      terminalPassword: usable(secret.terminalPassword, `${name}: terminalPassword`),
      authSecret: secret.authSecret || undefined,
    };
  });
  const signingKey = reader(
    fetch,
    config.secrets.signingKey,
    { arn: 'SIGNING_KEY_SECRET_ARN', local: 'NOTIFICATION_SIGNING_KEY' },
    false,
    (value, name) => atLeast(usable(value, name), MIN_SIGNING_KEY, name),
  );
  const urlKey = reader(
    fetch,
    config.secrets.urlKey,
    { arn: 'URL_KEY_SECRET_ARN', local: 'CREATE_PURCHASE_URL_KEY' },
    false,
    (value, name) => {
      const key = usable(value, name);
      if (!URL_KEY.test(key)) {
        throw new SecretNotConfiguredError(
          name,
          'must be 32-128 letters, digits, "_" or "-" (at least 128 bits)',
        );
      }
      return key;
    },
  );
  return {
    terminal,
    signingKey,
    urlKey,
    authSecret: async () => {
      const name = `${terminalNames.arn} (or GLASE_AUTH_SECRET): authSecret`;
      return atLeast(usable((await terminal()).authSecret, name), MIN_AUTH_SECRET, name);
    },
  };
}

/** Secrets Manager through Powertools (cached), with one client in the configuration's region. */
function secretsManager(region: string | undefined): Fetch {
  let provider: SecretsProvider | undefined;
  return (arn, json) => {
    provider ??= new SecretsProvider({ clientConfig: region ? { region } : {} });
    return provider.get(arn, { transform: json ? 'json' : undefined, maxAge: SECRET_MAX_AGE_SECONDS });
  };
}

/** Checks a value is there and is not our placeholder; names the secret, never the value. */
function usable(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new SecretNotConfiguredError(name, 'is empty');
  if (value.startsWith(PLACEHOLDER_PREFIX)) {
    throw new SecretNotConfiguredError(name, 'still holds its placeholder: put the real value in the secret');
  }
  return value;
}

function atLeast(value: string, length: number, name: string): string {
  if (value.length < length)
    throw new SecretNotConfiguredError(name, `must be at least ${length} characters`);
  return value;
}

/**
 * One secret's reader. A local value is checked once, at cold start; a deployed one each time
 * it is (re)read from the cache, so a fixed placeholder is picked up without a redeploy.
 */
function reader<T, V>(
  fetch: Fetch,
  source: SecretSource<V>,
  names: Names,
  json: boolean,
  check: (value: unknown, name: string) => T,
): () => Promise<T> {
  if (source === undefined) {
    const missing = new SecretNotConfiguredError(`${names.arn} (or, locally, ${names.local})`, 'is not set');
    return () => Promise.reject(missing);
  }
  if ('value' in source) {
    let checked: Promise<T>;
    try {
      checked = Promise.resolve(check(source.value, names.local));
    } catch (error) {
      checked = Promise.reject(error);
    }
    checked.catch(() => undefined); // reported when asked for, not as an unhandled rejection
    return () => checked;
  }
  return async () => {
    let value: unknown;
    try {
      value = await fetch(source.arn, json);
    } catch (error) {
      // JSON that does not parse says nothing safe about the value: the cause may quote it.
      if ((error as Error).name === 'TransformParameterError') {
        throw new SecretNotConfiguredError(names.arn, 'is not JSON');
      }
      throw error;
    }
    return check(value, names.arn);
  };
}
