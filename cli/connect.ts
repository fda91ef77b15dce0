import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import { type Config, loadConfig } from '../lambda/wiring/config.js';
import { localEnvironment } from '../lambda/wiring/local-profile.js';
import { type OperatorWiring, wireOperator } from '../lambda/wiring/operator.js';
import { ConnectionError } from './errors.js';

export interface Connection {
  readonly wiring: OperatorWiring;
  readonly target: string;
  /** The createPurchase URL to give Glase, `{urlKey}` standing for the secret key. */
  readonly createPurchaseUrl?: string | undefined;
  /** What the deployed stack says of itself (`--stack` only). */
  readonly deployed?: OperatorSettings | undefined;
}

/** The stack output the CLI reads (infra/glase-checkout-stack.ts writes it). */
export const OPERATOR_SETTINGS_OUTPUT = 'OperatorSettings';

const operatorSettings = z.object({
  version: z.literal(1),
  stage: z.string(),
  region: z.string().check(z.minLength(1)),
  /** The functions' own environment (table names, secret ARNs, shop settings, region). */
  environment: z.record(z.string(), z.string()),
  createPurchaseUrl: z.string(),
  /** The CloudWatch dashboard (stacks from this release on). */
  dashboardUrl: z.optional(z.string()),
  /** Where alarms go, when the stage has a topic: `doctor` checks someone confirmed it. */
  alarmTopicArn: z.optional(z.string()),
  /** The SES identity the order mails are sent from, when mails are on. */
  mailIdentity: z.optional(z.string()),
  /** The settings the stack was deployed from: `doctor` compares them with settings/<stage>.json. */
  settings: z.optional(z.record(z.string(), z.unknown())),
});
export type OperatorSettings = z.infer<typeof operatorSettings>;

/**
 * The same adapters the Lambda functions build, pointed at the `npm start` environment, or
 * with `--stack` at a deployed stack found through its one settings output and the standard
 * AWS credential chain: region, tables, secrets and shop settings all come from the stack.
 */
export async function connect(options: { stack?: string; region?: string }): Promise<Connection> {
  const found = options.stack ? await stackSettings(options.stack, options.region) : undefined;
  const config: Config = found
    ? loadConfig({ ...found.environment, AWS_REGION: found.region })
    : loadConfig(localEnvironment());
  const wiring = wireOperator(config);
  const target = options.stack
    ? `stack ${options.stack} in ${config.region}`
    : `local DynamoDB at ${config.dynamodbEndpoint}`;
  try {
    await wiring.dynamo.client.send(new DescribeTableCommand({ TableName: config.tables.orders }), {
      abortSignal: AbortSignal.timeout(5000),
    });
  } catch (error) {
    wiring.close();
    const hint = options.stack
      ? 'check the stack name and your AWS credentials'
      : 'is `npm start` running? If it runs on other ports, give this command the same DYNAMODB_PORT (or DYNAMODB_ENDPOINT) and TABLE_PREFIX; for a deployed shop, pass --stack <name>';
    throw new ConnectionError(`cannot reach the orders table (${target}): ${describeError(error)}; ${hint}`);
  }
  return { wiring, target, createPurchaseUrl: found?.createPurchaseUrl, deployed: found };
}

export async function stackSettings(stackName: string, region?: string): Promise<OperatorSettings> {
  // Only `--stack` needs CloudFormation: a local command never loads it.
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const cloudFormation = new CloudFormationClient(region ? { region } : {});
  let value: string | undefined;
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    value = Stacks?.[0]?.Outputs?.find(
      (output) => output.OutputKey === OPERATOR_SETTINGS_OUTPUT,
    )?.OutputValue;
  } catch (error) {
    throw new ConnectionError(`cannot read stack ${stackName}: ${describeError(error)}`);
  } finally {
    cloudFormation.destroy();
  }
  if (!value)
    throw new ConnectionError(
      `stack ${stackName} has no ${OPERATOR_SETTINGS_OUTPUT} output; is it a glase-checkout stack?`,
    );
  return parseOperatorSettings(value, stackName);
}

export function parseOperatorSettings(value: string, stackName: string): OperatorSettings {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new ConnectionError(`stack ${stackName}: ${OPERATOR_SETTINGS_OUTPUT} is not JSON`);
  }
  const parsed = operatorSettings.safeParse(json);
  if (!parsed.success) {
    throw new ConnectionError(
      `stack ${stackName}: ${OPERATOR_SETTINGS_OUTPUT} is not what this CLI reads (${parsed.error.issues.map((issue) => issue.path.join('.')).join(', ')}); upgrade the CLI or the stack`,
    );
  }
  return parsed.data;
}

function describeError(error: unknown): string {
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  // An SDK error's name says what happened (CredentialsProviderError, ResourceNotFoundException).
  const telling = name && name !== 'Error' && !message?.includes(name);
  return telling ? `${name}${message ? `: ${message}` : ''}` : message || name || 'unknown error';
}
