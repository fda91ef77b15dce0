import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { CheckoutApi } from './constructs/checkout-api.js';
import { CheckoutFunction } from './constructs/checkout-function.js';
import { CheckoutOperations } from './constructs/checkout-operations.js';
import { CheckoutTables } from './constructs/checkout-tables.js';
import { accept } from './nag-suppressions.js';
import type { CheckoutSettings } from './settings.js';

export interface GlaseCheckoutStackProps extends StackProps {
  readonly settings: CheckoutSettings;
}

/** Must match MAX_BODY_BYTES in the createPurchase handler. */
const MAX_BODY_BYTES = 16 * 1024;

/**
 * Everything a merchant deploys: tables, one secret, three functions, the REST API Glase
 * calls, the reconciler's schedule, the order-events bus and the alarms.
 */
export class GlaseCheckoutStack extends Stack {
  constructor(scope: Construct, id: string, props: GlaseCheckoutStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const logRetention = retention(settings.logRetentionDays);

    const tables = new CheckoutTables(this, 'Data', { encryption: settings.tableEncryption });

    // Terminal id/password and the caller-auth secret come from Glase: the merchant puts them
    // in after deploying. The signing key is ours, so it is generated here.
    const secret = new Secret(this, 'GlaseSecret', {
      description: 'glase-checkout: Glase terminal credentials, caller-auth secret, notification signing key',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({
          terminalId: 'REPLACE_WITH_GLASE_TERMINAL_ID',
          terminalPassword: 'REPLACE_WITH_GLASE_TERMINAL_PASSWORD',
          authSecret: 'REPLACE_WITH_GLASE_AUTH_SECRET',
        }),
        generateStringKey: 'signingKey',
        passwordLength: 48,
        excludePunctuation: true,
      },
    });

    const environment: Record<string, string> = {
      PRODUCTS_TABLE: tables.products.tableName,
      ORDERS_TABLE: tables.orders.tableName,
      IDEMPOTENCY_TABLE: tables.idempotency.tableName,
      GLASE_API_URL: settings.glaseApiUrl,
      GLASE_WEBSHOP_ID: settings.webshopId,
      GLASE_SECRET_ARN: secret.secretArn,
      CALLER_AUTH: settings.callerAuth,
      SHOP_TITLE: settings.shopTitle,
      SHOP_CASHIER_ID: settings.cashierId,
      SHOP_RECEIPT_FOOTER: settings.receiptFooter,
      INVOICE_TTL_SECONDS: String(settings.invoiceTtlSeconds),
      IDEMPOTENCY_TTL_SECONDS: String(settings.idempotencyTtlSeconds),
      ...(settings.customDomain ? { PUBLIC_BASE_URL: `https://${settings.customDomain.domainName}` } : {}),
      // Empty slots `sam local --env-vars` can fill (SAM only overrides variables the template declares).
      ...(settings.samLocal
        ? {
            DYNAMODB_ENDPOINT: '',
            GLASE_TERMINAL_ID: '',
            GLASE_TERMINAL_PASSWORD: '',
            GLASE_AUTH_SECRET: '',
            NOTIFICATION_SIGNING_KEY: '',
            PUBLIC_BASE_URL: '',
          }
        : {}),
    };

    const createPurchase = new CheckoutFunction(this, 'CreatePurchase', {
      entry: 'create-purchase.ts',
      description: 'Glase createPurchase: reserve, record, sendInvoice',
      // Glase waits for our answer; sendInvoice has its own 5 s timeout.
      timeout: Duration.seconds(15),
      environment,
      logRetention,
    })
      .allow(tables.products, 'read', 'stock')
      .allow(tables.orders, 'record-orders')
      .allow(tables.idempotency, 'idempotency');

    const paymentNotification = new CheckoutFunction(this, 'PaymentNotification', {
      entry: 'payment-notification.ts',
      description: 'Glase payment notification: getPaymentStatus within 20 s, commit PAID',
      // getPaymentStatus is retried until the deadline (3 s an attempt); the function outlives it
      // by 5 s so it can still commit and answer, and all of it stays inside Glase's 20 s.
      timeout: Duration.seconds(settings.notificationDeadlineSeconds + 5),
      reservedConcurrentExecutions: settings.notificationReservedConcurrency,
      environment: {
        ...environment,
        GLASE_STATUS_TIMEOUT_MS: '3000',
        NOTIFICATION_DEADLINE_MS: String(settings.notificationDeadlineSeconds * 1000),
      },
      logRetention,
    })
      .allow(tables.products, 'stock')
      .allow(tables.orders, 'settle-orders');

    const reconciler = new CheckoutFunction(this, 'Reconciler', {
      entry: 'reconcile.ts',
      description: 'Settles open orders: lost notifications, crashes, expired invoices',
      timeout: Duration.seconds(60),
      environment,
      logRetention,
    })
      .allow(tables.products, 'stock')
      .allow(tables.orders, 'settle-orders')
      .allowQuery(tables.orders, CheckoutTables.ORDERS_BY_STATUS_INDEX);

    for (const fn of [createPurchase, paymentNotification, reconciler]) secret.grantRead(fn.role);

    const api = new CheckoutApi(this, 'Http', {
      createPurchase: createPurchase.fn,
      paymentNotification: paymentNotification.fn,
      allowedSourceIps: settings.allowedSourceIps,
      throttle: settings.throttle,
      logRetention,
      waf: settings.waf,
      customDomain: settings.customDomain,
      maxBodyBytes: MAX_BODY_BYTES,
    });

    const operations = new CheckoutOperations(this, 'Operations', {
      api: api.api,
      functions: {
        CreatePurchase: createPurchase.fn,
        PaymentNotification: paymentNotification.fn,
        Reconciler: reconciler.fn,
      },
      reconciler: reconciler.fn,
      alarmEmail: settings.alarmEmail,
    });
    for (const fn of [paymentNotification, reconciler]) {
      fn.fn.addEnvironment('EVENT_BUS_NAME', operations.bus.eventBusName);
      operations.bus.grantPutEventsTo(fn.role);
    }

    new CfnOutput(this, 'CreatePurchaseUrl', {
      description: "Give this URL to Glase as the shop's createPurchase endpoint",
      value: api.createPurchaseUrl,
    });
    new CfnOutput(this, 'ProductsTable', { value: tables.products.tableName });
    new CfnOutput(this, 'OrdersTable', { value: tables.orders.tableName });
    new CfnOutput(this, 'IdempotencyTable', { value: tables.idempotency.tableName });
    new CfnOutput(this, 'GlaseSecretArn', {
      description: 'Put the terminal id/password and caller-auth secret from Glase here',
      value: secret.secretArn,
    });
    new CfnOutput(this, 'OrderEventBus', { value: operations.bus.eventBusName });
    // The operator CLI (`--stack`) finds everything it needs in these outputs.
    new CfnOutput(this, 'WebshopId', { value: settings.webshopId });
    new CfnOutput(this, 'ShopTitle', { value: settings.shopTitle });
    new CfnOutput(this, 'GlaseApiUrl', { value: settings.glaseApiUrl });

    accept(secret, 'AwsSolutions-SMG4');
  }
}

function retention(days: number): RetentionDays {
  const allowed = Object.values(RetentionDays).filter((value): value is number => typeof value === 'number');
  const match = allowed.filter((value) => value >= days).sort((a, b) => a - b)[0];
  return (match ?? RetentionDays.INFINITE) as RetentionDays;
}
