import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { parseOperatorSettings } from '../../cli/connect.js';
import { findSourceMap, mapStackTrace } from '../../cli/stack-trace.js';
import {
  EVENT_SOURCE,
  MAILED_EVENTS,
  ORDER_EVENT_TYPES,
  WEBHOOK_RETRY_SECONDS,
} from '../../contract/events.js';
import { METRICS_NAMESPACE, SECRET_CACHE_SECONDS, SERVICE_NAME } from '../../contract/service.js';
import { KEY_PREFIX, ORDERS_BY_LOOKUP, ORDERS_BY_STATUS } from '../../contract/tables.js';
import { stageEnvironment } from '../../infra/app.js';
import { MAX_BUNDLE_BYTES, MAX_MAIL_BUNDLE_BYTES } from '../../infra/bundling.js';
import {
  CALLER_REFUSED_THRESHOLD,
  NOTIFICATIONS_REFUSED_THRESHOLD,
  WAF_BLOCKED_THRESHOLD,
} from '../../infra/constructs/checkout-operations.js';
import { readSettings, settingNames, settingsFrom } from '../../infra/settings.js';
import { loadConfig } from '../../lambda/wiring/config.js';
import { LOCAL_SECRETS } from '../../lambda/wiring/local-profile.js';
import { PLACEHOLDER_PREFIX } from '../../lambda/wiring/secrets.js';
import { REQUIRED, rendered, type Synthesized, synth, synthProdLike } from './synth.js';

/** A real stage's minimum: what `settings/prod.json` must hold. */
const REAL = {
  account: '111122223333',
  region: 'eu-north-1',
  webshopId: 'acme-42',
  shopTitle: 'Acme',
  glaseApiUrl: 'https://api.glase.se/soap',
  alarmEmail: 'ops@acme.se',
};

const root = fileURLToPath(new URL('../../', import.meta.url));

type Resource = {
  Type: string;
  Properties: Record<string, any>;
  Metadata?: Record<string, any>;
  DeletionPolicy?: string;
};

const byType = (template: Template, type: string) =>
  Object.entries(template.findResources(type) as Record<string, Resource>);

function functionNamed(template: Template, prefix: string): Resource {
  const found = byType(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith(prefix));
  if (!found) throw new Error(`no function ${prefix}`);
  return found[1];
}

/** The asset directory of the function `prefix` in the cloud assembly. */
function assetOf(template: Template, prefix: string): string {
  return String(functionNamed(template, prefix).Metadata?.['aws:asset:path']);
}

function tableLogicalId(template: Template, prefix: string): string {
  const found = byType(template, 'AWS::DynamoDB::Table').find(([id]) => id.startsWith(prefix));
  if (!found) throw new Error(`no table ${prefix}`);
  return found[0];
}

/** Every DynamoDB statement in the policies attached to the role of the function `prefix`. */
function dynamoStatements(
  template: Template,
  prefix: string,
): { actions: string[]; resource: string; condition?: unknown }[] {
  const roleRef = functionNamed(template, prefix).Properties.Role['Fn::GetAtt'][0];
  return byType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => policy.Properties.Roles.some((role: any) => role.Ref === roleRef))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as any[])
    .flatMap((statement) => {
      const actions = ([] as string[]).concat(statement.Action);
      if (!actions.some((action) => action.startsWith('dynamodb:'))) return [];
      return ([] as any[])
        .concat(statement.Resource)
        .map((resource) => ({ actions, resource: JSON.stringify(resource), condition: statement.Condition }));
    });
}

/** The secrets the function `prefix` may read (secretsmanager:GetSecretValue), as Refs. */
function secretReads(template: Template, prefix: string): string[] {
  const roleRef = functionNamed(template, prefix).Properties.Role['Fn::GetAtt'][0];
  return byType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => policy.Properties.Roles.some((role: any) => role.Ref === roleRef))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as any[])
    .filter((statement) =>
      ([] as string[]).concat(statement.Action).includes('secretsmanager:GetSecretValue'),
    )
    .flatMap((statement) =>
      ([] as unknown[]).concat(statement.Resource).map((resource) => JSON.stringify(resource)),
    )
    .sort();
}

describe('GlaseCheckoutStack', () => {
  let synthesized: Synthesized;
  let template: Template;
  beforeAll(() => {
    synthesized = synth({ allowedSourceIps: '203.0.113.10,198.51.100.0/24', alarmEmail: 'ops@shop.example' });
    template = synthesized.template;
  });

  it('passes the cdk-nag AwsSolutions pack with no unacknowledged finding, each with a reason', () => {
    const [awsSolutions] = synthesized.report.pluginReports;
    expect(awsSolutions?.conclusion).toBe('success');
    expect(awsSolutions?.violations).toEqual([]);
    const suppressed = (awsSolutions?.suppressedViolations ?? []) as { reason: string }[];
    expect(suppressed.length).toBeGreaterThan(0);
    for (const { reason } of suppressed) {
      expect(reason.length).toBeGreaterThan(20);
    }
  });

  it('runs three functions on Node 24, ARM64, traced, with JSON logs and our timeouts', () => {
    const functions = byType(template, 'AWS::Lambda::Function').filter(([id]) =>
      /^(CreatePurchase|PaymentNotification|Reconciler)/.test(id),
    );
    expect(functions).toHaveLength(3);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: expect.anything() },
        Handler: 'index.handler',
      });
      // Source maps are read by `glase-checkout stack-trace`, never parsed at cold start.
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBeUndefined();
    }
    // The tests run on the Node the functions are deployed on (Node 24 from the npm registry).
    expect(`nodejs${process.versions.node.split('.')[0]}.x`).toBe('nodejs24.x');
    // No function in the template, CDK's own included, on an older Node.
    for (const [, fn] of byType(template, 'AWS::Lambda::Function')) {
      expect(Number(/^nodejs(\d+)\.x$/.exec(fn.Properties.Runtime)?.[1])).toBeGreaterThanOrEqual(24);
    }
    expect(functionNamed(template, 'CreatePurchase').Properties.Timeout).toBe(15);
    // getPaymentStatus is retried until 15 s after the notification, well inside Glase's 20 s; the
    // function outlives that deadline so it can still commit and answer.
    const notification = functionNamed(template, 'PaymentNotification').Properties;
    expect(notification.Environment.Variables.NOTIFICATION_DEADLINE_MS).toBe('15000');
    expect(notification.Timeout).toBe(20);
    expect(notification.ReservedConcurrentExecutions).toBeUndefined();
    expect(functionNamed(template, 'Reconciler').Properties.Timeout).toBe(60);
  });

  it('bundles each function under 304 KiB, with credentials from the environment and no Secrets Manager client', () => {
    const bundles = ['CreatePurchase', 'PaymentNotification', 'Reconciler'].map((prefix) => {
      const key = String(functionNamed(template, prefix).Properties.Code.S3Key).replace(/\.zip$/, '');
      const file = join(synthesized.outdir, `asset.${key}`, 'index.mjs');
      const source = readFileSync(file, 'utf8');
      return {
        prefix,
        withinLimit: statSync(file).size <= MAX_BUNDLE_BYTES,
        // The SDK's default credential chain (shared files, SSO) and its Secrets Manager client.
        credentialChain: /credential-provider-(ini|sso|process|web-identity)/.test(source),
        secretsManagerClient: source.includes('GetSecretValue'),
        readsTheExtension: source.includes('/secretsmanager/get?secretId='),
        // On Node 24 an ES import of node:http loads undici at every cold start (~40 ms of CPU).
        esImportOfNodeHttp: /from\s*"node:http"/.test(source),
        // fetch's first use loads and runs undici too (~95 ms of CPU in the first invocation).
        callsFetch: /[^.\w$]fetch\(/.test(source),
      };
    });
    for (const bundle of bundles) {
      expect(bundle).toEqual({
        prefix: bundle.prefix,
        withinLimit: true,
        credentialChain: false,
        secretsManagerClient: false,
        readsTheExtension: true,
        esImportOfNodeHttp: false,
        callsFetch: false,
      });
    }
  });

  it('keeps each bundle’s source map beside it, and `stack-trace` reads a logged trace back to the source', () => {
    const map = findSourceMap(synthesized.outdir, undefined, 'createPurchase');
    expect(map).toBe(join(synthesized.outdir, assetOf(template, 'CreatePurchase'), 'index.mjs.map'));
    // A real failure of the deployed bundle: started without its environment, it stops at cold start.
    const bundle = join(synthesized.outdir, assetOf(template, 'CreatePurchase'), 'index.mjs');
    const child = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `await import(${JSON.stringify(`file://${bundle}`)})`],
      {
        env: { PATH: process.env.PATH ?? '' },
        encoding: 'utf8',
      },
    );
    expect(child.status).not.toBe(0);
    expect(child.stderr).toMatch(/index\.mjs:\d+:\d+/);
    expect(child.stderr).not.toMatch(/lambda\/wiring\/config\.ts/);
    const mapped = mapStackTrace(child.stderr, map, root);
    expect(mapped.mapped).toBeGreaterThan(0);
    expect(mapped.text).toMatch(/lambda\/wiring\/config\.ts:\d+:\d+/);
    expect(mapped.text).toMatch(/lambda\/handlers\/create-purchase\.ts:\d+:\d+/);
    expect(mapped.text).toContain('PRODUCTS_TABLE is missing');
    // The operator's command: the trace from a file, the map found in the cloud assembly.
    const traceFile = join(synthesized.outdir, 'trace.txt');
    writeFileSync(traceFile, child.stderr);
    const cli = spawnSync(
      process.execPath,
      [
        join(root, 'cli/bin.mjs'),
        'stack-trace',
        '--cdk-out',
        synthesized.outdir,
        '--function',
        'createPurchase',
        traceFile,
      ],
      { encoding: 'utf8', env: { ...process.env, GLASE_CLI_FROM_SOURCE: '1' } },
    );
    expect([cli.status, cli.stdout]).toEqual([0, `${mapped.text.replace(/\n$/, '')}\n`]);
    const wrong = spawnSync(
      process.execPath,
      [join(root, 'cli/bin.mjs'), 'stack-trace', '--cdk-out', join(synthesized.outdir, 'nowhere'), traceFile],
      { encoding: 'utf8', env: { ...process.env, GLASE_CLI_FROM_SOURCE: '1' } },
    );
    expect([wrong.status, wrong.stderr]).toEqual([1, expect.stringContaining('nothing synthesized in')]);
  });

  it('reads secrets through the Parameters and Secrets extension, cached as long as the code caches them', () => {
    for (const prefix of ['CreatePurchase', 'PaymentNotification', 'Reconciler']) {
      const fn = functionNamed(template, prefix).Properties;
      expect(fn.Layers).toHaveLength(1);
      expect(JSON.stringify(fn.Layers)).toMatch(/"Fn::FindInMap":\["Paramsandsecrets.*arm64/i);
      expect(fn.Environment.Variables).toMatchObject({
        PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED: 'true',
        SECRETS_MANAGER_TTL: String(SECRET_CACHE_SECONDS),
      });
    }
  });

  it('gives every function its own log group with a retention', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', 4); // three functions + API access logs
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('keeps secrets out of environment variables: three secrets, each function granted only those it reads', () => {
    const secrets = Object.fromEntries(
      byType(template, 'AWS::SecretsManager::Secret').map(([id, secret]) => [
        id.replace(/[0-9A-F]{8}$/, ''),
        { id, secret },
      ]),
    );
    expect(Object.keys(secrets).sort()).toEqual([
      'CreatePurchaseUrlKey',
      'GlaseCredentials',
      'NotificationSigningKey',
    ]);
    const ref = (name: string) => ({ Ref: secrets[name]?.id });
    const secretVariables = (prefix: string) =>
      Object.fromEntries(
        Object.entries(
          functionNamed(template, prefix).Properties.Environment.Variables as Record<string, unknown>,
        )
          // The extension's own settings (PARAMETERS_SECRETS_EXTENSION_*, SECRETS_MANAGER_*) are not secrets.
          .filter(([name]) => !/^(PARAMETERS_SECRETS_EXTENSION|SECRETS_MANAGER)_/.test(name))
          .filter(([name]) => /PASSWORD|SECRET|SIGNING|TERMINAL_ID|URL_KEY/.test(name)),
      );
    expect(secretVariables('CreatePurchase')).toEqual({
      GLASE_CREDENTIALS_SECRET_ARN: ref('GlaseCredentials'),
      SIGNING_KEY_SECRET_ARN: ref('NotificationSigningKey'),
      URL_KEY_SECRET_ARN: ref('CreatePurchaseUrlKey'),
    });
    expect(secretVariables('PaymentNotification')).toEqual({
      GLASE_CREDENTIALS_SECRET_ARN: ref('GlaseCredentials'),
      SIGNING_KEY_SECRET_ARN: ref('NotificationSigningKey'),
    });
    expect(secretVariables('Reconciler')).toEqual({ GLASE_CREDENTIALS_SECRET_ARN: ref('GlaseCredentials') });
    expect(secretReads(template, 'CreatePurchase')).toEqual(
      [ref('GlaseCredentials'), ref('NotificationSigningKey'), ref('CreatePurchaseUrlKey')]
        .map((r) => JSON.stringify(r))
        .sort(),
    );
    expect(secretReads(template, 'PaymentNotification')).toEqual(
      [ref('GlaseCredentials'), ref('NotificationSigningKey')].map((r) => JSON.stringify(r)).sort(),
    );
    expect(secretReads(template, 'Reconciler')).toEqual([JSON.stringify(ref('GlaseCredentials'))]);
    const template_ = JSON.stringify(template.toJSON());
    expect(template_).not.toContain('12345678');
    expect(template_).not.toContain(LOCAL_SECRETS.signingKey);
    expect(template_).not.toContain(LOCAL_SECRETS.urlKey);
  });

  it('creates the credentials secret with no value at all, and never regenerates the generated keys', () => {
    const secrets = byType(template, 'AWS::SecretsManager::Secret');
    const named = (name: string) => secrets.find(([id]) => id.startsWith(name))?.[1].Properties;
    // Nothing CloudFormation could write back over what the merchant put in: no value, no
    // generator. The functions refuse a secret without a value (503 NOT_CONFIGURED).
    expect(named('GlaseCredentials')?.SecretString).toBeUndefined();
    expect(named('GlaseCredentials')?.GenerateSecretString).toBeUndefined();
    expect(JSON.stringify(template.toJSON())).not.toContain(PLACEHOLDER_PREFIX);
    // CloudFormation regenerates a secret's value whenever GenerateSecretString changes: these
    // are pinned so no template change can wipe the signing key (open invoices' notification
    // URLs) or the URL key (the URL Glase calls). Change them only with a migration plan.
    expect(named('NotificationSigningKey')?.GenerateSecretString).toEqual({
      ExcludePunctuation: true,
      IncludeSpace: false,
      PasswordLength: 64,
    });
    expect(named('CreatePurchaseUrlKey')?.GenerateSecretString).toEqual({
      ExcludePunctuation: true,
      IncludeSpace: false,
      PasswordLength: 48,
    });
  });

  it('declares the tables with PITR, on-demand billing, deletion protection and retention, TTL on idempotency', () => {
    const products = tableLogicalId(template, 'DataProducts');
    const orders = tableLogicalId(template, 'DataOrders');
    const idempotency = tableLogicalId(template, 'DataIdempotency');
    for (const id of [products, orders, idempotency]) {
      const table = template.toJSON().Resources[id];
      expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    }
    expect(template.toJSON().Resources[idempotency].Properties.TimeToLiveSpecification).toEqual({
      AttributeName: 'expiration',
      Enabled: true,
    });
  });

  it('builds the tables as the contract shapes them', () => {
    const resources = template.toJSON().Resources;
    const keyOf = (id: string) => resources[id].Properties.KeySchema[0].AttributeName;
    expect(keyOf(tableLogicalId(template, 'DataProducts'))).toBe('purchaseToken');
    expect(keyOf(tableLogicalId(template, 'DataOrders'))).toBe('orderId');
    expect(keyOf(tableLogicalId(template, 'DataIdempotency'))).toBe('id');
    expect(resources[tableLogicalId(template, 'DataOrders')].Properties.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'byStatus',
        KeySchema: [
          { AttributeName: 'status', KeyType: 'HASH' },
          { AttributeName: 'createdAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: 'byLookup',
        KeySchema: [
          { AttributeName: 'lookupKey', KeyType: 'HASH' },
          { AttributeName: 'lookupAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['refersTo'] },
      },
    ]);
  });

  it('grants each function only the DynamoDB actions it needs, never a wildcard', () => {
    const products = tableLogicalId(template, 'DataProducts');
    const orders = tableLogicalId(template, 'DataOrders');
    const on = (statements: { actions: string[]; resource: string; condition?: unknown }[], table: string) =>
      statements
        .filter((statement) => statement.resource.includes(table) && !statement.condition)
        .flatMap((statement) => statement.actions)
        .sort();

    const create = dynamoStatements(template, 'CreatePurchase');
    const notify = dynamoStatements(template, 'PaymentNotification');
    const reconcile = dynamoStatements(template, 'Reconciler');
    for (const statement of [...create, ...notify, ...reconcile]) {
      expect(statement.actions.filter((action) => action.includes('*'))).toEqual([]);
      expect(statement.actions).not.toContain('dynamodb:Scan');
      expect(statement.actions).not.toContain('dynamodb:DeleteTable');
    }
    const requests = tableLogicalId(template, 'DataIdempotency');
    expect(on(create, products)).toEqual(['dynamodb:BatchGetItem', 'dynamodb:UpdateItem']);
    expect(on(create, orders)).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(on(create, requests)).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    // The notification may only move stock counters: no reads, puts or deletes of products.
    expect(on(notify, products)).toEqual(['dynamodb:UpdateItem']);
    // Only createPurchase may create orders.
    expect(on(notify, orders)).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(on(reconcile, orders).filter((action) => action !== 'dynamodb:Query')).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ]);
    expect(on(reconcile, products)).toEqual(['dynamodb:UpdateItem']);
    // Settling releases request records and lowers shoppers' counters: no reads, no new records.
    for (const settles of [notify, reconcile]) {
      expect(on(settles, requests)).toEqual(['dynamodb:DeleteItem', 'dynamodb:UpdateItem']);
    }
    // Lookup items (what finds an order) are the only other writes, and only items keyed `lookup#`:
    // putting one can never create or overwrite an order.
    for (const writes of [create, notify, reconcile]) {
      const conditional = writes.filter(
        (statement) => statement.condition && statement.resource.includes(orders),
      );
      expect(conditional.map((statement) => statement.actions.sort())).toEqual([
        ['dynamodb:DeleteItem', 'dynamodb:PutItem'],
      ]);
      expect(conditional[0]?.condition).toEqual({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${KEY_PREFIX.lookup}*`] },
      });
    }
    // The retention period: the reconciler may delete the mail and webhook records of the shoppers
    // it forgets, and nothing else of theirs.
    const keyedOnRequests = (writes: typeof reconcile) =>
      writes
        .filter((statement) => statement.condition && statement.resource.includes(requests))
        .map((statement) => [
          statement.actions,
          (statement.condition as any)['ForAllValues:StringLike']['dynamodb:LeadingKeys'],
        ]);
    expect(keyedOnRequests(reconcile)).toEqual([
      [['dynamodb:DeleteItem'], [`${KEY_PREFIX.mail}*`]],
      [['dynamodb:DeleteItem'], [`${KEY_PREFIX.webhook}*`]],
    ]);
    expect(keyedOnRequests(create)).toEqual([]);
    expect(keyedOnRequests(notify)).toEqual([]);
    const queries = reconcile.filter((statement) => statement.actions.includes('dynamodb:Query'));
    expect(queries.map((statement) => statement.resource.match(/\/index\/(\w+)/)?.[1]).sort()).toEqual(
      [ORDERS_BY_LOOKUP.index, ORDERS_BY_STATUS.index].sort(),
    );
  });

  it('exposes POST /webshop/{urlKey}/createPurchase and POST /webshop/notify/{orderId} on a throttled, logged REST API', () => {
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    const resources = Object.fromEntries(
      byType(template, 'AWS::ApiGateway::Resource').map(([id, resource]) => [id, resource.Properties]),
    );
    const path = (id: string): string => {
      const resource = resources[id];
      if (!resource) return '';
      return `${path(resource.ParentId.Ref ?? '')}/${resource.PathPart}`;
    };
    const methods = byType(template, 'AWS::ApiGateway::Method').map(([, method]) => ({
      method: method.Properties.HttpMethod,
      path: path(method.Properties.ResourceId.Ref),
      parameters: method.Properties.RequestParameters,
    }));
    expect(methods.map(({ method, path }) => `${method} ${path}`).sort()).toEqual([
      'POST /webshop/notify/{orderId}',
      'POST /webshop/{urlKey}/createPurchase',
    ]);
    // `sig` is checked by the handler (403 in our envelope), not by API Gateway (a bare 400).
    expect(methods.find((method) => method.path.includes('notify'))?.parameters).toEqual({
      'method.request.path.orderId': true,
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
          DataTraceEnabled: false,
        }),
        // Each route its own bucket: a burst of purchases cannot starve notifications, nor the reverse.
        Match.objectLike({
          HttpMethod: 'POST',
          ResourcePath: '/~1webshop~1{urlKey}~1createPurchase',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        }),
        Match.objectLike({
          HttpMethod: 'POST',
          ResourcePath: '/~1webshop~1notify~1{orderId}',
          ThrottlingRateLimit: 100,
          ThrottlingBurstLimit: 200,
          MetricsEnabled: true,
        }),
      ]),
    });
  });

  it('keeps the URL key inside the request: no stage tracing, no data trace, access logs by resource path', () => {
    // API Gateway's X-Ray segments and data-trace logs record the whole request URL (the key in
    // the path, the notification's sig in the query). The functions trace themselves.
    const stage = byType(template, 'AWS::ApiGateway::Stage')[0]![1].Properties;
    expect(stage.TracingEnabled ?? false).toBe(false);
    for (const setting of stage.MethodSettings) expect(setting.DataTraceEnabled ?? false).toBe(false);
    const format = stage.AccessLogSetting.Format as string;
    expect(format).toContain('$context.resourcePath');
    // Every variable the format logs, against the ones that carry the raw path or query.
    const logged = format.match(/\$context\.[A-Za-z.]+/g) ?? [];
    expect(
      logged.filter((variable) => /path|requestOverride|identity\.user|querystring/i.test(variable)),
    ).toEqual(['$context.resourcePath']);
    for (const [, fn] of byType(template, 'AWS::Lambda::Function')) {
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
  });

  it('answers what API Gateway itself refuses in our error envelope; an unknown route is a 404', () => {
    const responses = Object.fromEntries(
      byType(template, 'AWS::ApiGateway::GatewayResponse').map(([, response]) => [
        response.Properties.ResponseType,
        response.Properties,
      ]),
    );
    expect(Object.keys(responses).sort()).toEqual([
      'DEFAULT_4XX',
      'DEFAULT_5XX',
      'MISSING_AUTHENTICATION_TOKEN',
    ]);
    expect(responses.MISSING_AUTHENTICATION_TOKEN?.StatusCode).toBe('404');
    expect(JSON.parse(responses.MISSING_AUTHENTICATION_TOKEN?.ResponseTemplates['application/json'])).toEqual(
      {
        error: { code: 'NOT_FOUND', message: 'no such resource' },
      },
    );
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
      expect(responses[type]?.ResponseTemplates['application/json']).toBe(
        '{"error":{"code":"$context.error.responseType","message":$context.error.messageString}}',
      );
    }
  });

  it('puts WAF in front: a body-size cap, per-address limits for purchases and for notifications that Glase is exempt from, an allow-list', () => {
    const acl = byType(template, 'AWS::WAFv2::WebACL')[0]![1].Properties;
    const rule = (name: string) => acl.Rules.find((candidate: any) => candidate.Name === name);
    expect(rule('BodyTooLarge').Statement.SizeConstraintStatement).toMatchObject({
      ComparisonOperator: 'GT',
      Size: 16384,
    });
    const rate = rule('RateLimitPerIp').Statement.RateBasedStatement;
    expect(rate).toMatchObject({ Limit: 2000, AggregateKeyType: 'IP' });
    const exempt = rate.ScopeDownStatement.AndStatement.Statements;
    const glaseSet = byType(template, 'AWS::WAFv2::IPSet')[0]?.[0];
    expect(exempt).toEqual([
      {
        NotStatement: {
          Statement: { IPSetReferenceStatement: { Arn: { 'Fn::GetAtt': [glaseSet, 'Arn'] } } },
        },
      },
      {
        NotStatement: {
          Statement: {
            ByteMatchStatement: expect.objectContaining({
              PositionalConstraint: 'CONTAINS',
              SearchString: '/webshop/notify/',
            }),
          },
        },
      },
    ]);
    // Notifications have a per-address limit of their own: one address flooding forged ones is
    // cut off there before it can use up the route's throttle that Glase's real ones need.
    const notifications = rule('NotificationRateLimitPerIp').Statement.RateBasedStatement;
    expect(notifications).toMatchObject({ Limit: 600, AggregateKeyType: 'IP' });
    expect(notifications.ScopeDownStatement.AndStatement.Statements).toEqual([
      exempt[0],
      {
        ByteMatchStatement: expect.objectContaining({
          PositionalConstraint: 'CONTAINS',
          SearchString: '/webshop/notify/',
        }),
      },
    ]);
    expect(rule('NotificationRateLimitPerIp').Action.Block.CustomResponse.ResponseCode).toBe(429);
    expect(rule('OnlyGlase')).toBeDefined();
    expect(new Set(acl.Rules.map((each: any) => each.Priority)).size).toBe(acl.Rules.length);
    template.hasResourceProperties('AWS::WAFv2::IPSet', {
      Addresses: ['203.0.113.10/32', '198.51.100.0/24'],
    });
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    // WAF's own refusals speak our envelope too.
    for (const [name, code] of [
      ['RateLimitPerIp', 429],
      ['OnlyGlase', 403],
      ['BodyTooLarge', 413],
    ] as const) {
      const response = rule(name).Action.Block.CustomResponse;
      expect(response.ResponseCode).toBe(code);
      expect(JSON.parse(acl.CustomResponseBodies[response.CustomResponseBodyKey].Content).error.code).toEqual(
        expect.any(String),
      );
    }
    const api = byType(template, 'AWS::ApiGateway::RestApi')[0]?.[1];
    const deny = api?.Properties.Policy.Statement.find((statement: any) => statement.Effect === 'Deny');
    expect(deny.Condition).toEqual({ NotIpAddress: { 'aws:SourceIp': ['203.0.113.10', '198.51.100.0/24'] } });
  });

  it('runs the reconciler every minute with a dead-letter queue and no stale runs, and publishes order events to a bus', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: Match.anyValue() } })],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumEventAgeInSeconds: 120,
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    template.resourceCountIs('AWS::Events::EventBus', 1);
    expect(
      functionNamed(template, 'PaymentNotification').Properties.Environment.Variables.EVENT_BUS_NAME,
    ).toBeDefined();
    // createPurchase carries no event client: what it settles waits in the order's outbox.
    expect(
      functionNamed(template, 'CreatePurchase').Properties.Environment.Variables.EVENT_BUS_NAME,
    ).toBeUndefined();
  });

  it('alarms on what needs a person, and every alarm can reach the e-mail: alarm → topic → key, each allowing CloudWatch', () => {
    const alarms = byType(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    // The release gates are CodeDeploy's (tested with the prod-like stage).
    const operatorAlarms = alarms.filter((alarm) => !/a new \w+ version/.test(alarm.AlarmDescription));
    expect(operatorAlarms.map((alarm) => alarm.MetricName ?? 'expression').sort()).toEqual(
      [
        '4XXError', // notifications refused
        '5XXError',
        'ApproximateNumberOfMessagesVisible',
        'BlockedRequests',
        'BlockedRequests',
        'CallerAuthNotConfigured',
        'Errors',
        'Errors',
        'Errors',
        'NotConfigured',
        'NotificationLate',
        'ReconcileErrors',
        'ReconcilePaymentsCommitted',
        'RefundsPendingOverdue',
        'Throttles',
        'Throttles',
        'Throttles',
        'expression', // callers with the key refused
      ].sort(),
    );
    const described = (text: string) => alarms.find((alarm) => alarm.AlarmDescription.includes(text));
    // A scanner probing wrong URL keys is answered NOT_FOUND, which no alarm counts; only
    // refusals of requests that carried the key (INVALID_INPUT, INVALID_JSON…) page someone.
    const callers = described('with the right URL key');
    expect(callers?.Threshold).toBe(CALLER_REFUSED_THRESHOLD);
    const counted = callers?.Metrics.filter((metric: any) => metric.MetricStat).map(
      (metric: any) => metric.MetricStat.Metric.MetricName,
    );
    expect(counted.sort()).toEqual([
      'INVALID_ENCODING',
      'INVALID_INPUT',
      'INVALID_JSON',
      'UNSUPPORTED_MEDIA_TYPE',
    ]);
    expect(JSON.stringify(alarms)).not.toContain('"NOT_FOUND"');
    expect(
      alarms.some(
        (alarm) =>
          alarm.MetricName === '4XXError' && !alarm.Dimensions.some((d: any) => d.Name === 'Resource'),
      ),
    ).toBe(false);

    const refused = described('notifications refused');
    expect(refused?.Threshold).toBe(NOTIFICATIONS_REFUSED_THRESHOLD);
    expect(refused?.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'Resource', Value: '/webshop/notify/{orderId}' },
        { Name: 'Method', Value: 'POST' },
      ]),
    );
    const webAcl = byType(template, 'AWS::WAFv2::WebACL')[0]!;
    // No fixed name (a replacement would collide with the old ACL): the alarms read the generated one.
    expect(webAcl[1].Properties.Name).toBeUndefined();
    const aclName = { 'Fn::Select': [0, { 'Fn::Split': ['|', { Ref: webAcl[0] }] }] };
    const waf = alarms.filter((alarm) => alarm.MetricName === 'BlockedRequests');
    expect(
      waf.map((alarm) => [alarm.Threshold, alarm.Dimensions.find((d: any) => d.Name === 'Rule').Value]),
    ).toEqual(
      expect.arrayContaining([
        [WAF_BLOCKED_THRESHOLD, 'ALL'],
        [0, 'NotificationRateLimitPerIp'],
      ]),
    );
    for (const alarm of waf) expect(alarm.Dimensions).toContainEqual({ Name: 'WebACL', Value: aclName });

    const [[topicId, topic] = []] = byType(template, 'AWS::SNS::Topic');
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    const topicPolicy = byType(template, 'AWS::SNS::TopicPolicy').find(([, policy]) =>
      policy.Properties.Topics.some((ref: any) => ref.Ref === topicId),
    )?.[1];
    expect(topicPolicy?.Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: { Ref: topicId },
        }),
      ]),
    );
    const keyId = topic?.Properties.KmsMasterKeyId['Fn::GetAtt'][0];
    const key = template.toJSON().Resources[keyId];
    expect(key.Type).toBe('AWS::KMS::Key');
    const forCloudWatch = key.Properties.KeyPolicy.Statement.find(
      (statement: any) => statement.Principal?.Service === 'cloudwatch.amazonaws.com',
    );
    expect([].concat(forCloudWatch?.Action).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@shop.example',
    });
  });

  it('outputs the URL to give Glase and one settings output the CLI reads, with everything it needs', () => {
    const outputs = template.toJSON().Outputs;
    expect(rendered(outputs.CreatePurchaseUrl.Value)).toMatch(
      /^https:\/\/.*\/webshop\/\{urlKey\}\/createPurchase$/,
    );
    const settings = parseOperatorSettings(rendered(outputs.OperatorSettings.Value), 'test');
    expect(settings).toMatchObject({ version: 1, stage: 'demo', region: 'token' });
    const config = loadConfig({ ...settings.environment, AWS_REGION: 'eu-north-1' });
    expect(config).toMatchObject({
      callerAuth: 'url-key',
      glase: { webshopId: 'test-shop', url: 'https://glase.invalid/soap' },
      shop: { title: 'Test Shop' },
      secrets: { terminal: { arn: 'token' }, signingKey: { arn: 'token' }, urlKey: { arn: 'token' } },
      eventBusName: 'token',
    });
    expect(Object.keys(settings.environment)).toEqual(
      expect.arrayContaining(['PRODUCTS_TABLE', 'ORDERS_TABLE', 'IDEMPOTENCY_TABLE', 'DEFAULT_CURRENCY']),
    );
    expect(settings.dashboardUrl).toMatch(
      /^https:\/\/token\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=token#dashboards:name=token$/,
    );
    expect(rendered(outputs.DashboardUrl.Value)).toBe(settings.dashboardUrl);
    // The settings the deploy was made from, for doctor's drift check: the file's values as read.
    expect(settings.settings).toMatchObject({ ...REQUIRED, demo: true, alarmEmail: 'ops@shop.example' });
  });

  it('names the stage in the stack, tags everything, and leaves termination protection off only for a demo', () => {
    expect(synthesized.stack.stackName).toBe('GlaseCheckout-demo');
    expect(synthesized.stack.terminationProtection).toBe(false);
    const tags = functionNamed(template, 'CreatePurchase').Properties.Tags;
    expect(tags).toEqual(
      expect.arrayContaining([
        { Key: 'app', Value: 'glase-checkout' },
        { Key: 'stage', Value: 'demo' },
      ]),
    );
  });

  it('tells Powertools the service name and namespace the alarms look at', () => {
    const variables = functionNamed(template, 'CreatePurchase').Properties.Environment.Variables;
    expect([variables.POWERTOOLS_SERVICE_NAME, variables.POWERTOOLS_METRICS_NAMESPACE]).toEqual([
      SERVICE_NAME,
      METRICS_NAMESPACE,
    ]);
  });

  it('keeps the asset metadata sam local needs', () => {
    const cdkJson = readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8');
    expect(cdkJson).not.toMatch(/"(assetMetadata|aws:cdk:enable-asset-metadata)"\s*:\s*false/);
    const fn = functionNamed(template, 'CreatePurchase');
    expect(fn.Metadata?.['aws:asset:path']).toMatch(/^asset\./);
    expect(fn.Metadata?.['aws:asset:property']).toBe('Code');
  });
});

describe('GlaseCheckoutStack options', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synth({
      tableEncryption: 'customer-managed',
      waf: 'false',
      samLocal: 'true',
      notificationDeadlineSeconds: '12',
      notificationReservedConcurrency: '5',
      reconcilerReservedConcurrency: '1',
    });
  });

  it('encrypts tables with a customer-managed key when asked, and stays cdk-nag clean without WAF', () => {
    const { template, report } = synthesized;
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.allResourcesProperties('AWS::DynamoDB::Table', {
      SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }),
    });
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    expect(report.pluginReports[0]?.violations).toEqual([]);
  });

  it('fits the notification function’s timeout to its retry deadline, and reserves concurrency when asked', () => {
    const { template } = synthesized;
    const notification = functionNamed(template, 'PaymentNotification').Properties;
    expect([notification.Timeout, notification.ReservedConcurrentExecutions]).toEqual([17, 5]);
    expect(notification.Environment.Variables.NOTIFICATION_DEADLINE_MS).toBe('12000');
    expect(functionNamed(template, 'Reconciler').Properties.ReservedConcurrentExecutions).toBe(1);
    expect(functionNamed(template, 'CreatePurchase').Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('with CALLER_AUTH=token and a custom domain: the plain /webshop/createPurchase, authSecret named in the secret, the DNS target', () => {
    const { template } = synth({
      callerAuth: 'token',
      domainName: 'pay.shop.example',
      certificateArn: 'arn:aws:acm:eu-north-1:000000000000:certificate/abc',
    });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'createPurchase' });
    expect(JSON.stringify(template.findResources('AWS::ApiGateway::Resource'))).not.toContain('{urlKey}');
    const credentials = byType(template, 'AWS::SecretsManager::Secret').find(([id]) =>
      id.startsWith('GlaseCredentials'),
    );
    expect(credentials?.[1].Properties.SecretString).toBeUndefined();
    expect(credentials?.[1].Properties.Description).toContain('"authSecret"');
    expect(
      functionNamed(template, 'CreatePurchase').Properties.Environment.Variables.URL_KEY_SECRET_ARN,
    ).toBeUndefined();
    const outputs = template.toJSON().Outputs;
    expect(rendered(outputs.CreatePurchaseUrl.Value)).toBe('https://pay.shop.example/webshop/createPurchase');
    expect(outputs.CustomDomainTarget.Value).toEqual({
      'Fn::GetAtt': [expect.any(String), 'RegionalDomainName'],
    });
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'pay.shop.example',
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
  });

  it('sam local: the env files fill slots the template declares, and blank every secret ARN they replace', () => {
    const { template } = synthesized;
    // sam local cannot pull the secrets extension's layer; its secrets come from the env file.
    for (const prefix of ['CreatePurchase', 'PaymentNotification', 'Reconciler']) {
      expect([prefix, functionNamed(template, prefix).Properties.Layers]).toEqual([prefix, undefined]);
    }
    const functions = ['CreatePurchase', 'PaymentNotification', 'Reconciler'].map(
      (prefix) => functionNamed(template, prefix).Properties.Environment.Variables as Record<string, unknown>,
    );
    const local = {
      SIGNING_KEY_SECRET_ARN: 'NOTIFICATION_SIGNING_KEY',
      URL_KEY_SECRET_ARN: 'CREATE_PURCHASE_URL_KEY',
    };
    for (const file of ['sam-env.json', 'sam-env.linux.json']) {
      const { Parameters } = JSON.parse(
        readFileSync(new URL(`../../local/${file}`, import.meta.url), 'utf8'),
      );
      for (const name of Object.keys(Parameters)) {
        expect([file, name, functions.some((variables) => name in variables)]).toEqual([file, name, true]);
      }
      for (const variables of functions) {
        for (const name of Object.keys(variables).filter((candidate) => candidate.endsWith('_SECRET_ARN'))) {
          expect([file, name, Parameters[name]]).toEqual([file, name, '']);
          const counterpart = local[name as keyof typeof local] ?? 'GLASE_TERMINAL_PASSWORD';
          expect([file, counterpart, counterpart in variables, Boolean(Parameters[counterpart])]).toEqual([
            file,
            counterpart,
            true,
            true,
          ]);
        }
      }
      // The local profile's own values, so `npm start` and `sam local` serve the same shop.
      expect(Parameters.CREATE_PURCHASE_URL_KEY).toBe(LOCAL_SECRETS.urlKey);
      expect(Parameters.NOTIFICATION_SIGNING_KEY).toBe(LOCAL_SECRETS.signingKey);
    }
  });
});

describe('GlaseCheckoutStack with the shopper mails', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synth({ mailFrom: 'Test Shop <orders@shop.example>', mailSubjectPaid: 'Tack! {orderId}' });
  });

  it('is off until a sender is set: no mail function, no rule', () => {
    const { template } = synth();
    expect(byType(template, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('OrderMail'))).toEqual(
      [],
    );
    expect(byType(template, 'AWS::Events::Rule').filter(([id]) => id.includes('MailShoppers'))).toEqual([]);
  });

  it('sends OrderPaid and OrderRefunded from the bus to the mail function, retried, then parked in an alarmed dead-letter queue', () => {
    const { template, report } = synthesized;
    expect(report.pluginReports[0]?.violations).toEqual([]);
    const mail = byType(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith('OrderMail'));
    expect(mail?.[1].Properties.Environment.Variables).toMatchObject({
      MAIL_FROM: 'Test Shop <orders@shop.example>',
      MAIL_SUBJECT_PAID: 'Tack! {orderId}',
    });
    expect(mail?.[1].Properties.Environment.Variables.MAIL_DIR).toBeUndefined();
    const [, rule] = byType(template, 'AWS::Events::Rule').find(([id]) => id.includes('MailShoppers')) ?? [];
    expect(rule?.Properties.EventPattern).toEqual({
      source: [EVENT_SOURCE],
      'detail-type': [...MAILED_EVENTS],
    });
    expect(rule?.Properties.EventBusName).toEqual({ Ref: expect.stringMatching(/^OperationsOrderEvents/) });
    const [target] = rule?.Properties.Targets ?? [];
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [mail?.[0], 'Arn'] });
    expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 21600, MaximumRetryAttempts: 8 });
    const queue = target.DeadLetterConfig.Arn['Fn::GetAtt'][0];
    expect(queue).toMatch(/^OperationsMailDeadLetters/);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: mail?.[0] },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Threshold: 0,
    });
  });

  it('may send only as the sender, from the one identity, and write only its own mail records', () => {
    const { template } = synthesized;
    const roleRef = functionNamed(template, 'OrderMail').Properties.Role['Fn::GetAtt'][0];
    const statements = byType(template, 'AWS::IAM::Policy')
      .filter(([, policy]) => policy.Properties.Roles.some((role: any) => role.Ref === roleRef))
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as any[]);
    const ses = statements.filter((statement) => JSON.stringify(statement.Action).includes('ses:'));
    expect(ses).toEqual([
      {
        Effect: 'Allow',
        Action: 'ses:SendEmail',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':ses:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':identity/shop.example',
            ],
          ],
        },
        Condition: { StringEquals: { 'ses:FromAddress': 'orders@shop.example' } },
      },
    ]);
    const dynamo = dynamoStatements(template, 'OrderMail');
    expect(dynamo).toEqual([
      // The order the event is about (events carry no shopper), read and never written.
      {
        actions: ['dynamodb:GetItem'],
        resource: expect.stringContaining(tableLogicalId(template, 'DataOrders')),
        condition: undefined,
      },
      {
        actions: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resource: expect.stringContaining(tableLogicalId(template, 'DataIdempotency')),
        condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${KEY_PREFIX.mail}*`] } },
      },
    ]);
    expect(secretReads(template, 'OrderMail')).toEqual([]);
  });

  it('bundles the mail function small, with SES and without EventBridge, Secrets Manager or the Glase client', () => {
    const { template, outdir } = synthesized;
    const key = String(functionNamed(template, 'OrderMail').Properties.Code.S3Key).replace(/\.zip$/, '');
    const file = join(outdir, `asset.${key}`, 'index.mjs');
    const source = readFileSync(file, 'utf8');
    expect(statSync(file).size).toBeLessThanOrEqual(MAX_MAIL_BUNDLE_BYTES);
    expect(source).toContain('SendEmail');
    expect([
      source.includes('PutEvents'),
      source.includes('GetSecretValue'),
      source.includes('sendInvoice'),
      // Its outcomes are in its logs and its dead-letter queue: no metrics client to load.
      source.includes('CloudWatchMetrics'),
      /from\s*"node:http"/.test(source),
    ]).toEqual([false, false, false, false, false]);
    expect(functionNamed(template, 'OrderMail').Properties.Runtime).toBe('nodejs24.x');
  });

  it.each([
    [{ mailFrom: 'nobody' }, /mailFrom .* is not an e-mail address or "Name <address>"/],
    [
      { mailFrom: 'orders@shop.example', mailIdentity: 'other.example' },
      /mailIdentity .* must be the sender's address or its domain/,
    ],
  ])('refuses %p', (values, message) => {
    const given: Record<string, unknown> = { ...REQUIRED, demo: true, ...values };
    expect(() => settingsFrom((key) => given[key])).toThrow(message);
  });

  it('takes the sender address itself as the identity when told, and refuses a demo sender on a real stage', () => {
    const read = (values: Record<string, unknown>) => (key: string) => values[key];
    expect(
      settingsFrom(
        read({ ...REQUIRED, demo: true, mailFrom: 'a@shop.example', mailIdentity: 'a@shop.example' }),
      ).mail,
    ).toEqual({
      from: 'a@shop.example',
      address: 'a@shop.example',
      identity: 'a@shop.example',
      subjectPaid: undefined,
      subjectRefunded: undefined,
    });
    expect(() => settingsFrom(read({ ...REAL, mailFrom: 'Acme <orders@acme.example>' }), 'prod')).toThrow(
      /mailFrom .* holds a demo value/,
    );
  });
});

describe('GlaseCheckoutStack with webhooks', () => {
  let synthesized: Synthesized;
  const HOOK = 'https://shop.example/hooks/glase';
  beforeAll(() => {
    synthesized = synth({
      webhooks: [
        { url: HOOK, events: ['order.paid', 'order.refunded'] },
        { url: 'https://books.example/in' },
      ],
      eventsIncludeCustomer: true,
      sellerName: 'Test Shop AB',
      sellerOrgNumber: '556677-8899',
    });
  });

  it('is off until an endpoint is set: no webhook function, queue or secret', () => {
    const { template } = synth();
    expect(byType(template, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('Webhooks'))).toEqual([]);
    expect(byType(template, 'AWS::SQS::Queue').filter(([id]) => id.includes('Webhook'))).toEqual([]);
    expect(
      byType(template, 'AWS::SecretsManager::Secret').filter(([id]) => id.startsWith('WebhookSecret')),
    ).toEqual([]);
  });

  it('queues every order event for the webhook function, which reports partial failures; the queue parks a message after the schedule', () => {
    const { template, report } = synthesized;
    expect(report.pluginReports[0]?.violations).toEqual([]);
    const [, rule] =
      byType(template, 'AWS::Events::Rule').find(([id]) => id.includes('DeliverWebhooks')) ?? [];
    expect(rule?.Properties.EventPattern).toEqual({
      source: [EVENT_SOURCE],
      'detail-type': [...ORDER_EVENT_TYPES],
    });
    const queues = byType(template, 'AWS::SQS::Queue');
    const [queueId, queue] = queues.find(([id]) => /OperationsWebhooks[0-9A-F]{8}$/.test(id)) ?? [];
    const [parkedId] = queues.find(([id]) => id.includes('WebhookDeadLetters')) ?? [];
    expect(queue?.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [parkedId, 'Arn'] },
      maxReceiveCount: WEBHOOK_RETRY_SECONDS.length + 1,
    });
    // Messages outlive the whole schedule (39.7 h).
    expect(queue?.Properties.MessageRetentionPeriod).toBeGreaterThan(
      WEBHOOK_RETRY_SECONDS.reduce((a, b) => a + b, 0),
    );
    const [, mapping] = byType(template, 'AWS::Lambda::EventSourceMapping')[0] ?? [];
    expect(mapping?.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(
      byType(template, 'AWS::CloudWatch::Alarm').some(([id]) => id.includes('WebhookDeadLettersWaiting')),
    ).toBe(true);
  });

  it('generates each endpoint its own secret as {"current"}, kept on delete, read by the webhook function alone', () => {
    const { template } = synthesized;
    const secrets = byType(template, 'AWS::SecretsManager::Secret').filter(([id]) =>
      id.startsWith('WebhookSecret'),
    );
    expect(secrets).toHaveLength(2);
    for (const [, secret] of secrets) {
      expect(secret.DeletionPolicy).toBe('Retain');
      expect(secret.Properties.GenerateSecretString).toMatchObject({
        SecretStringTemplate: '{}',
        GenerateStringKey: 'current',
        PasswordLength: 48,
      });
    }
    const reads = secretReads(template, 'Webhooks');
    expect(reads).toEqual(secrets.map(([id]) => JSON.stringify({ Ref: id })).sort());
    for (const other of ['CreatePurchase', 'PaymentNotification', 'Reconciler']) {
      for (const [id] of secrets) expect(secretReads(template, other).join()).not.toContain(id);
    }
  });

  it('tells the function its endpoints, the queue, the seller and the customer setting; it may write only webhook records', () => {
    const { template } = synthesized;
    const variables = functionNamed(template, 'Webhooks').Properties.Environment.Variables;
    const endpoints = JSON.parse(rendered(variables.WEBHOOKS));
    expect(endpoints).toEqual([
      {
        id: 'shop-example-hooks-glase',
        url: HOOK,
        events: ['order.paid', 'order.refunded'],
        secretArn: 'token',
      },
      { id: 'books-example-in', url: 'https://books.example/in', events: [], secretArn: 'token' },
    ]);
    expect(variables.WEBHOOK_QUEUE_URL).toEqual({ Ref: expect.stringMatching(/OperationsWebhooks/) });
    expect(variables).toMatchObject({
      EVENTS_INCLUDE_CUSTOMER: 'true',
      SELLER_NAME: 'Test Shop AB',
      SELLER_ORG_NUMBER: '556677-8899',
    });
    expect(dynamoStatements(template, 'Webhooks')).toEqual([
      {
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resource: expect.stringContaining(tableLogicalId(template, 'DataIdempotency')),
        condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${KEY_PREFIX.webhook}*`] } },
      },
    ]);
    // The functions read the same list the stack wrote.
    const environment = Object.fromEntries(
      Object.entries(variables).map(([name, value]) => [name, rendered(value)]),
    );
    const config = loadConfig({ ...environment, AWS_REGION: 'eu-north-1' });
    expect(config.webhooks.map((endpoint) => endpoint.id)).toEqual([
      'shop-example-hooks-glase',
      'books-example-in',
    ]);
  });

  it('bundles the webhook function small: SQS and the extension for secrets, no credential chain, no Secrets Manager client', () => {
    const { template, outdir } = synthesized;
    const file = join(outdir, assetOf(template, 'Webhooks'), 'index.mjs');
    const source = readFileSync(file, 'utf8');
    expect({
      withinLimit: statSync(file).size <= MAX_BUNDLE_BYTES,
      credentialChain: /credential-provider-(ini|sso|process|web-identity)/.test(source),
      secretsManagerClient: source.includes('GetSecretValue'),
      readsTheExtension: source.includes('/secretsmanager/get?secretId='),
      changesVisibility: source.includes('ChangeMessageVisibility'),
      glaseClient: source.includes('sendInvoice'),
    }).toEqual({
      withinLimit: true,
      credentialChain: false,
      secretsManagerClient: false,
      readsTheExtension: true,
      changesVisibility: true,
      glaseClient: false,
    });
    expect(functionNamed(template, 'Webhooks').Properties.Runtime).toBe('nodejs24.x');
  });

  it.each([
    [{ webhooks: [{ url: 'http://shop.example/h' }] }, /webhooks\[0\]\.url .* must be an https URL/],
    [
      { webhooks: [{ url: 'https://shop.example/h', events: ['order.shipped'] }] },
      /webhooks\[0\]\.events .* must list some of order\.paid, order\.canceled, order\.refunded/,
    ],
    [
      { webhooks: [{ url: 'https://shop.example/h', secret: 'x' }] },
      /webhooks\[0\]\.secret .* is not a webhook setting/,
    ],
    [
      { webhooks: [{ url: 'https://shop.example/h' }, { url: 'https://shop.example/h' }] },
      /lists shop-example-h twice/,
    ],
    [{ webhooks: 'https://shop.example/h' }, /webhooks .* must be a list/],
    [{ sellerOrgNumber: '5566778899' }, /sellerOrgNumber .* must be a Swedish organisation number/],
    [{ bookkeepingAccounts: { sales: { '25': '30011' } } }, /bookkeepingAccounts .* four-digit BAS accounts/],
    [{ bookkeepingAccounts: { income: {} } }, /bookkeepingAccounts .* four-digit BAS accounts/],
    [{ personalDataRetentionDays: 0 }, /personalDataRetentionDays .* must be a positive whole number/],
  ])('refuses %p', (values, message) => {
    const given: Record<string, unknown> = { ...REQUIRED, demo: true, ...values };
    expect(() => settingsFrom((key) => given[key])).toThrow(message);
  });

  it('refuses a demo endpoint on a real stage', () => {
    expect(() =>
      settingsFrom((key) => ({ ...REAL, webhooks: [{ url: 'https://hooks.example/in' }] })[key], 'prod'),
    ).toThrow(/webhooks .* holds a demo value/);
  });
});

describe('deployment settings', () => {
  const read = (values: Record<string, unknown>) => (key: string) => values[key];

  it('names every missing required value, and the file it belongs in', () => {
    expect(() => settingsFrom(read({}), 'prod')).toThrow(
      /account \(settings\/prod.json\) is required[\s\S]*region \(settings\/prod.json\) is required[\s\S]*webshopId \(settings\/prod.json\) is required[\s\S]*glaseApiUrl \(settings\/prod.json\) is required[\s\S]*alarmEmail \(settings\/prod.json\) \(or alarmTopicArn\) is required[\s\S]*shopTitle \(settings\/prod.json\) is required/,
    );
    // A real stage's alarms reach someone: an address, or a topic of the merchant's own.
    const { alarmEmail: _, ...withoutMail } = REAL;
    expect(
      settingsFrom(
        read({ ...withoutMail, alarmTopicArn: 'arn:aws:sns:eu-north-1:111122223333:pager' }),
        'prod',
      ).alarms,
    ).toEqual({
      email: undefined,
      topicArn: 'arn:aws:sns:eu-north-1:111122223333:pager',
    });
  });

  it.each([
    [{ glaseApiUrl: 'http://plain.example/soap' }, /glaseApiUrl .* must be an https URL/],
    [
      { glaseApiUrl: 'https://the Glase Payment API endpoint' },
      /glaseApiUrl .* must be an https URL with a host name and no spaces/,
    ],
    [{ glaseApiUrl: 'https://user:pw@glase.example/soap' }, /glaseApiUrl .* must be an https URL/],
    [{ allowedSourceIps: 'glase.example' }, /allowedSourceIps .* has "glase.example"/],
    [{ allowedSourceIps: '999.1.1.1' }, /allowedSourceIps .* has "999.1.1.1", which is not an IPv4/],
    [{ allowedSourceIps: '10.0.0.0/33' }, /has "10.0.0.0\/33"/],
    [{ allowedSourceIps: '01.2.3.4' }, /has "01.2.3.4"/],
    [{ callerAuth: 'maybe' }, /callerAuth .* must be url-key, token or none/],
    [{ alarmEmail: 'nobody' }, /alarmEmail .* is not an e-mail address/],
    [{ alarmEmail: 'ops team@shop.se' }, /alarmEmail .* is not an e-mail address/],
    [{ alarmEmail: 'ops@localhost' }, /alarmEmail .* is not an e-mail address/],
    [{ alarmTopicArn: 'my-topic' }, /alarmTopicArn .* must be an SNS topic ARN/],
    [{ webshopId: 'the id Glase gave your shop' }, /webshopId .* must be 1-64 letters/],
    [{ account: '1234' }, /account .* must be a 12-digit AWS account id/],
    [{ region: 'Europe' }, /region .* is not an AWS region/],
    [{ domainName: 'pay.shop.example' }, /domainName .* and certificateArn .* go together/],
    [
      { domainName: 'pay shop', certificateArn: 'arn:aws:acm:eu-north-1:111122223333:certificate/x' },
      /domainName .* is not a host name/,
    ],
    [
      { domainName: 'pay.shop.se', certificateArn: 'my-cert' },
      /certificateArn .* must be an ACM certificate ARN/,
    ],
    [{ logRetentionDays: '-3' }, /logRetentionDays .* must be a positive whole number/],
    [{ waf: 'yes' }, /waf .* must be true or false/],
    [{ wafNotificationRateLimit: 5 }, /wafNotificationRateLimit .* must be between 10 and/],
    [{ releaseStrategy: 'yolo' }, /releaseStrategy .* must be canary, linear or all-at-once/],
    [
      { notificationDeadlineSeconds: '19' },
      /notificationDeadlineSeconds .* must leave room inside Glase's 20 s/,
    ],
  ])('refuses %p', (values, message) => {
    expect(() => settingsFrom(read({ ...REQUIRED, demo: true, ...values }))).toThrow(message);
  });

  it('refuses a key it does not read, naming the closest one; samLocal only from the command line', () => {
    const given = (values: Record<string, unknown>) => ({ given: Object.keys(values) });
    const typo = { ...REAL, alarmMail: 'ops@minbutik.se' };
    expect(() => settingsFrom(read(typo), 'prod', given(typo))).toThrow(
      'alarmMail (settings/prod.json) is not a setting: did you mean "alarmEmail"?',
    );
    const wafTypo = { ...REAL, wafRatelimit: 100 };
    expect(() => settingsFrom(read(wafTypo), 'prod', given(wafTypo))).toThrow(/did you mean "wafRateLimit"/);
    const sam = { ...REAL, samLocal: true };
    expect(() => settingsFrom(read(sam), 'prod', given(sam))).toThrow(/samLocal .* is a one-synth switch/);
    expect(
      settingsFrom(read(sam), 'prod', { given: Object.keys(sam), commandLine: ['samLocal'] }).samLocal,
    ).toBe(true);
    expect(() => settingsFrom(read(REAL), 'prod', given(REAL))).not.toThrow();
  });

  it('refuses settings/example.json’s own text on a real stage', () => {
    const example = JSON.parse(readFileSync(new URL('../../settings/example.json', import.meta.url), 'utf8'));
    const copied = Object.fromEntries(Object.entries(example).filter(([, value]) => value !== null));
    const failure = (() => {
      try {
        settingsFrom(read(copied), 'prod', { given: Object.keys(copied) });
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    for (const name of [
      'account',
      'webshopId',
      'glaseApiUrl',
      'allowedSourceIps',
      'alarmEmail',
      'shopTitle',
    ]) {
      expect([name, failure.includes(`${name} (settings/prod.json)`)]).toEqual([name, true]);
    }
    expect(failure).toContain("shopTitle (settings/prod.json) still holds settings/example.json's text");
  });

  it('fills defaults for everything optional; the rest is left to the functions’ own defaults', () => {
    expect(settingsFrom(read({ ...REQUIRED, demo: true }))).toMatchObject({
      callerAuth: 'url-key',
      allowedSourceIps: [],
      waf: { rateLimit: 2000, notificationRateLimit: 600 },
      throttle: {
        createPurchase: { rateLimit: 50, burstLimit: 100 },
        notification: { rateLimit: 100, burstLimit: 200 },
      },
      tableEncryption: 'aws-owned',
      invoiceTtlSeconds: undefined,
      logRetentionDays: 90,
      terminationProtection: false,
      release: 'all-at-once',
    });
    expect(settingsFrom(read(REAL), 'prod').release).toBe('canary');
  });

  it('refuses demo values on a stage that is not a demo, and protects it from deletion', () => {
    expect(() =>
      settingsFrom(read({ ...REAL, ...REQUIRED, alarmEmail: 'ops@shop.example' }), 'prod'),
    ).toThrow(
      /webshopId .* holds a demo value[\s\S]*glaseApiUrl .* holds a demo value[\s\S]*alarmEmail .* holds a demo value/,
    );
    expect(settingsFrom(read(REAL), 'prod')).toMatchObject({
      stage: 'prod',
      demo: false,
      terminationProtection: true,
      account: '111122223333',
      region: 'eu-north-1',
    });
  });

  it('reads the stage’s committed file, and says how to make one that is missing', () => {
    const node = (context: Record<string, unknown>) => ({
      tryGetContext: (key: string) => context[key],
      getAllContext: () => context,
    });
    expect(readSettings(node({}), {}).settings).toMatchObject({
      stage: 'demo',
      demo: true,
      webshopId: 'demo-webshop',
    });
    const overridden = readSettings(node({ 'glase-checkout:shopTitle': 'Other' }), {});
    expect([overridden.settings.shopTitle, overridden.overridden]).toEqual(['Other', ['shopTitle']]);
    expect(() => readSettings(node({ 'glase-checkout:shopTitel': 'Other' }), {})).toThrow(
      /shopTitel .* is not a setting: did you mean "shopTitle"\?/,
    );
    expect(() => readSettings(node({ stage: 'prod' }), {})).toThrow(
      'there is no settings/prod.json. Copy settings/example.json to settings/prod.json, fill it in and commit it.',
    );
    expect(() => readSettings(node({}), { GLASE_CHECKOUT_STAGE: 'Prod!' })).toThrow(/stage "Prod!" must be/);
  });

  it('pins a stage to its account and region: a profile for another one is refused, saying which', () => {
    const pinned = { stage: 'prod', account: '111122223333', region: 'eu-north-1' };
    expect(stageEnvironment(pinned, {})).toEqual({ account: '111122223333', region: 'eu-north-1' });
    expect(
      stageEnvironment(pinned, { CDK_DEFAULT_ACCOUNT: '111122223333', CDK_DEFAULT_REGION: 'eu-north-1' }),
    ).toEqual({
      account: '111122223333',
      region: 'eu-north-1',
    });
    expect(() => stageEnvironment(pinned, { CDK_DEFAULT_ACCOUNT: '444455556666' })).toThrow(
      'settings/prod.json pins account 111122223333, but your AWS credentials are for account 444455556666',
    );
    expect(() =>
      stageEnvironment(pinned, { CDK_DEFAULT_ACCOUNT: '111122223333', CDK_DEFAULT_REGION: 'us-east-1' }),
    ).toThrow(
      "settings/prod.json pins region eu-north-1, but your AWS profile's region is us-east-1: run with AWS_REGION=eu-north-1",
    );
    // The demo stage pins nothing and follows the profile, as before.
    expect(
      stageEnvironment(
        { stage: 'demo' },
        { CDK_DEFAULT_ACCOUNT: '444455556666', CDK_DEFAULT_REGION: 'us-east-1' },
      ),
    ).toEqual({
      account: '444455556666',
      region: 'us-east-1',
    });
    // Through the whole app, as `cdk deploy -c stage=prod` from the wrong profile would run it.
    expect(() =>
      synthProdLike({ CDK_DEFAULT_ACCOUNT: '444455556666', CDK_DEFAULT_REGION: 'eu-north-1' }),
    ).toThrow(/pins account 111122223333/);
  });
});

describe('docs/deploy.md and the stack agree', () => {
  const page = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');
  const deploy = page.slice(0, page.indexOf('## sam local'));

  it('documents every setting the stack reads, and settings/example.json lists exactly those', () => {
    const read = settingNames().filter((key) => key !== 'samLocal'); // a switch, documented under sam local
    const example = JSON.parse(readFileSync(new URL('../../settings/example.json', import.meta.url), 'utf8'));
    expect(
      Object.keys(example)
        .filter((key) => !key.startsWith('$'))
        .sort(),
    ).toEqual([...read].sort());
    for (const key of read) {
      if (key === 'demo') continue; // documented with the demo stage
      expect([key, deploy.includes(`\`${key}\``)]).toEqual([key, true]);
    }
  });

  it('names every output the stack has', () => {
    const outputs = Object.keys(prodLike().template.toJSON().Outputs);
    // API Gateway adds its own stage-URL output, named with a hash.
    const named = outputs.map((output) => output.replace(/^(HttpApiEndpoint)[0-9A-F]{8}$/, '$1'));
    expect(named.sort()).toEqual([
      'CreatePurchaseUrl',
      'CustomDomainTarget',
      'DashboardUrl',
      'GlaseCredentialsSecretArn',
      'HttpApiEndpoint',
      'OperatorSettings',
    ]);
    for (const output of named) expect([output, deploy.includes(`\`${output}`)]).toEqual([output, true]);
  });
});

/** The prod-like stage (test/infra/fixtures/settings/prod.json), synthesized once for every test that reads it. */
let prodLikeStack: Synthesized | undefined;
function prodLike(): Synthesized {
  prodLikeStack ??= synthProdLike();
  return prodLikeStack;
}

let plainDemoStack: Synthesized | undefined;
/** The demo stage with nothing on top. */
function plainDemo(): Synthesized {
  plainDemoStack ??= synth();
  return plainDemoStack;
}

/** The release merchants run today (57ab7ca), synthesized then: what `cdk diff` compares against. */
function release(stage: 'demo' | 'prod'): Record<string, any> {
  return JSON.parse(
    readFileSync(new URL(`./releases/57ab7ca-${stage}.template.json`, import.meta.url), 'utf8'),
  );
}

/**
 * What must never be replaced or deleted: a new logical id is a new table (empty), a new secret
 * (a new URL key Glase does not know, a signing key no open invoice was signed with, empty
 * credentials) or a new bus (every consumer's rule orphaned). Pinned here, so a refactor that
 * moves one of them fails this test instead of a merchant's deploy.
 */
const KEPT: Record<string, string[]> = {
  'AWS::DynamoDB::Table': ['DataIdempotency4AE02808', 'DataOrders20A4E13F', 'DataProducts7B32D6E8'],
  'AWS::SecretsManager::Secret': [
    'CreatePurchaseUrlKeyC6063DCD',
    'GlaseCredentials58CE06E8',
    'NotificationSigningKey0D99F14A',
  ],
  'AWS::Events::EventBus': ['OperationsOrderEvents30F6F8F4'],
};

describe('a year in a merchant’s account (the prod-like stage)', () => {
  it('passes cdk-nag with the allow-list, mail, custom domain, token auth and a pinned account', () => {
    const { report, stack } = prodLike();
    expect(report.pluginReports[0]?.violations).toEqual([]);
    expect([stack.account, stack.region, stack.terminationProtection]).toEqual([
      '111122223333',
      'eu-north-1',
      true,
    ]);
  });

  it.each(['demo', 'prod'] as const)(
    '%s: pins the logical ids of tables, secrets and the bus, each kept on delete and on replace',
    (stage) => {
      const { template } = stage === 'prod' ? prodLike() : plainDemo();
      const resources = template.toJSON().Resources as Record<string, any>;
      for (const [type, ids] of Object.entries(KEPT)) {
        const found = Object.entries(resources).filter(([, resource]) => resource.Type === type);
        expect([type, found.map(([id]) => id).sort()]).toEqual([type, ids]);
        for (const [id, resource] of found) {
          expect([id, resource.DeletionPolicy, resource.UpdateReplacePolicy]).toEqual([
            id,
            'Retain',
            'Retain',
          ]);
        }
      }
    },
  );

  it.each(['demo', 'prod'] as const)(
    '%s: the diff from the release merchants run replaces or deletes no table, secret or bus',
    (stage) => {
      const { template } = stage === 'prod' ? prodLike() : plainDemo();
      const diff = fullDiff(release(stage), template.toJSON());
      const risky: string[] = [];
      diff.resources.forEachDifference((id, change) => {
        if (!change.resourceType || !(change.resourceType in KEPT)) return;
        if (
          change.changeImpact !== ResourceImpact.WILL_UPDATE &&
          change.changeImpact !== ResourceImpact.NO_CHANGE
        ) {
          risky.push(`${change.changeImpact} ${change.resourceType} ${id}`);
        }
      });
      expect(risky).toEqual([]);
      // The credentials secret loses its template value: nothing is written over what is stored.
      const credentials = diff.resources.get('GlaseCredentials58CE06E8');
      expect(credentials?.newValue?.Properties?.SecretString).toBeUndefined();
      expect(credentials?.oldValue?.Properties?.SecretString).toContain('REPLACE_WITH_');
    },
  );

  it('releases createPurchase and the notification function through aliases, canary with automatic rollback; the rest at once', () => {
    const { template } = prodLike();
    const resources = template.toJSON().Resources as Record<string, any>;
    const groups = byType(template, 'AWS::CodeDeploy::DeploymentGroup');
    expect(groups.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'CreatePurchaseRelease',
      'PaymentNotificationRelease',
    ]);
    for (const [id, group] of groups) {
      expect([id, group.Properties.DeploymentConfigName]).toEqual([
        id,
        'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      ]);
      expect(group.Properties.AutoRollbackConfiguration.Events.sort()).toEqual([
        'DEPLOYMENT_FAILURE',
        'DEPLOYMENT_STOP_ON_ALARM',
        'DEPLOYMENT_STOP_ON_REQUEST',
      ]);
      // Each gate watches the version being released, never the old one's traffic.
      const gates = group.Properties.AlarmConfiguration.Alarms.map(
        (alarm: any) => resources[alarm.Name.Ref].Properties,
      );
      expect(gates.length).toBeGreaterThanOrEqual(3);
      for (const gate of gates) {
        const versioned = gate.Dimensions.find(
          (d: any) => d.Name === 'ExecutedVersion' || d.Name === 'version',
        );
        expect([gate.AlarmDescription, versioned?.Value?.['Fn::GetAtt']?.[1]]).toEqual([
          gate.AlarmDescription,
          'Version',
        ]);
      }
    }
    const notificationGates = groups
      .find(([id]) => id.startsWith('PaymentNotification'))![1]
      .Properties.AlarmConfiguration.Alarms.map(
        (alarm: any) => resources[alarm.Name.Ref].Properties.MetricName,
      );
    expect(notificationGates.sort()).toEqual([
      'Duration',
      'Errors',
      'ReleaseInternalError',
      'ReleaseNotificationLate',
    ]);
    // API Gateway calls the aliases, so traffic follows CodeDeploy's shift.
    const aliases = byType(template, 'AWS::Lambda::Alias').map(([id]) => id);
    expect(aliases.map((id) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'CreatePurchaseLive',
      'PaymentNotificationLive',
    ]);
    for (const [, method] of byType(template, 'AWS::ApiGateway::Method')) {
      expect(JSON.stringify(method.Properties.Integration.Uri)).toMatch(
        new RegExp(aliases.map((id) => `"${id}"`).join('|')),
      );
    }
    // The demo stage takes a release at once.
    const demo = byType(plainDemo().template, 'AWS::CodeDeploy::DeploymentGroup');
    expect(demo.map(([, group]) => group.Properties.DeploymentConfigName)).toEqual([
      'CodeDeployDefault.LambdaAllAtOnce',
      'CodeDeployDefault.LambdaAllAtOnce',
    ]);
  });

  it('draws one dashboard with what an operator needs, and outputs its URL', () => {
    const { template } = prodLike();
    const [[, dashboard] = []] = byType(template, 'AWS::CloudWatch::Dashboard');
    const body = rendered(dashboard?.Properties.DashboardBody);
    const widgets = JSON.parse(body.replace(/"token"/g, '"x"').replace(/token/g, 'x')).widgets as any[];
    const titles = widgets.map((widget) => widget.properties.title).filter(Boolean);
    expect(titles).toEqual([
      'Purchases and paid orders per minute',
      'Failures by reason (per minute)',
      "Notification → getPaymentStatus → settled (ms), against Glase's 20 s",
      'Payments Glase reversed (settled after 20 s) and canceled orders',
      'Glase Payment API: errors and latency',
      'Refunds pending too long',
      'Dead-letter queues (messages waiting)',
      'Throttles and blocks',
      'Alarms',
    ]);
    const latency = widgets.find((widget) => widget.properties.title?.startsWith('Notification'));
    expect(latency.properties.annotations.horizontal.map((line: any) => line.value)).toEqual([20000, 15000]);
    expect(latency.properties.metrics.map((metric: any[]) => metric.at(-1).stat)).toEqual(['p50', 'p99']);
    const queues = widgets.find((widget) => widget.properties.title?.startsWith('Dead-letter'));
    expect(queues.properties.metrics).toHaveLength(2); // the reconciler's and the mails'
    expect(template.toJSON().Outputs.DashboardUrl).toBeDefined();
  });

  it('reserves the notification function’s concurrency, and lets two stages share an account', () => {
    const { template } = prodLike();
    expect(functionNamed(template, 'PaymentNotification').Properties.ReservedConcurrentExecutions).toBe(20);
    const api = byType(template, 'AWS::ApiGateway::RestApi')[0]![1];
    expect(api.Properties.Name).toBe('glase-checkout-prod');
    // The account-wide API Gateway logging role: each stage keeps its own after a delete, so the
    // account's setting never points at a deleted role, whichever stage was deployed last.
    for (const type of ['AWS::ApiGateway::Account', 'AWS::IAM::Role']) {
      const kept = byType(template, type).filter(
        ([id]) => id.startsWith('HttpApiCloudWatchRole') || type === 'AWS::ApiGateway::Account',
      );
      expect(kept.length).toBe(1);
      expect(template.toJSON().Resources[kept[0]![0]].DeletionPolicy).toBe('Retain');
    }
    // Nothing else has a fixed name a replacement (or a second stage) could collide with.
    for (const [, resource] of byType(template, 'AWS::WAFv2::WebACL'))
      expect(resource.Properties.Name).toBeUndefined();
    for (const [, resource] of byType(template, 'AWS::CloudWatch::Dashboard')) {
      expect(resource.Properties.DashboardName).toBeUndefined();
    }
  });

  it('has no DependsOn its references already imply (cfn-lint W3005, sam validate --lint)', () => {
    for (const { template } of [prodLike(), plainDemo()]) {
      const resources = template.toJSON().Resources as Record<string, any>;
      const redundant = Object.entries(resources).flatMap(([id, { DependsOn, ...rest }]) =>
        ([] as string[])
          .concat(DependsOn ?? [])
          .filter((target) =>
            new RegExp(`"(Ref|Fn::GetAtt)":\\[?"${target}"|\\$\\{${target}[.}]`).test(JSON.stringify(rest)),
          )
          .map((target) => `${id} → ${target}`),
      );
      expect(redundant).toEqual([]);
    }
    // The check itself catches what the release shipped with.
    const shipped = release('prod').Resources.CreatePurchaseFunction636ADBF2;
    expect(shipped.DependsOn).toContain('CreatePurchaseRoleEA76913D');
    expect(JSON.stringify(shipped.Properties)).toContain('"CreatePurchaseRoleEA76913D"');
  });

  it('counts in docs/deploy.md the alarms the prod-like stage has', () => {
    const page = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');
    const alarms = byType(prodLike().template, 'AWS::CloudWatch::Alarm').length;
    expect(page).toContain(`CloudWatch: ${alarms} alarms`);
  });
});
