import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { accept } from '../nag-suppressions.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The functions' service name and metrics namespace (the code's own, pinned equal by test/infra). */
export const SERVICE_NAME = 'glase-checkout';
export const METRICS_NAMESPACE = 'GlaseCheckout';

export interface CheckoutFunctionProps {
  /** File under `lambda/handlers/` exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize?: number;
  readonly reservedConcurrentExecutions?: number | undefined;
  readonly environment: Record<string, string>;
  readonly logRetention: RetentionDays;
}

/** What a function may do to a table, and nothing more. */
export type TableAccess =
  | 'lookup'
  | 'stock'
  | 'record-orders'
  | 'settle-orders'
  | 'claim-requests'
  | 'settle-requests';

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
};

/**
 * Our Lambda defaults in one place: Node 22 on ARM64, bundled by the local esbuild into one
 * minified ESM file with source maps, its own log group with retention, JSON logs,
 * X-Ray tracing and the Powertools settings. Permissions are granted per table and per
 * action through `allow`, never with `grantReadWriteData`.
 */
export class CheckoutFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

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
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      projectRoot: root,
      depsLockFilePath: `${root}package-lock.json`,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ['module', 'main'],
        // The SDK is bundled, not taken from the runtime: the version we tested is the one that runs.
        externalModules: [],
        // Some dependencies are CommonJS and call require(); ESM output needs one.
        banner:
          "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        forceDockerBundling: false,
        logLevel: LogLevel.ERROR,
      },
    });
    accept(this.fn, 'AwsSolutions-L1');
    accept(this.role, 'AwsSolutions-IAM5[Resource::*]');
  }

  /** Grants exactly the DynamoDB actions `access` needs on `table` (and its key, if any). */
  allow(table: Table, ...access: TableAccess[]): this {
    const actions = [...new Set(access.flatMap((kind) => ACTIONS[kind]))].sort();
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions, resources: [table.tableArn] }),
    );
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
