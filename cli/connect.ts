import { Logger } from '@aws-lambda-powertools/logger';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { type Config, loadConfig } from '../lambda/handlers/config.js';
import { createRuntime, type Runtime } from '../lambda/handlers/runtime.js';
import { localEnvironment } from '../local/defaults.js';

export interface Connection {
  readonly runtime: Runtime;
  readonly target: string;
  readonly webshopId: string;
  readonly defaultCurrency: string;
}

/** A refusal to even start: nothing to connect to. Exit code 1, one clear line. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
}

/**
 * The same runtime the Lambda functions build, pointed at the `npm start` environment, or
 * with `--stack` at a deployed stack found through its CloudFormation outputs and the
 * standard AWS credential chain.
 */
export async function connect(options: { stack?: string; region?: string }): Promise<Connection> {
  const config = options.stack
    ? await stackConfig(options.stack, options.region)
    : loadConfig(localEnvironment());
  const runtime = createRuntime(config, {
    logger: new Logger({ serviceName: 'glase-checkout-cli', logLevel: 'SILENT' }),
  });
  const target = options.stack ? `stack ${options.stack}` : `local DynamoDB at ${config.dynamodb.endpoint}`;
  try {
    await runtime.dynamo.client.send(new DescribeTableCommand({ TableName: config.tables.orders }), {
      abortSignal: AbortSignal.timeout(5000),
    });
  } catch (error) {
    runtime.dynamo.client.destroy();
    const hint = options.stack
      ? 'check the stack name, --region and your AWS credentials'
      : 'is `npm start` running? To work on a deployed shop, pass --stack <name>';
    throw new ConnectionError(`cannot reach the orders table (${target}): ${(error as Error).name}; ${hint}`);
  }
  return {
    runtime,
    target,
    webshopId: config.glase.webshopId ?? '',
    defaultCurrency: process.env.DEFAULT_CURRENCY ?? 'SEK',
  };
}

async function stackConfig(stackName: string, region?: string): Promise<Config> {
  const cloudFormation = new CloudFormationClient(region ? { region } : {});
  let outputs: Record<string, string>;
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = Object.fromEntries(
      (Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]),
    );
  } catch (error) {
    throw new ConnectionError(`cannot read stack ${stackName}: ${(error as Error).message}`);
  } finally {
    cloudFormation.destroy();
  }
  const needed = [
    'ProductsTable',
    'OrdersTable',
    'IdempotencyTable',
    'GlaseSecretArn',
    'GlaseApiUrl',
    'WebshopId',
  ];
  const missing = needed.filter((key) => !outputs[key]);
  if (missing.length > 0)
    throw new ConnectionError(`stack ${stackName} lacks the outputs ${missing.join(', ')}`);
  return loadConfig({
    PRODUCTS_TABLE: outputs.ProductsTable,
    ORDERS_TABLE: outputs.OrdersTable,
    IDEMPOTENCY_TABLE: outputs.IdempotencyTable,
    GLASE_SECRET_ARN: outputs.GlaseSecretArn,
    GLASE_API_URL: outputs.GlaseApiUrl,
    GLASE_WEBSHOP_ID: outputs.WebshopId,
    SHOP_TITLE: outputs.ShopTitle,
    AWS_REGION: region ?? process.env.AWS_REGION,
  });
}
