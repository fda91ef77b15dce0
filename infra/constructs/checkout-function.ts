import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type IAlarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { LambdaDeploymentConfig, LambdaDeploymentGroup } from 'aws-cdk-lib/aws-codedeploy';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Alias,
  Architecture,
  LoggingFormat,
  ParamsAndSecretsLayerVersion,
  ParamsAndSecretsLogLevel,
  ParamsAndSecretsVersions,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { Environment } from '../../contract/environment.js';
import { METRICS_NAMESPACE, SECRET_CACHE_SECONDS, SERVICE_NAME } from '../../contract/service.js';
import { KEY_PREFIX } from '../../contract/tables.js';
import { FUNCTION_BUNDLE } from '../bundling.js';
import { accept } from '../nag-suppressions.js';
import type { ReleaseStrategy } from '../settings.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface CheckoutFunctionProps {
  /** File under `lambda/handlers/` exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize?: number;
  readonly reservedConcurrentExecutions?: number | undefined;
  readonly environment: Environment;
  readonly logRetention: RetentionDays;
  /**
   * Reads its secrets through the AWS Parameters and Secrets extension (the default). Off only
   * for `sam local`, where the secrets come from the env file and the layer could not be pulled.
   */
  readonly secretsExtension?: boolean;
}

/** The alias API Gateway calls; CodeDeploy moves it from version to version. */
export const LIVE_ALIAS = 'live';

const RELEASE_CONFIG: Record<ReleaseStrategy, typeof LambdaDeploymentConfig.ALL_AT_ONCE> = {
  // A tenth of the traffic for 5 minutes, then all of it: a broken release reaches few payments.
  canary: LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
  linear: LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE,
  'all-at-once': LambdaDeploymentConfig.ALL_AT_ONCE,
};

/** What a function may do to a table, and nothing more. */
export type TableAccess =
  | 'lookup'
  | 'stock'
  | 'record-orders'
  | 'settle-orders'
  | 'claim-requests'
  | 'settle-requests'
  | 'order-lookups'
  | 'read-orders'
  | 'mail-log'
  | 'forget-mail'
  | 'webhook-log'
  | 'forget-webhooks';

/** Access limited to items whose key starts with a prefix: lookup items, sent-mail and webhook records. */
const KEYED: Partial<Record<TableAccess, string>> = {
  'order-lookups': `${KEY_PREFIX.lookup}*`,
  'mail-log': `${KEY_PREFIX.mail}*`,
  'forget-mail': `${KEY_PREFIX.mail}*`,
  'webhook-log': `${KEY_PREFIX.webhook}*`,
  'forget-webhooks': `${KEY_PREFIX.webhook}*`,
};

const ACTIONS: Record<TableAccess, string[]> = {
  // createPurchase's first read: the product and the request record, in one BatchGetItem.
  lookup: ['dynamodb:BatchGetItem'],
  // Reserving, releasing and selling units: conditional updates of the counters.
  stock: ['dynamodb:UpdateItem'],
  // Recording new orders (a conditional put) and moving them through their states.
  'record-orders': ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
  // Moving existing orders through their states with conditional updates: never creating one.
  'settle-orders': ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  // Claiming, completing and releasing request records; counting shoppers' unpaid orders.
  'claim-requests': ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  // Releasing request records and lowering those counters when orders settle.
  'settle-requests': ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  // Writing and removing what finds an order (its lookup items), and nothing else: see `allow`.
  'order-lookups': ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
  // Reading an order by its id (the mail function: events carry no shopper).
  'read-orders': ['dynamodb:GetItem'],
  // Claiming a shopper mail before sending it, marking it sent, freeing the claim when sending failed.
  'mail-log': ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  // The retention period: forgetting the mails sent to a shopper whose data it erases.
  'forget-mail': ['dynamodb:DeleteItem'],
  // Recording a webhook event once, reading it back, writing each attempt's outcome.
  'webhook-log': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  // The retention period: forgetting webhook bodies that may carry the shopper.
  'forget-webhooks': ['dynamodb:DeleteItem'],
};

/**
 * Our Lambda defaults in one place: Node 24 on ARM64, bundled by the local esbuild into one
 * minified ESM file (its source map beside it, never loaded at run time: `glase-checkout
 * stack-trace` reads it), its own log group with retention, JSON logs,
 * X-Ray tracing and the Powertools settings. Permissions are granted per table and per
 * action through `allow`, never with `grantReadWriteData`.
 */
export class CheckoutFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;
  private deployment?: LambdaDeploymentGroup;

  constructor(scope: Construct, id: string, props: CheckoutFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `glase-checkout ${id}: least privilege`,
    });
    this.logGroup.grantWrite(this.role);
    this.fn = new NodejsFunction(this, 'Function', {
      entry: `${root}lambda/handlers/${props.entry}`,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      paramsAndSecrets:
        props.secretsExtension === false
          ? undefined
          : ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, {
              cacheEnabled: true,
              secretsManagerTtl: Duration.seconds(SECRET_CACHE_SECONDS),
              logLevel: ParamsAndSecretsLogLevel.WARN,
            }),
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      projectRoot: root,
      depsLockFilePath: `${root}package-lock.json`,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: FUNCTION_BUNDLE.target,
        minify: FUNCTION_BUNDLE.minify,
        sourceMap: FUNCTION_BUNDLE.sourcemap,
        sourcesContent: FUNCTION_BUNDLE.sourcesContent,
        mainFields: [...FUNCTION_BUNDLE.mainFields],
        externalModules: [...FUNCTION_BUNDLE.external],
        banner: FUNCTION_BUNDLE.banner,
        esbuildArgs: {
          ...Object.fromEntries(
            Object.entries(FUNCTION_BUNDLE.alias).map(([name, path]) => [`--alias:${name}`, path]),
          ),
          '--legal-comments': FUNCTION_BUNDLE.legalComments,
        },
        forceDockerBundling: false,
        logLevel: LogLevel.ERROR,
      },
    });
    accept(this.fn, 'AwsSolutions-L1');
    accept(this.role, 'AwsSolutions-IAM5[Resource::*]');
  }

  /** Grants exactly the DynamoDB actions `access` needs on `table` (and its key, if any). */
  allow(table: Table, ...access: TableAccess[]): this {
    const plain = access.filter((kind) => !KEYED[kind]);
    const actions = [...new Set(plain.flatMap((kind) => ACTIONS[kind]))].sort();
    if (actions.length > 0) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ effect: Effect.ALLOW, actions, resources: [table.tableArn] }),
      );
    }
    for (const kind of access.filter((each) => KEYED[each])) {
      // Only items whose key starts so: a settling function still cannot put an order, and the
      // mail function can touch nothing but its own records.
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: [...ACTIONS[kind]].sort(),
          resources: [table.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [KEYED[kind] as string] } },
        }),
      );
    }
    if (table.encryptionKey) {
      table.encryptionKey.grantEncryptDecrypt(this.role);
      accept(
        this.role,
        'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
        'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      );
    }
    return this;
  }

  /** Lets the function read these secrets, and no other. */
  allowSecrets(...secrets: ISecret[]): this {
    for (const secret of secrets) secret.grantRead(this.role);
    return this;
  }

  /** Lets the function send mail through SES as `from`, from the one verified identity `identity`. */
  allowSendEmail(identity: string, from: string): this {
    const { partition, region, account } = Stack.of(this);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['ses:SendEmail'],
        resources: [`arn:${partition}:ses:${region}:${account}:identity/${identity}`],
        conditions: { StringEquals: { 'ses:FromAddress': from } },
      }),
    );
    return this;
  }

  /**
   * Serve through the `live` alias, moved to each new version by CodeDeploy as `strategy` says
   * and moved back when a gate (`gatedBy`) fires during the move.
   */
  releasedThrough(strategy: ReleaseStrategy): Alias {
    const version = this.fn.currentVersion;
    const live = new Alias(this, 'Live', { aliasName: LIVE_ALIAS, version });
    this.deployment = new LambdaDeploymentGroup(this, 'Release', {
      alias: live,
      deploymentConfig: RELEASE_CONFIG[strategy],
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
    });
    accept(
      this.deployment,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
    );
    return live;
  }

  /**
   * The alarms that roll a release back, built for the version being released: they see it
   * alone (the `ExecutedVersion` and `version` dimensions), never the old one's traffic.
   */
  gatedBy(gates: (release: Release) => IAlarm[]): this {
    const deployment = this.deployment;
    if (!deployment) throw new Error(`${this.node.id}: releasedThrough() first`);
    const version = this.fn.currentVersion.version;
    const release: Release = {
      version,
      lambdaMetric: (metricName, statistic = 'Sum') =>
        new Metric({
          namespace: 'AWS/Lambda',
          metricName,
          dimensionsMap: {
            FunctionName: this.fn.functionName,
            Resource: `${this.fn.functionName}:${LIVE_ALIAS}`,
            ExecutedVersion: version,
          },
          statistic,
          period: Duration.minutes(1),
        }),
    };
    for (const alarm of gates(release)) deployment.addAlarm(alarm);
    return this;
  }

  /** Lets the function query one index of `table`. */
  allowQuery(table: Table, indexName: string): this {
    const index = `${table.tableArn}/index/${indexName}`;
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: ['dynamodb:Query'], resources: [index] }),
    );
    table.encryptionKey?.grantDecrypt(this.role);
    return this;
  }
}

/** The version being released, and its own Lambda metrics (through the live alias). */
export interface Release {
  readonly version: string;
  lambdaMetric(metricName: 'Errors' | 'Duration' | 'Throttles', statistic?: string): Metric;
}
