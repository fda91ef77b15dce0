import { createHash } from 'node:crypto';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type CfnSecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { Environment, EnvName, WebhooksEntry } from '../contract/environment.js';
import { MAX_PURCHASE_BODY_BYTES } from '../contract/routes.js';
import { CREATE_PURCHASE_TIMEOUT_SECONDS } from '../contract/service.js';
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

/**
 * How the two keys we generate are generated. CloudFormation regenerates a secret's whole value
 * whenever these properties change, which would break every open invoice's notification URL and
 * the URL Glase calls: they are pinned by test/infra and must never change.
 */
export const GENERATED_KEYS = {
  signingKey: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
  urlKey: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
  webhookSecret: {
    secretStringTemplate: '{}',
    generateStringKey: 'current',
    passwordLength: 48,
    excludePunctuation: true,
    includeSpace: false,
  },
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

    const tables = new CheckoutTables(this, 'Data', {
      encryption: settings.tableEncryption,
      warmWrites: settings.warmWrites,
    });

    // Glase's values, put in by the merchant after the first deploy. The secret is created
    // without any value, so the template holds nothing CloudFormation could ever write back over
    // them: no setting, override or redeploy touches what the merchant put in.
    const credentials = new Secret(this, 'GlaseCredentials', {
      description: `glase-checkout ${settings.stage}: Glase's terminal id and password as JSON {"terminalId","terminalPassword"${settings.callerAuth === 'token' ? ',"authSecret"' : ''}}: put them in after deploying`,
    });
    (credentials.node.defaultChild as CfnSecret).addPropertyDeletionOverride('GenerateSecretString');
    // Ours, generated at deploy: each in a secret of its own, so no edit of one touches the other.
    const signingKey = new Secret(this, 'NotificationSigningKey', {
      description: `glase-checkout ${settings.stage}: signs notification URLs (generated; rotating it breaks open invoices)`,
      generateSecretString: GENERATED_KEYS.signingKey,
    });
    const urlKey = new Secret(this, 'CreatePurchaseUrlKey', {
      description: `glase-checkout ${settings.stage}: the secret key in the createPurchase URL Glase calls (generated)`,
      generateSecretString: GENERATED_KEYS.urlKey,
    });
    for (const secret of [credentials, signingKey, urlKey]) {
      // Kept when the stack is deleted or a refactor would replace them: a new URL key or signing
      // key breaks Glase's URL and every open invoice, and the credentials are the merchant's.
      secret.applyRemovalPolicy(RemovalPolicy.RETAIN);
      accept(secret, 'AwsSolutions-SMG4');
    }

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
        SELLER_NAME: settings.seller.name,
        SELLER_ORG_NUMBER: settings.seller.orgNumber,
        SELLER_ADDRESS: settings.seller.address,
        BOOKKEEPING_ACCOUNTS: settings.bookkeepingAccounts && JSON.stringify(settings.bookkeepingAccounts),
        PERSONAL_DATA_RETENTION_DAYS: settings.personalDataRetentionDays,
        EVENTS_INCLUDE_CUSTOMER: settings.eventsIncludeCustomer ? 'true' : undefined,
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
      // Glase waits for our answer; sendInvoice gets 5–10 s of it, and the failure path
      // (recording FAILED, withdrawing an invoice) is budgeted from the time that is left.
      timeout: Duration.seconds(CREATE_PURCHASE_TIMEOUT_SECONDS),
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
      // The retention period forgets the mails and webhook bodies of the orders it erases.
      .allow(tables.idempotency, 'settle-requests', 'forget-mail', 'forget-webhooks')
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
          // Events carry no shopper unless asked to: the mail reads the order it is about.
          .allow(tables.orders, 'read-orders')
          .allow(tables.idempotency, 'mail-log')
          .allowSendEmail(mail.identity, mail.address)
      : undefined;

    // Each endpoint's signing secret, generated at deploy as {"current": "…"} and kept (RETAIN):
    // the merchant's endpoint holds it. Rotating: put {"current": new, "previous": old} in.
    const webhookEndpoints = settings.webhooks.map((endpoint) => {
      const secret = new Secret(this, `WebhookSecret${shortHash(endpoint.url)}`, {
        description: `glase-checkout ${settings.stage}: signs webhooks to ${endpoint.url} (generated; give it to that endpoint)`,
        generateSecretString: GENERATED_KEYS.webhookSecret,
      });
      secret.applyRemovalPolicy(RemovalPolicy.RETAIN);
      accept(secret, 'AwsSolutions-SMG4');
      return { ...endpoint, secret };
    });
    const webhooksEnvironment: Environment = webhookEndpoints.length
      ? {
          WEBHOOKS: Stack.of(this).toJsonString(
            webhookEndpoints.map(
              ({ id, url, events, secret }): WebhooksEntry => ({
                id,
                url,
                events,
                secretArn: secret.secretArn,
              }),
            ),
          ),
        }
      : {};
    const webhookTimeout = Duration.seconds(90);
    const webhookFunction = webhookEndpoints.length
      ? new CheckoutFunction(this, 'Webhooks', {
          entry: 'webhooks.ts',
          description: "Delivers order events to the merchant's webhook endpoints, signed, with retries",
          // Five events a batch, each endpoint given 10 s to answer.
          timeout: webhookTimeout,
          environment: { ...shop, ...webhooksEnvironment },
          logRetention,
          secretsExtension: !settings.samLocal,
        })
          .allow(tables.idempotency, 'webhook-log')
          .allowSecrets(...webhookEndpoints.map((endpoint) => endpoint.secret))
      : undefined;

    // Glase reaches the two functions it calls through their `live` aliases, which CodeDeploy
    // moves to a new version gradually and back when a release gate fires (docs/deploy.md).
    // `sam local` (never deployed) calls the functions themselves: it does not resolve aliases.
    const released = (fn: CheckoutFunction) =>
      settings.samLocal ? fn.fn : fn.releasedThrough(settings.release);
    const api = new CheckoutApi(this, 'Http', {
      stage: settings.stage,
      createPurchase: released(createPurchase),
      paymentNotification: released(paymentNotification),
      callerAuth: settings.callerAuth,
      allowedSourceIps: settings.allowedSourceIps,
      throttle: settings.throttle,
      logRetention,
      waf: settings.waf,
      customDomain: settings.customDomain,
      maxBodyBytes: MAX_PURCHASE_BODY_BYTES,
    });

    const functions = {
      CreatePurchase: createPurchase.fn,
      PaymentNotification: paymentNotification.fn,
      Reconciler: reconciler.fn,
      ...(orderMail ? { OrderMail: orderMail.fn } : {}),
      ...(webhookFunction ? { Webhooks: webhookFunction.fn } : {}),
    };
    const operations = new CheckoutOperations(this, 'Operations', {
      stage: settings.stage,
      api: api.api,
      webAclName: api.webAclName,
      functions,
      reconciler: reconciler.fn,
      alarmEmail: settings.alarms.email,
      alarmTopicArn: settings.alarms.topicArn,
      notificationDeadlineSeconds: settings.notificationDeadlineSeconds,
    });
    if (orderMail) operations.mailShoppers(orderMail.fn);
    if (webhookFunction) {
      const queue = operations.deliverWebhooks(webhookFunction.fn, webhookTimeout);
      webhookFunction.fn.addEnvironment('WEBHOOK_QUEUE_URL', queue.queueUrl);
    }
    for (const fn of [paymentNotification, reconciler]) {
      fn.fn.addEnvironment('EVENT_BUS_NAME', operations.bus.eventBusName);
      operations.bus.grantPutEventsTo(fn.role);
    }
    if (!settings.samLocal) {
      createPurchase.gatedBy((release) =>
        // A purchase may wait up to 5 s for Glase: slower than 10 s at p90 is not Glase alone.
        operations.releaseGates('CreatePurchase', release, { slowMs: 10_000 }),
      );
      paymentNotification.gatedBy((release) =>
        operations.releaseGates('PaymentNotification', release, {
          slowMs: settings.notificationDeadlineSeconds * 1000,
          notifications: true,
        }),
      );
    }
    operations.drawDashboard(functions);

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
    new CfnOutput(this, 'DashboardUrl', {
      description: 'The CloudWatch dashboard: purchases, payments, failures, Glase, what waits for a person',
      value: operations.dashboardUrl,
    });
    // The operator CLI (`--stack`) reads everything it needs from this one output.
    new CfnOutput(this, 'OperatorSettings', {
      description: 'What the glase-checkout CLI needs to operate this stack (read by --stack)',
      value: Stack.of(this).toJsonString({
        version: 1,
        stage: settings.stage,
        region: Stack.of(this).region,
        createPurchaseUrl: api.createPurchaseUrl,
        dashboardUrl: operations.dashboardUrl,
        alarmTopicArn: operations.topic?.topicArn,
        mailIdentity: settings.mail?.identity,
        // The settings this deploy was made from, for `doctor` to compare with the file.
        settings: settings.file,
        environment: {
          ...shop,
          ...signing,
          URL_KEY_SECRET_ARN: urlKey.secretArn,
          EVENT_BUS_NAME: operations.bus.eventBusName,
          ...webhooksEnvironment,
        },
      }),
    });
  }

  /** The template as synthesized, without the DependsOn entries its references already imply. */
  protected override _toCloudFormation(): ReturnType<Stack['_toCloudFormation']> {
    const template = super._toCloudFormation();
    for (const resource of Object.values(template.Resources ?? {}) as Record<string, unknown>[]) {
      if (!Array.isArray(resource.DependsOn)) continue;
      const { DependsOn: dependsOn, ...rest } = resource;
      const implied = referencedIds(rest);
      const needed = (dependsOn as string[]).filter((id) => !implied.has(id));
      if (needed.length > 0) resource.DependsOn = needed;
      else delete resource.DependsOn;
    }
    return template;
  }
}

/**
 * The ids a resource already depends on through Ref, Fn::GetAtt or Fn::Sub: CDK also lists some
 * of them in DependsOn, which cfn-lint (and `sam validate --lint`) reports as W3005.
 */
function referencedIds(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, found);
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') found.add(inner);
      else if (key === 'Fn::GetAtt')
        found.add(Array.isArray(inner) ? String(inner[0]) : (String(inner).split('.')[0] ?? ''));
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(inner) ? inner[0] : inner;
        for (const [, id] of String(text).matchAll(/\$\{([A-Za-z0-9]+)[.}]/g)) found.add(id ?? '');
        if (Array.isArray(inner)) referencedIds(inner[1], found);
      } else referencedIds(inner, found);
    }
  }
  return found;
}

/** A stable suffix for a resource per URL: the same URL keeps its secret across deploys. */
function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8).toUpperCase();
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
