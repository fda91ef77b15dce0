import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { connect, OPERATOR_SETTINGS_OUTPUT } from '../../cli/connect.js';
import { ConnectionError } from '../../cli/errors.js';

// No AWS account is reachable here: the deployed-stack path is proven against mocked
// CloudFormation and DynamoDB answers (and test/infra checks the stack writes what this
// reads); the local path runs for real in test/integration/cli.
const cloudFormation = mockClient(CloudFormationClient);
const dynamo = mockClient(DynamoDBClient);

const settings = {
  version: 1,
  stage: 'prod',
  region: 'eu-west-1',
  createPurchaseUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/v1/webshop/{urlKey}/createPurchase',
  environment: {
    PRODUCTS_TABLE: 'Stack-DataProducts-1',
    ORDERS_TABLE: 'Stack-DataOrders-1',
    IDEMPOTENCY_TABLE: 'Stack-DataIdempotency-1',
    GLASE_CREDENTIALS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:credentials',
    SIGNING_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:signing',
    URL_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:url',
    GLASE_API_URL: 'https://glase.invalid/soap',
    GLASE_WEBSHOP_ID: 'my-shop',
    SHOP_TITLE: 'My Shop',
    SHOP_CASHIER_ID: 'till-7',
    DEFAULT_CURRENCY: 'EUR',
  },
};
const stackWith = (outputs: Record<string, string>) => ({
  Stacks: [
    {
      StackName: 'GlaseCheckout-prod',
      CreationTime: new Date(),
      StackStatus: 'CREATE_COMPLETE' as const,
      Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
    },
  ],
});

describe('glase-checkout --stack', () => {
  beforeEach(() => {
    cloudFormation.reset();
    dynamo.reset();
  });

  it('takes region, tables, secrets and every shop setting from the stack’s one settings output', async () => {
    cloudFormation
      .on(DescribeStacksCommand, { StackName: 'GlaseCheckout-prod' })
      .resolves(stackWith({ [OPERATOR_SETTINGS_OUTPUT]: JSON.stringify(settings) }));
    dynamo.on(DescribeTableCommand).resolves({ Table: { TableName: settings.environment.ORDERS_TABLE } });

    const connection = await connect({ stack: 'GlaseCheckout-prod' });

    const { config } = connection.wiring;
    expect(config.region).toBe('eu-west-1'); // the stack's, whatever the profile says
    expect(config.tables).toEqual({
      products: 'Stack-DataProducts-1',
      orders: 'Stack-DataOrders-1',
      idempotency: 'Stack-DataIdempotency-1',
    });
    expect(config.secrets.terminal).toEqual({ arn: settings.environment.GLASE_CREDENTIALS_SECRET_ARN });
    expect(config.shop).toMatchObject({ title: 'My Shop', cashierId: 'till-7' });
    expect(config.defaultCurrency).toBe('EUR');
    expect(config.glase.webshopId).toBe('my-shop');
    expect(connection.createPurchaseUrl).toBe(settings.createPurchaseUrl);
    expect(await connection.wiring.dynamo.client.config.region()).toBe('eu-west-1');
    connection.wiring.close();
  });

  it('says when a stack has no settings output, or one this CLI cannot read', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves(stackWith({}));
    await expect(connect({ stack: 'Other' })).rejects.toThrow(/stack Other has no OperatorSettings output/);
    cloudFormation
      .on(DescribeStacksCommand)
      .resolves(stackWith({ [OPERATOR_SETTINGS_OUTPUT]: '{"version":2}' }));
    await expect(connect({ stack: 'Other' })).rejects.toThrow(
      /is not what this CLI reads .*upgrade the CLI or the stack/,
    );
  });

  it('turns missing credentials or a wrong name into one clear ConnectionError', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(new Error('Stack with id Nope does not exist'));
    const attempt = connect({ stack: 'Nope', region: 'eu-north-1' });
    await expect(attempt).rejects.toBeInstanceOf(ConnectionError);
    await expect(connect({ stack: 'Nope', region: 'eu-north-1' })).rejects.toThrow(
      'cannot read stack Nope: Stack with id Nope does not exist',
    );
  });
});
