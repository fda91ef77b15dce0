import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The AWS Parameters and Secrets extension's HTTP contract, played on loopback (for tests of the
 * functions' own entry points, and for the bench's first invocations of the deployed bundles): GET
 * /secretsmanager/get?secretId=… with the session token in X-Aws-Parameters-Secrets-Token,
 * answering GetSecretValue's JSON. Refuses a request without the token, as the extension does.
 */
export interface SecretsExtension {
  /** The environment a function needs to reach it. */
  readonly environment: { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: string; AWS_SESSION_TOKEN: string };
  readonly requests: { secretId: string | null; token: string | undefined }[];
  set(secretId: string, value: string | undefined): void;
  close(): Promise<void>;
}

export async function startSecretsExtension(token = 'session-token'): Promise<SecretsExtension> {
  const secrets = new Map<string, string | undefined>();
  const requests: SecretsExtension['requests'] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const secretId = url.searchParams.get('secretId');
    const given = request.headers['x-aws-parameters-secrets-token'];
    requests.push({ secretId, token: typeof given === 'string' ? given : undefined });
    if (given !== token) {
      response.writeHead(401).end('missing or wrong X-Aws-Parameters-Secrets-Token');
      return;
    }
    if (url.pathname !== '/secretsmanager/get' || secretId === null || !secrets.has(secretId)) {
      response
        .writeHead(400)
        .end('ResourceNotFoundException: Secrets Manager cannot find the specified secret.');
      return;
    }
    const value = secrets.get(secretId);
    if (value === undefined) {
      // A secret created without a value: there is no AWSCURRENT version to return.
      response
        .writeHead(400)
        .end(
          "ResourceNotFoundException: Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
        );
      return;
    }
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ ARN: secretId, Name: 'secret', SecretString: value }));
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  return {
    environment: {
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String((server.address() as AddressInfo).port),
      AWS_SESSION_TOKEN: token,
    },
    requests,
    set: (secretId, value) => secrets.set(secretId, value),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
