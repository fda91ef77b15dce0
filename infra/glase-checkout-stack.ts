import { CfnOutput, Duration, SecretValue, Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { Environment, EnvName } from '../contract/environment.js';
import { MAX_PURCHASE_BODY_BYTES } from '../contract/routes.js';
import { ORDERS_BY_LOOKUP, ORDERS_BY_STATUS } from '../contract/tables.js';
import { CheckoutApi } from './constructs/checkout-api.js';
import { CheckoutFunction } from './constructs/checkout-function.js';
import { CheckoutOperations } from './constructs/checkout-operations.js';
import { CheckoutTables } from './constructs/checkout-tables.js';
import { accept } from './nag-suppressions.js';
import type { CheckoutSettings } from './settings.js';

export interface GlaseCheckoutStackProps extends StackProps {
  readonly settings: CheckoutSettings;
}

/** What the credentials secret holds until the merchant puts Glase's values in (the functions refuse it). */
const PLACEHOLDER = 'REPLACE_WITH_';

/**
 * How the two keys we generate are generated. CloudFormation regenerates a secret's whole value
 * whenever these properties change, which would break every open invoice's notification URL and
 * the URL Glase calls: they are pinned by test/infra and must never change.
 */
export const GENERATED_KEYS = {
  signingKey: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
  urlKey: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
} as const;

/**
 * Everything a merchant deploys: tables, three secrets, three functions, the REST API Glase
 * calls, the reconciler's schedule, the order-events bus and alarms that reach someone.
 */
export class GlaseCheckoutStack extends Stack {
  constructor(scope: Construct, id: string, props: GlaseCheckoutStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const logRetention = retention(settings.logRetentionDays);

    const tables = new CheckoutTables(this, 'Data', { encryption: settings.tableEncryption });

    // Glase's values: the merchant puts them in after deploying. A template that never changes
    // this value never resets what the merchant wrote.
    const credentials = new Secret(this, 'GlaseCredentials', {
      description: `glase-checkout ${settings.stage}: Glase terminal id and password (and X-Auth-Token secret): put Glase's values in`,
      secretStringValue: SecretValue.unsafePlainText(
        JSON.stringify({
          terminalId: `${PLACEHOLDER}GLASE_TERMINAL_ID`,
          terminalPassword: `${PLACEHOLDER}GLASE_TERMINAL_PASSWORD`,
          ...(settings.callerAuth === 'token' ? { authSecret: `${PLACEHOLDER}GLASE_AUTH_SECRET` } : {}),
        }),
      ),
    });
    // Ours, generated at deploy: each in a secret of its own, so no edit of one touches the other.
    const signingKey = new Secret(this, 'NotificationSigningKey', {
      description: `glase-checkout ${settings.stage}: signs notification URLs (generated; rotating it breaks open invoices)`,
      generateSecretString: GENERATED_KEYS.signingKey,
    });
    const urlKey = new Secret(this, 'CreatePurchaseUrlKey', {
      description: `glase-checkout ${settings.stage}: the secret key in the createPurchase URL Glase calls (generated)`,
      generateSecretString: GENERATED_KEYS.urlKey,
    });
    accept(credentials, 'AwsSolutions-SMG4');
    accept(signingKey, 'AwsSolutions-SMG4');
    accept(urlKey, 'AwsSolutions-SMG4');

    // Only what differs from the defaults in lambda/wiring/config.ts is set here.
    const shop: Environment = {
      PRODUCTS_TABLE: tables.products.tableName,
      ORDERS_TABLE: tables.orders.tableName,
      IDEMPOTENCY_TABLE: tables.idempotency.tableName,
      GLASE_API_URL: settings.glaseApiUrl,
      GLASE_WEBSHOP_ID: settings.webshopId,
      CALLER_AUTH: settings.callerAuth,
      SHOP_TITLE: settings.shopTitle,
      DEFAULT_CURRENCY: settings.defaultCurrency,
      GLASE_CREDENTIALS_SECRET_ARN: credentials.secretArn,
      ...optional({
        SHOP_CASHIER_ID: settings.cashierId,
        SHOP_RECEIPT_FOOTER: settings.receiptFooter,
        INVOICE_TTL_SECONDS: settings.invoiceTtlSeconds,
        REFUND_PENDING_ALERT_MINUTES: settings.refundPendingAlertMinutes,
        IDEMPOTENCY_TTL_SECONDS: settings.idempotencyTtlSeconds,
        OPEN_ORDERS_PER_SHOPPER: settings.openOrdersPerShopper,
        PUBLIC_BASE_URL: settings.customDomain ? `https://${settings.customDomain.domainName}` : undefined,
      }),
    };
    const signing: Environment = { SIGNING_KEY_SECRET_ARN: signingKey.secretArn };
    const keyed: Environment =
      settings.callerAuth === 'url-key' ? { URL_KEY_SECRET_ARN: urlKey.secretArn } : {};
    // Empty slots `sam local --env-vars` can fill (SAM only overrides variables the template declares).
    const samSlots: Environment = settings.samLocal
      ? {
          DYNAMODB_ENDPOINT: '',
          GLASE_TERMINAL_ID: '',
          GLASE_TERMINAL_PASSWORD: '',
          GLASE_AUTH_SECRET: '',
          NOTIFICATION_SIGNING_KEY: '',
          CREATE_PURCHASE_URL_KEY: '',
          PUBLIC_BASE_URL: '',
        }
      : {};

    const createPurchase = new CheckoutFunction(this, 'CreatePurchase', {
      entry: 'create-purchase.ts',
      description: 'Glase createPurchase: reserve, record, sendInvoice',
      // Glase waits for our answer; sendInvoice gets at most 5 s of it, and the failure path
      // (recording FAILED, withdrawing an invoice) is budgeted from the time that is left.
      timeout: Duration.seconds(15),
      reservedConcurrentExecutions: settings.reservedConcurrency.createPurchase,
      environment: { ...shop, ...signing, ...keyed, ...samSlots },
      logRetention,
      secretsExtension: !settings.samLocal,
    })
      .allow(tables.products, 'lookup', 'stock')
      .allow(tables.orders, 'record-orders', 'order-lookups')
      .allow(tables.idempotency, 'lookup', 'claim-requests')
      .allowSecrets(credentials, signingKey, ...(settings.callerAuth === 'url-key' ? [urlKey] : []));

    const paymentNotification = new CheckoutFunction(this, 'PaymentNotification', {
      entry: 'payment-notification.ts',
      description: 'Glase payment notification: getPaymentStatus within 20 s, commit PAID',
      // getPaymentStatus is retried until the deadline (3 s an attempt); the function outlives it
      // by 5 s so it can still commit and answer, and all of it stays inside Glase's 20 s.
      timeout: Duration.seconds(settings.notificationDeadlineSeconds + 5),
      reservedConcurrentExecutions: settings.reservedConcurrency.notification,
      environment: {
        ...shop,
        ...signing,
        ...samSlots,
        NOTIFICATION_DEADLINE_MS: String(settings.notificationDeadlineSeconds * 1000),
      },
      logRetention,
      secretsExtension: !settings.samLocal,
    })
      .allow(tables.products, 'stock')
      .allow(tables.orders, 'settle-orders', 'order-lookups')
      .allow(tables.idempotency, 'settle-requests')
      .allowSecrets(credentials, signingKey);

    const reconciler = new CheckoutFunction(this, 'Reconciler', {
      entry: 'reconcile.ts',
      description: 'Settles open orders: lost notifications, crashes, expired invoices',
      timeout: Duration.seconds(60),
      reservedConcurrentExecutions: settings.reservedConcurrency.reconciler,
      environment: { ...shop, ...samSlots },
      logRetention,
      secretsExtension: !settings.samLocal,
    })
      .allow(tables.products, 'stock')
      .allow(tables.orders, 'settle-orders', 'order-lookups')
      .allow(tables.idempotency, 'settle-requests')
      .allowQuery(tables.orders, ORDERS_BY_STATUS.index)
      // Counting refunds pending too long (a metric): no order is read through it.
      .allowQuery(tables.orders, ORDERS_BY_LOOKUP.index)
      .allowSecrets(credentials);

    const mail = settings.mail;
    const orderMail = mail
      ? new CheckoutFunction(this, 'OrderMail', {
          entry: 'order-mail.ts',
          description: 'Mails the shopper when an order is paid or refunded (SES)',
          timeout: Duration.seconds(30),
          environment: {
            ...shop,
            MAIL_FROM: mail.from,
            ...optional({ MAIL_SUBJECT_PAID: mail.subjectPaid, MAIL_SUBJECT_REFUNDED: mail.subjectRefunded }),
          },
          logRetention,
          // It reads no secret.
          secretsExtension: false,
        })
          .allow(tables.idempotency, 'mail-log')
          .allowSendEmail(mail.identity, mail.address)
      : undefined;

    const api = new CheckoutApi(this, 'Http', {
      createPurchase: createPurchase.fn,
      paymentNotification: paymentNotification.fn,
      callerAuth: settings.callerAuth,
      allowedSourceIps: settings.allowedSourceIps,
      throttle: settings.throttle,
      logRetention,
      waf: settings.waf
        ? { rateLimit: settings.wafRateLimit, name: `glase-checkout-${settings.stage}` }
        : undefined,
      customDomain: settings.customDomain,
      maxBodyBytes: MAX_PURCHASE_BODY_BYTES,
    });

    const operations = new CheckoutOperations(this, 'Operations', {
      api: api.api,
      webAclName: api.webAclName,
      functions: {
        CreatePurchase: createPurchase.fn,
        PaymentNotification: paymentNotification.fn,
        Reconciler: reconciler.fn,
        ...(orderMail ? { OrderMail: orderMail.fn } : {}),
      },
      reconciler: reconciler.fn,
      alarmEmail: settings.alarmEmail,
    });
    if (orderMail) operations.mailShoppers(orderMail.fn);
    for (const fn of [paymentNotification, reconciler]) {
      fn.fn.addEnvironment('EVENT_BUS_NAME', operations.bus.eventBusName);
      operations.bus.grantPutEventsTo(fn.role);
    }

    new CfnOutput(this, 'CreatePurchaseUrl', {
      description:
        settings.callerAuth === 'url-key'
          ? 'The URL to give Glase, {urlKey} standing for the generated key: `glase-checkout --stack <stack> doctor` prints it whole'
          : "Give this URL to Glase as the shop's createPurchase endpoint",
      value: api.createPurchaseUrl,
    });
    if (api.domainTarget) {
      new CfnOutput(this, 'CustomDomainTarget', {
        description: `Point ${settings.customDomain?.domainName} here: a CNAME (or a Route 53 alias) to this name`,
        value: api.domainTarget,
      });
    }
    new CfnOutput(this, 'GlaseCredentialsSecretArn', {
      description: "Put Glase's terminal id and password here (aws secretsmanager put-secret-value)",
      value: credentials.secretArn,
    });
    // The operator CLI (`--stack`) reads everything it needs from this one output.
    new CfnOutput(this, 'OperatorSettings', {
      description: 'What the glase-checkout CLI needs to operate this stack (read by --stack)',
      value: Stack.of(this).toJsonString({
        version: 1,
        stage: settings.stage,
        region: Stack.of(this).region,
        createPurchaseUrl: api.createPurchaseUrl,
        environment: {
          ...shop,
          ...signing,
          URL_KEY_SECRET_ARN: urlKey.secretArn,
          EVENT_BUS_NAME: operations.bus.eventBusName,
        },
      }),
    });
  }
}

function optional(values: Partial<Record<EnvName, string | number | undefined>>): Environment {
  return Object.fromEntries(
    Object.entries(values).flatMap(([name, value]) => (value === undefined ? [] : [[name, String(value)]])),
  );
}

function retention(days: number): RetentionDays {
  const allowed = Object.values(RetentionDays).filter((value): value is number => typeof value === 'number');
  const match = allowed.filter((value) => value >= days).sort((a, b) => a - b)[0];
  return (match ?? RetentionDays.INFINITE) as RetentionDays;
}
