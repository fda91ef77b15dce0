import { SECRET_CACHE_SECONDS } from '../../contract/service.js';
import type { SigningSecrets } from '../webhooks/signature.js';
import { type Config, ConfigurationError, type SecretSource, type TerminalSecret } from './config.js';

/**
 * The shop's secrets, each from its own source: Secrets Manager when deployed (never plain
 * environment variables there; the functions read it through the Parameters and Secrets
 * extension, the CLI through the SDK), the environment when local. Every value is checked before
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

/** The placeholder texts our docs and older stacks used: refused in any case, with any spaces. */
export const PLACEHOLDER_PREFIX = 'REPLACE_WITH_';
/** At least 128 bits: 32 characters of [A-Za-z0-9_-] carry 190. */
const URL_KEY = /^[A-Za-z0-9_-]{32,128}$/;
const MIN_SIGNING_KEY = 32;
const MIN_AUTH_SECRET = 16;
/** Glase's own public test terminal has 8; a shorter password is a typo or a placeholder. */
const MIN_TERMINAL_PASSWORD = 8;
/**
 * What a key's characters must carry at least, estimated from how varied they are (Shannon):
 * 32 × `a` carries none, `abab…` one bit a character. Measured over 2,000 random keys each, the
 * least varied 32-character [A-Za-z0-9_-] key scored 131 bits, 32 hex digits 97, 16 letters and
 * digits 49: these refuse what a person typed, never what a generator made.
 */
const MIN_KEY_BITS = 80;
const MIN_AUTH_SECRET_BITS = 40;

/** Where to read a secret deployed, and locally. */
interface Names {
  readonly arn: string;
  readonly local: string;
}

/** Reads one secret's string from Secrets Manager (extension or SDK); undefined: it has no value yet. */
export type SecretFetch = (arn: string) => Promise<string | undefined>;

export function secretsFrom(
  config: Config,
  fromSecretsManager: SecretFetch,
  now: () => number = Date.now,
): Secrets {
  const fetch = cached(fromSecretsManager, SECRET_CACHE_SECONDS * 1000, now);
  const terminalNames = {
    arn: 'GLASE_CREDENTIALS_SECRET_ARN',
    local: 'GLASE_TERMINAL_ID / GLASE_TERMINAL_PASSWORD',
  };
  const terminal = reader(fetch, config.secrets.terminal, terminalNames, true, (value, name) => {
    const secret = (value ?? {}) as Partial<TerminalSecret>;
    return {
      terminalId: usable(secret.terminalId, `${name}: terminalId`),
      terminalPassword: atLeast(
        usable(secret.terminalPassword, `${name}: terminalPassword`),
        MIN_TERMINAL_PASSWORD,
        `${name}: terminalPassword`,
      ),
      authSecret: secret.authSecret || undefined,
    };
  });
  const signingKey = reader(
    fetch,
    config.secrets.signingKey,
    { arn: 'SIGNING_KEY_SECRET_ARN', local: 'NOTIFICATION_SIGNING_KEY' },
    false,
    (value, name) => strong(value, name, MIN_SIGNING_KEY, MIN_KEY_BITS),
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
      return varied(key, MIN_KEY_BITS, name);
    },
  );
  return {
    terminal,
    signingKey,
    urlKey,
    authSecret: async () => {
      const name = `${terminalNames.arn} (or GLASE_AUTH_SECRET): authSecret`;
      return strong((await terminal()).authSecret, name, MIN_AUTH_SECRET, MIN_AUTH_SECRET_BITS);
    },
  };
}

const MIN_WEBHOOK_SECRET = 24;

/**
 * Each webhook endpoint's signing secret: deployed, a generated `{"current": "…"}` in Secrets
 * Manager (`{"current": new, "previous": old}` while rotating); locally WEBHOOK_SECRET. Checked
 * like every other secret; an endpoint with a missing or weak one gets no delivery.
 */
export function webhookSecrets(
  config: Config,
  fromSecretsManager: SecretFetch,
  now: () => number = Date.now,
): (endpointId: string) => Promise<SigningSecrets> {
  const fetch = cached(fromSecretsManager, SECRET_CACHE_SECONDS * 1000, now);
  const readers = new Map(
    config.webhooks.map((endpoint) => [
      endpoint.id,
      reader(
        fetch,
        endpoint.secret,
        { arn: `the webhook secret of ${endpoint.id}`, local: 'WEBHOOK_SECRET' },
        endpoint.secret !== undefined && 'arn' in endpoint.secret,
        (value, name) => {
          const secret = (
            typeof value === 'object' && value !== null ? value : {}
          ) as Partial<SigningSecrets>;
          const check = (key: unknown, part: string) =>
            strong(key, `${name}: ${part}`, MIN_WEBHOOK_SECRET, MIN_AUTH_SECRET_BITS);
          return {
            current: check(secret.current, 'current'),
            ...(secret.previous ? { previous: check(secret.previous, 'previous') } : {}),
          };
        },
      ),
    ]),
  );
  return (endpointId) => {
    const read = readers.get(endpointId);
    return read
      ? read()
      : Promise.reject(new SecretNotConfiguredError(endpointId, 'is no configured webhook'));
  };
}

/** One read per secret per max age, shared by concurrent callers; a failed or empty read is not kept. */
function cached(fetch: SecretFetch, maxAgeMs: number, now: () => number): SecretFetch {
  const entries = new Map<string, { value: Promise<string | undefined>; until: number }>();
  return (arn) => {
    const entry = entries.get(arn);
    if (entry && now() < entry.until) return entry.value;
    const value = fetch(arn);
    entries.set(arn, { value, until: now() + maxAgeMs });
    // Neither a failure nor "no value yet" is kept: the value the merchant puts in comes next.
    value.then(
      (text) => text === undefined && entries.delete(arn),
      () => entries.delete(arn),
    );
    return value;
  };
}

/**
 * Checks a value is there and is not a placeholder (in any case, with any spaces around it);
 * names the secret, never the value. Spaces around a value are a paste gone wrong: refused, not
 * trimmed, so what Glase and we compare is what the secret holds.
 */
function usable(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new SecretNotConfiguredError(name, 'is empty');
  if (value.trim().toUpperCase().startsWith(PLACEHOLDER_PREFIX)) {
    throw new SecretNotConfiguredError(name, 'still holds its placeholder: put the real value in the secret');
  }
  if (value.trim() !== value) {
    throw new SecretNotConfiguredError(name, 'has spaces or line breaks around it: put the value in alone');
  }
  return value;
}

/** A key: there, not a placeholder, long enough, and varied enough to have been generated. */
function strong(value: unknown, name: string, length: number, bits: number): string {
  return varied(atLeast(usable(value, name), length, name), bits, name);
}

/** Refuses a value whose characters are too alike to be a key (`aaaa…`, `abab…`). */
function varied(value: string, bits: number, name: string): string {
  if (estimatedBits(value) < bits) {
    throw new SecretNotConfiguredError(
      name,
      `is too predictable (under ${bits} bits): generate one at random`,
    );
  }
  return value;
}

/** Shannon entropy of the value's own characters, times its length. */
export function estimatedBits(value: string): number {
  const counts = new Map<string, number>();
  const chars = [...value];
  for (const char of chars) counts.set(char, (counts.get(char) ?? 0) + 1);
  let perChar = 0;
  for (const count of counts.values()) {
    const p = count / chars.length;
    perChar -= p * Math.log2(p);
  }
  return perChar * chars.length;
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
  fetch: SecretFetch,
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
    const text = await fetch(source.arn);
    if (text === undefined) {
      throw new SecretNotConfiguredError(
        names.arn,
        'has no value yet: put it in (docs/deploy.md, "From zero")',
      );
    }
    let value: unknown = text;
    if (json) {
      try {
        value = JSON.parse(text);
      } catch {
        // The parser's message may quote the value: say only what is wrong.
        throw new SecretNotConfiguredError(names.arn, 'is not JSON');
      }
    }
    return check(value, names.arn);
  };
}
