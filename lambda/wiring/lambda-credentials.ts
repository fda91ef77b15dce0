import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * What the functions' bundles use in place of `@aws-sdk/credential-provider-node` (an esbuild
 * alias in infra/constructs/checkout-function.ts): Lambda hands every function its role's
 * credentials in the environment, so the SDK's default chain — shared config files, SSO, web
 * identity, the instance metadata service, ~100 KiB of bundle — is never needed there. The CLI
 * and local runs are not bundled and keep the full chain.
 */
export const defaultProvider = (_init?: unknown) => fromEnv();
