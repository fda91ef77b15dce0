import { readFileSync } from 'node:fs';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { settingsFrom } from '../../infra/settings.js';
import {
  IDEMPOTENCY_KEY,
  ORDERS_BY_STATUS_INDEX,
  ORDERS_BY_STATUS_PARTITION,
  ORDERS_BY_STATUS_SORT,
  ORDERS_KEY,
  PRODUCTS_KEY,
} from '../../lambda/store/schema.js';
import { REQUIRED, type Synthesized, synth } from './synth.js';

type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, any> };

const byType = (template: Template, type: string) =>
  Object.entries(template.findResources(type) as Record<string, Resource>);

function functionNamed(template: Template, prefix: string): Resource {
  const found = byType(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith(prefix));
  if (!found) throw new Error(`no function ${prefix}`);
  return found[1];
}

function tableLogicalId(template: Template, prefix: string): string {
  const found = byType(template, 'AWS::DynamoDB::Table').find(([id]) => id.startsWith(prefix));
  if (!found) throw new Error(`no table ${prefix}`);
  return found[0];
}

/** Every DynamoDB statement in the policies attached to the role of the function `prefix`. */
function dynamoStatements(template: Template, prefix: string): { actions: string[]; resource: string }[] {
  const roleRef = functionNamed(template, prefix).Properties.Role['Fn::GetAtt'][0];
  return byType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => policy.Properties.Roles.some((role: any) => role.Ref === roleRef))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as any[])
    .flatMap((statement) => {
      const actions = ([] as string[]).concat(statement.Action);
      if (!actions.some((action) => action.startsWith('dynamodb:'))) return [];
      return ([] as any[])
        .concat(statement.Resource)
        .map((resource) => ({ actions, resource: JSON.stringify(resource) }));
    });
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

  it('runs three functions on Node 22, ARM64, traced, with JSON logs and our timeouts', () => {
    const functions = byType(template, 'AWS::Lambda::Function').filter(([id]) =>
      /^(CreatePurchase|PaymentNotification|Reconciler)/.test(id),
    );
    expect(functions).toHaveLength(3);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: expect.anything() },
        Handler: 'index.handler',
      });
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
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

  it('gives every function its own log group with a retention', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', 4); // three functions + API access logs
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('keeps secrets out of environment variables and reads them from one Secrets Manager secret', () => {
    const secrets = byType(template, 'AWS::SecretsManager::Secret');
    expect(secrets).toHaveLength(1);
    const secretId = secrets[0]?.[0];
    for (const prefix of ['CreatePurchase', 'PaymentNotification', 'Reconciler']) {
      const variables = functionNamed(template, prefix).Properties.Environment.Variables as Record<
        string,
        unknown
      >;
      expect(variables.GLASE_SECRET_ARN).toEqual({ Ref: secretId });
      const names = Object.keys(variables);
      expect(names.filter((name) => /PASSWORD|SECRET|SIGNING|TERMINAL_ID/.test(name))).toEqual([
        'GLASE_SECRET_ARN',
      ]);
    }
    const template_ = JSON.stringify(template.toJSON());
    expect(template_).not.toContain('12345678');
    expect(template_).not.toContain('local-notification-signing-key');
  });

  it('declares the tables with PITR, on-demand billing, retention where orders live, TTL on idempotency', () => {
    const products = tableLogicalId(template, 'DataProducts');
    const orders = tableLogicalId(template, 'DataOrders');
    const idempotency = tableLogicalId(template, 'DataIdempotency');
    for (const id of [products, orders, idempotency]) {
      const table = template.toJSON().Resources[id];
      expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    }
    for (const id of [products, orders]) {
      const table = template.toJSON().Resources[id];
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    }
    expect(template.toJSON().Resources[idempotency].Properties.TimeToLiveSpecification).toEqual({
      AttributeName: 'expiration',
      Enabled: true,
    });
  });

  it('uses the key names and index the adapters rely on', () => {
    const resources = template.toJSON().Resources;
    const keyOf = (id: string) => resources[id].Properties.KeySchema[0].AttributeName;
    expect(keyOf(tableLogicalId(template, 'DataProducts'))).toBe(PRODUCTS_KEY);
    expect(keyOf(tableLogicalId(template, 'DataOrders'))).toBe(ORDERS_KEY);
    expect(keyOf(tableLogicalId(template, 'DataIdempotency'))).toBe(IDEMPOTENCY_KEY);
    expect(resources[tableLogicalId(template, 'DataOrders')].Properties.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: ORDERS_BY_STATUS_INDEX,
        KeySchema: [
          { AttributeName: ORDERS_BY_STATUS_PARTITION, KeyType: 'HASH' },
          { AttributeName: ORDERS_BY_STATUS_SORT, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
  });

  it('grants each function only the DynamoDB actions it needs, never a wildcard', () => {
    const products = tableLogicalId(template, 'DataProducts');
    const orders = tableLogicalId(template, 'DataOrders');
    const on = (statements: { actions: string[]; resource: string }[], table: string) =>
      statements
        .filter((statement) => statement.resource.includes(table))
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
    expect(on(create, products)).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(on(create, orders)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    // The notification may only move stock counters: no reads, puts or deletes of products.
    expect(on(notify, products)).toEqual(['dynamodb:UpdateItem']);
    // Only createPurchase may create orders.
    expect(on(notify, orders)).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(on(reconcile, orders).filter((action) => action !== 'dynamodb:Query')).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ]);
    expect(on(reconcile, products)).toEqual(['dynamodb:UpdateItem']);
    expect(notify.some((statement) => statement.resource.includes('idempotency'))).toBe(false);
    const queries = reconcile.filter((statement) => statement.actions.includes('dynamodb:Query'));
    expect(queries).toHaveLength(1);
    expect(queries[0]?.resource).toContain(`/index/${ORDERS_BY_STATUS_INDEX}`);
  });

  it('exposes POST /webshop/createPurchase and POST /webshop/notify/{orderId} on a throttled, logged REST API', () => {
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'createPurchase' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{orderId}' });
    const methods = byType(template, 'AWS::ApiGateway::Method').map(
      ([, method]) => method.Properties.HttpMethod,
    );
    expect(methods.sort()).toEqual(['POST', 'POST']);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestParameters: { 'method.request.path.orderId': true, 'method.request.querystring.sig': true },
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        }),
        Match.objectLike({ HttpMethod: 'POST', ResourcePath: '/~1webshop~1notify~1{orderId}' }),
      ]),
    });
  });

  it('puts WAF in front with a body-size cap and, when configured, an allow-list of Glase addresses', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'BodyTooLarge',
          Statement: { SizeConstraintStatement: Match.objectLike({ ComparisonOperator: 'GT', Size: 16384 }) },
        }),
        Match.objectLike({ Name: 'OnlyGlase' }),
      ]),
    });
    template.hasResourceProperties('AWS::WAFv2::IPSet', {
      Addresses: ['203.0.113.10/32', '198.51.100.0/24'],
    });
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    const api = byType(template, 'AWS::ApiGateway::RestApi')[0]?.[1];
    const deny = api?.Properties.Policy.Statement.find((statement: any) => statement.Effect === 'Deny');
    expect(deny.Condition).toEqual({ NotIpAddress: { 'aws:SourceIp': ['203.0.113.10', '198.51.100.0/24'] } });
  });

  it('runs the reconciler every minute with a dead-letter queue, and publishes order events to a bus', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: Match.anyValue() } })],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    template.resourceCountIs('AWS::Events::EventBus', 1);
    expect(
      functionNamed(template, 'PaymentNotification').Properties.Environment.Variables.EVENT_BUS_NAME,
    ).toBeDefined();
    expect(
      functionNamed(template, 'CreatePurchase').Properties.Environment.Variables.EVENT_BUS_NAME,
    ).toBeUndefined();
  });

  it('alarms on API 5xx, function errors and throttles, late commits, reconciler errors and dead letters, to e-mail', () => {
    const alarms = byType(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    expect(alarms.map((alarm) => alarm.MetricName).sort()).toEqual(
      [
        '5XXError',
        'ApproximateNumberOfMessagesVisible',
        'Errors',
        'Errors',
        'Errors',
        'ReconcileErrors',
        'ReconcilePaymentsCommitted',
        'Throttles',
        'Throttles',
        'Throttles',
      ].sort(),
    );
    for (const alarm of alarms) expect(alarm.AlarmActions).toHaveLength(1);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@shop.example',
    });
  });

  it('outputs the createPurchase URL to give Glase, and the table names', () => {
    const outputs = template.toJSON().Outputs;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'CreatePurchaseUrl',
        'ProductsTable',
        'OrdersTable',
        'IdempotencyTable',
        'GlaseSecretArn',
      ]),
    );
    expect(JSON.stringify(outputs.CreatePurchaseUrl.Value)).toContain('/webshop/createPurchase');
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
  it('encrypts tables with a customer-managed key when asked, and stays cdk-nag clean without WAF', () => {
    const { template, report } = synth({
      tableEncryption: 'customer-managed',
      waf: 'false',
      samLocal: 'true',
      notificationDeadlineSeconds: '12',
      notificationReservedConcurrency: '5',
    });
    // The notification function's timeout follows its retry deadline; its concurrency is reserved.
    const notification = functionNamed(template, 'PaymentNotification').Properties;
    expect([notification.Timeout, notification.ReservedConcurrentExecutions]).toEqual([17, 5]);
    expect(notification.Environment.Variables.NOTIFICATION_DEADLINE_MS).toBe('12000');
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.allResourcesProperties('AWS::DynamoDB::Table', {
      SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }),
    });
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    expect(report.pluginReports[0]?.violations).toEqual([]);
    // sam local can only override variables the template declares.
    expect(functionNamed(template, 'CreatePurchase').Properties.Environment.Variables).toMatchObject({
      DYNAMODB_ENDPOINT: '',
      GLASE_TERMINAL_PASSWORD: '',
    });
  });
});

describe('deployment settings', () => {
  const read = (values: Record<string, unknown>) => (key: string) => values[key];

  it('names every missing required value', () => {
    expect(() => settingsFrom(read({}))).toThrow(
      /glase-checkout:glaseApiUrl is required[\s\S]*glase-checkout:webshopId is required[\s\S]*glase-checkout:shopTitle is required/,
    );
  });

  it.each([
    [{ glaseApiUrl: 'http://plain.example/soap' }, /glaseApiUrl must be an https URL/],
    [{ allowedSourceIps: 'glase.example' }, /allowedSourceIps has "glase.example"/],
    [{ callerAuth: 'maybe' }, /callerAuth must be token or none/],
    [{ alarmEmail: 'nobody' }, /alarmEmail is not an e-mail address/],
    [{ domainName: 'pay.shop.example' }, /domainName and glase-checkout:certificateArn go together/],
    [{ logRetentionDays: '-3' }, /logRetentionDays must be a positive whole number/],
    [
      { notificationDeadlineSeconds: '19' },
      /notificationDeadlineSeconds must leave room inside Glase's 20 s/,
    ],
  ])('refuses %p', (values, message) => {
    expect(() => settingsFrom(read({ ...REQUIRED, ...values }))).toThrow(message);
  });

  it('fills defaults for everything optional', () => {
    expect(settingsFrom(read(REQUIRED))).toMatchObject({
      callerAuth: 'token',
      allowedSourceIps: [],
      waf: true,
      tableEncryption: 'aws-owned',
      invoiceTtlSeconds: 900,
      logRetentionDays: 90,
    });
  });
});
