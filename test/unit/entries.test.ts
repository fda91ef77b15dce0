import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { Order } from '../../lambda/checkout/model/order.js';
import type { PaymentGateway, Store } from '../../lambda/checkout/ports.js';
import { completePayment } from '../../lambda/checkout/use-cases/complete-payment.js';
import { EventBridgePublisher } from '../../lambda/events/eventbridge-publisher.js';
import { startSecretsExtension } from '../../local/secrets-extension.js';

describe('Lambda entry points', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('refuse to start, naming what is missing, when the environment is incomplete', async () => {
    process.env = { ...saved, PRODUCTS_TABLE: 'p' };
    delete process.env.ORDERS_TABLE;
    await expect(import('../../lambda/handlers/reconcile.js')).rejects.toThrow(/ORDERS_TABLE is missing/);
  });

  it('build their handler at cold start without reading a secret, then read them through the extension', async () => {
    const extension = await startSecretsExtension();
    const urlKeyArn = 'arn:aws:secretsmanager:eu-north-1:000000000000:secret:url-key';
    extension.set(urlKeyArn, 'kXq7Lp2Zr9Mw4Tn8Vb6Jc3Hd5Gf1Ks0Ya-eUo_iWsAhBkXq7');
    process.env = {
      ...saved,
      ...extension.environment,
      PRODUCTS_TABLE: 'p',
      ORDERS_TABLE: 'o',
      IDEMPOTENCY_TABLE: 'i',
      GLASE_API_URL: 'https://glase.invalid/soap',
      GLASE_WEBSHOP_ID: 'shop',
      GLASE_CREDENTIALS_SECRET_ARN: 'arn:aws:secretsmanager:eu-north-1:000000000000:secret:credentials',
      SIGNING_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-north-1:000000000000:secret:signing',
      URL_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-north-1:000000000000:secret:url-key',
      AWS_REGION: 'eu-north-1',
    };
    const createPurchase = await import('../../lambda/handlers/create-purchase.js');
    const notification = await import('../../lambda/handlers/payment-notification.js');
    expect(typeof notification.handler).toBe('function');
    // The extension does not answer during a cold start's initialisation: nothing asked it.
    expect(extension.requests).toEqual([]);
    const event = {
      httpMethod: 'POST',
      path: `/webshop/${'w'.repeat(48)}/createPurchase`,
      pathParameters: { urlKey: 'w'.repeat(48) },
      headers: { 'content-type': 'application/json' },
      body: '{}',
    } as unknown as APIGatewayProxyEvent;
    const context = { getRemainingTimeInMillis: () => 15_000 } as Context;
    const answer = await createPurchase.handler(event, context);
    expect(answer.statusCode).toBe(404);
    expect(extension.requests).toEqual([{ secretId: urlKeyArn, token: 'session-token' }]);
    await extension.close();
  });
});

describe('order events', () => {
  const eventBridge = mockClient(EventBridgeClient);
  const order = {
    orderId: 'O1',
    status: 'PAID',
    purchaseToken: 'T',
    product: { sku: 'S', description: 'D', unitPriceMinor: 14900, currency: 'SEK', taxRatePercent: 25 },
    quantity: 1,
    totalMinor: 14900,
    currency: 'SEK',
    customer: {
      clientName: 'A',
      email: 'a@b.se',
      msisdn: '',
      street: 's',
      zip: '1',
      city: 'c',
      state: '',
      country: 'SE',
    },
    stock: [{ purchaseToken: 'T', quantity: 1 }],
    version: 2,
    updatedAt: 'now',
  } as unknown as Order;

  it('go to EventBridge with source glase-checkout and the event type as detail-type', async () => {
    eventBridge.reset();
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    await new EventBridgePublisher(new EventBridgeClient({ region: 'eu-north-1' }), 'bus').publish({
      type: 'OrderPaid',
      order,
    });
    const [entry] = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries ?? [];
    expect(entry).toMatchObject({ EventBusName: 'bus', Source: 'glase-checkout', DetailType: 'OrderPaid' });
    expect(JSON.parse(entry?.Detail ?? '{}')).toMatchObject({
      orderId: 'O1',
      total: { value: '149.00', currency: 'SEK' },
    });
  });

  it('an event EventBridge refuses is reported, and never undoes a committed payment', async () => {
    eventBridge.reset();
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException' }] });
    const publisher = new EventBridgePublisher(new EventBridgeClient({ region: 'eu-north-1' }), 'bus');
    await expect(publisher.publish({ type: 'OrderPaid', order })).rejects.toThrow(/ThrottlingException/);

    const warnings: string[] = [];
    const invoiced = {
      ...order,
      status: 'INVOICED',
      invoiceReference: '1',
      invoiceVersion: 0,
      history: [],
    } as unknown as Order;
    const settlement = await completePayment(
      {
        store: { apply: async () => undefined } as unknown as Store,
        glase: {
          getPaymentStatus: async () => ({ status: 'PAID', version: 1, ersReference: 'E' }),
        } as unknown as PaymentGateway,
        events: { publish: () => publisher.publish({ type: 'OrderPaid', order: invoiced }) },
        clock: { now: () => new Date() },
        warn: (message) => warnings.push(message),
      },
      invoiced,
    );
    expect(settlement.outcome).toBe('paid');
    expect(warnings).toEqual(['could not publish an order event']);
  });
});
