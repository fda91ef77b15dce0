import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ConnectionError, connect } from '../../cli/connect.js';

// No AWS account is reachable here: the deployed-stack path is proven against mocked
// CloudFormation and DynamoDB answers; the local path runs for real in test/integration/cli.
const cloudFormation = mockClient(CloudFormationClient);
const dynamo = mockClient(DynamoDBClient);

const outputs = {
  ProductsTable: 'Stack-DataProducts-1',
  OrdersTable: 'Stack-DataOrders-1',
  IdempotencyTable: 'Stack-DataIdempotency-1',
  GlaseSecretArn: 'arn:aws:secretsmanager:eu-north-1:000000000000:secret:glase-abc',
  GlaseApiUrl: 'https://glase.invalid/soap',
  WebshopId: 'my-shop',
  ShopTitle: 'My Shop',
};

describe('glase-checkout --stack', () => {
  beforeEach(() => {
    cloudFormation.reset();
    dynamo.reset();
  });

  it('finds tables, secret and Glase URL in the stack outputs; secrets stay in Secrets Manager', async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: 'GlaseCheckoutStack' }).resolves({
      Stacks: [
        {
          StackName: 'GlaseCheckoutStack',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });
    dynamo.on(DescribeTableCommand).resolves({ Table: { TableName: outputs.OrdersTable } });

    const connection = await connect({ stack: 'GlaseCheckoutStack', region: 'eu-north-1' });

    const { config } = connection.runtime;
    expect(config.tables).toEqual({
      products: outputs.ProductsTable,
      orders: outputs.OrdersTable,
      idempotency: outputs.IdempotencyTable,
    });
    expect(config.secretArn).toBe(outputs.GlaseSecretArn);
    expect(config.localSecrets).toBeUndefined();
    expect(config.glase.url).toBe(outputs.GlaseApiUrl);
    expect(config.shop.title).toBe('My Shop');
    expect(connection.webshopId).toBe('my-shop');
    expect(dynamo.commandCalls(DescribeTableCommand)[0]?.args[0].input).toEqual({
      TableName: outputs.OrdersTable,
    });
  });

  it('says which outputs a stack lacks', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'Other', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }],
    });
    await expect(connect({ stack: 'Other', region: 'eu-north-1' })).rejects.toThrow(
      /stack Other lacks the outputs ProductsTable, OrdersTable, IdempotencyTable, GlaseSecretArn, GlaseApiUrl, WebshopId/,
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
