import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type HorizontalAnnotation,
  type IAlarm,
  type IMetric,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  EVENT_SOURCE,
  MAILED_EVENTS,
  ORDER_EVENT_TYPES,
  WEBHOOK_RETRY_SECONDS,
} from '../../contract/events.js';
import {
  CALLER_REFUSALS,
  FAILURE_CODES,
  METRIC,
  RELEASE_METRIC,
  RELEASE_VERSION_DIMENSION,
} from '../../contract/metrics.js';
import { NOTIFY_RESOURCE } from '../../contract/routes.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../contract/service.js';
import { accept } from '../nag-suppressions.js';
import { NOTIFICATION_RATE_RULE } from './checkout-api.js';
import type { Release } from './checkout-function.js';

export interface CheckoutOperationsProps {
  readonly stage: string;
  readonly api: RestApi;
  readonly functions: Readonly<Record<string, IFunction>>;
  readonly reconciler: IFunction;
  /** Alarms are mailed here through a topic of the stack's own… */
  readonly alarmEmail?: string | undefined;
  /** …or published to this existing topic (the merchant's pager, chat, or shared topic). */
  readonly alarmTopicArn?: string | undefined;
  /** The WAF web ACL's name, for the blocked-requests alarms; none without WAF. */
  readonly webAclName?: string | undefined;
  /** Glase reverses a payment not asked about within 20 s; getPaymentStatus is retried until this. */
  readonly notificationDeadlineSeconds: number;
}

/** More than this many blocked requests in 5 minutes may be Glase locked out: someone must look. */
export const WAF_BLOCKED_THRESHOLD = 10;
/**
 * More than this many requests with the right key refused as unreadable in 5 minutes: Glase
 * sends what we cannot take (a release of ours, or of theirs). A scanner with wrong keys gets
 * NOT_FOUND, which is not counted (contract/metrics.ts: CALLER_REFUSALS).
 */
export const CALLER_REFUSED_THRESHOLD = 5;
/**
 * More than this many notifications refused in 5 minutes (API Gateway's 4XX on the route:
 * throttled, blocked, or a URL we did not sign): a flood there can crowd out Glase's own.
 */
export const NOTIFICATIONS_REFUSED_THRESHOLD = 10;
/** Glase reverses a payment nobody asked about within this long after notifying. */
const GLASE_LIMIT_MS = 20_000;

/**
 * What keeps the shop honest after deploy: the reconciler's schedule, the bus order events
 * go to, a dead-letter queue where a failed scheduled run lands, the alarms, the release
 * gates and one dashboard.
 */
export class CheckoutOperations extends Construct {
  readonly bus: EventBus;
  readonly deadLetters: Queue;
  readonly alarms: Alarm[] = [];
  readonly topic?: ITopic;
  readonly dashboard: Dashboard;
  private readonly queues: { name: string; queue: Queue }[] = [];

  constructor(
    scope: Construct,
    id: string,
    private readonly props: CheckoutOperationsProps,
  ) {
    super(scope, id);
    this.bus = new EventBus(this, 'OrderEvents', {
      description: 'glase-checkout: OrderPaid, OrderCanceled and OrderRefunded',
    });
    // Its name is in every consumer's rule (and the merchant's own): kept on delete and replace.
    this.bus.applyRemovalPolicy(RemovalPolicy.RETAIN);

    this.deadLetters = this.queue('DeadLetters', 'reconciler runs');
    // A scheduled run that fails after its retries must be seen, not vanish.
    new Rule(this, 'ReconcileEveryMinute', {
      description: 'glase-checkout: settle open orders (lost notifications, crashes, expired invoices)',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [
        new LambdaFunction(props.reconciler, {
          deadLetterQueue: this.deadLetters,
          retryAttempts: 0, // the next minute's run is the retry
          maxEventAge: Duration.minutes(2),
        }),
      ],
    });
    props.reconciler.configureAsyncInvoke({
      retryAttempts: 0,
      // A run that waited longer than this is stale: the next minute's run does its work.
      maxEventAge: Duration.minutes(2),
      onFailure: new SqsDestination(this.deadLetters),
    });

    this.topic = props.alarmTopicArn
      ? Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)
      : props.alarmEmail
        ? this.mailedTopic(props.alarmEmail)
        : undefined;

    this.alarm(
      'Api5xx',
      'The API answered 5xx (Glase failures, bugs)',
      props.api.metricServerError({ period: Duration.minutes(5) }),
    );
    this.alarm(
      'CallerRefused',
      `More than ${CALLER_REFUSED_THRESHOLD} purchases with the right URL key (or token) refused as unreadable in 5 minutes: Glase sends what the shop cannot take`,
      new MathExpression({
        expression: CALLER_REFUSALS.map((_, index) => `FILL(r${index}, 0)`).join(' + '),
        usingMetrics: Object.fromEntries(CALLER_REFUSALS.map((code, index) => [`r${index}`, custom(code)])),
        label: 'refused callers with the key',
        period: Duration.minutes(5),
      }),
      CALLER_REFUSED_THRESHOLD,
    );
    this.alarm(
      'NotificationsRefused',
      `More than ${NOTIFICATIONS_REFUSED_THRESHOLD} notifications refused in 5 minutes (throttled, blocked or not signed by us): Glase's own may be among them`,
      this.notificationMetric('4XXError'),
      NOTIFICATIONS_REFUSED_THRESHOLD,
    );
    if (props.webAclName) {
      this.alarm(
        'WafBlocking',
        `WAF blocked more than ${WAF_BLOCKED_THRESHOLD} requests in 5 minutes: check Glase is not among them`,
        this.wafBlocked('ALL'),
        WAF_BLOCKED_THRESHOLD,
      );
      this.alarm(
        'NotificationsBlocked',
        'WAF blocked notifications from an address over its notification limit: a flood, or Glase itself if its addresses are not allow-listed',
        this.wafBlocked(NOTIFICATION_RATE_RULE),
      );
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      this.alarm(
        `${name}Errors`,
        `${name} failed (threw or timed out)`,
        fn.metricErrors({ period: Duration.minutes(5) }),
      );
      this.alarm(
        `${name}Throttles`,
        `${name} was throttled`,
        fn.metricThrottles({ period: Duration.minutes(5) }),
      );
    }
    this.alarm(
      'PaymentCommittedLate',
      'The reconciler, not a notification, committed a payment: notifications are being lost',
      custom(METRIC.reconcilePaymentsCommitted),
    );
    this.alarm(
      'NotificationLate',
      "A notification was settled after Glase's 20 s: Glase has reversed that payment",
      custom(METRIC.notificationLate),
    );
    this.alarm(
      'ReconcileErrors',
      'The reconciler could not settle some orders',
      custom(METRIC.reconcileErrors),
    );
    this.alarm(
      'RefundsPendingOverdue',
      'A refund Glase never confirmed is still pending: ask Glase, then `orders settle-refund` (`orders list --pending-refunds`)',
      // The reconciler reports the count every minute: the largest in the period, not the sum.
      custom(METRIC.refundsPendingOverdue).with({ statistic: 'Maximum' }),
    );
    this.alarm(
      'NotConfigured',
      'A secret is missing or still a placeholder: purchases are refused with 503 until it is fixed',
      custom(METRIC.notConfigured),
    );
    this.alarm(
      'CallerAuthNotConfigured',
      'The createPurchase URL key or X-Auth-Token secret is missing or weak: every purchase gets 503',
      custom(METRIC.callerAuthNotConfigured),
    );
    this.alarm(
      'DeadLettersWaiting',
      'A scheduled reconciler run failed and landed in the dead-letter queue',
      this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
    );

    // No fixed name: a replacement never collides with the old dashboard.
    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
  }

  /** The dashboard's address in the console (a stack output; `doctor` prints it). */
  get dashboardUrl(): string {
    const { region } = Stack.of(this);
    return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${this.dashboard.dashboardName}`;
  }

  /**
   * The alarms that roll a release of `name` back while CodeDeploy shifts traffic to it: the new
   * version crashed or timed out, answered 500 INTERNAL, ran close to its timeout, or (for the
   * notification function) settled a payment after Glase's 20 s.
   */
  releaseGates(
    name: string,
    release: Release,
    options: { slowMs: number; notifications?: boolean },
  ): IAlarm[] {
    const versioned = (metricName: string) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: SERVICE_NAME, [RELEASE_VERSION_DIMENSION]: release.version },
        statistic: 'Sum',
        period: Duration.minutes(1),
      });
    const gates = [
      this.alarm(
        `${name}ReleaseErrors`,
        `a new ${name} version crashed or timed out`,
        release.lambdaMetric('Errors'),
      ),
      this.alarm(
        `${name}ReleaseInternalErrors`,
        `a new ${name} version answered 500 INTERNAL`,
        versioned(RELEASE_METRIC.internalError),
      ),
      this.alarm(
        `${name}ReleaseSlow`,
        `a new ${name} version's p90 duration is over ${options.slowMs} ms`,
        release.lambdaMetric('Duration', 'p90'),
        options.slowMs,
      ),
    ];
    if (options.notifications) {
      gates.push(
        this.alarm(
          `${name}ReleaseLate`,
          `a new ${name} version settled a notification after Glase's 20 s`,
          versioned(RELEASE_METRIC.notificationLate),
        ),
      );
    }
    return gates;
  }

  /**
   * The shopper's mails: a rule sends OrderPaid and OrderRefunded to `mailer`. Delivery and the
   * function's own failures are retried (EventBridge, then Lambda's async retries), then parked
   * in a queue of their own with an alarm: a mail that could not go out is seen and can be
   * redriven, never lost in silence.
   */
  mailShoppers(mailer: IFunction): Queue {
    const failed = this.queue('MailDeadLetters', 'shopper mails');
    new Rule(this, 'MailShoppers', {
      description: 'glase-checkout: mail the shopper when an order is paid or refunded',
      eventBus: this.bus,
      eventPattern: { source: [EVENT_SOURCE], detailType: [...MAILED_EVENTS] },
      targets: [
        new LambdaFunction(mailer, {
          deadLetterQueue: failed,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });
    mailer.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(failed),
    });
    this.alarm(
      'MailDeadLettersWaiting',
      'A shopper mail could not be sent after its retries: it waits in the mail dead-letter queue',
      failed.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
    );
    return failed;
  }

  /**
   * Webhooks: every order event onto a queue the webhook function reads. A message whose
   * endpoints are not all done is put off by the function until its retry is due; after the
   * schedule's last attempt (one receive per attempt) the queue parks it in the dead-letter queue,
   * alarmed, from where `webhooks redeliver` or a redrive sends it again.
   */
  deliverWebhooks(deliverer: IFunction, functionTimeout: Duration): Queue {
    const parked = this.queue('WebhookDeadLetters', 'webhooks');
    const queue = new Queue(this, 'Webhooks', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Longer than the whole schedule (39.7 h), with room for a day of the function being off.
      retentionPeriod: Duration.days(4),
      // AWS's advice for a Lambda source: six times the function's timeout.
      visibilityTimeout: Duration.seconds(functionTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: parked, maxReceiveCount: WEBHOOK_RETRY_SECONDS.length + 1 },
    });
    new Rule(this, 'DeliverWebhooks', {
      description: "glase-checkout: order events to the merchant's webhook endpoints",
      eventBus: this.bus,
      eventPattern: { source: [EVENT_SOURCE], detailType: [...ORDER_EVENT_TYPES] },
      targets: [
        new SqsQueue(queue, { deadLetterQueue: parked, retryAttempts: 8, maxEventAge: Duration.hours(6) }),
      ],
    });
    deliverer.addEventSource(
      new SqsEventSource(queue, { batchSize: 5, reportBatchItemFailures: true, maxConcurrency: 5 }),
    );
    this.alarm(
      'WebhookDeadLettersWaiting',
      'An order event could not be delivered to a webhook endpoint after every retry (at least 24 h): it waits in the webhook dead-letter queue',
      parked.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
    );
    return queue;
  }

  /**
   * The widgets, added once every function and queue is known: what an operator needs to read
   * in ten seconds, top to bottom — is money coming in, what fails, are payments at risk, is
   * Glase well, is anything waiting for a person.
   */
  drawDashboard(functions: Readonly<Record<string, IFunction>>): void {
    const perMinute = (metricName: string, label: string) =>
      custom(metricName).with({ period: Duration.minutes(1), label });
    const limit: HorizontalAnnotation = { value: GLASE_LIMIT_MS, label: "Glase's 20 s: reversed beyond" };
    const deadline: HorizontalAnnotation = {
      value: this.props.notificationDeadlineSeconds * 1000,
      label: 'getPaymentStatus retried until',
    };
    const notificationLatency = (statistic: string) =>
      custom(METRIC.notificationToSettledMs).with({
        statistic,
        period: Duration.minutes(1),
        label: `notification → settled ${statistic}`,
      });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `## glase-checkout ${this.props.stage}\nPurchases, payments and what needs a person. Runbook: docs/operating.md`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Purchases and paid orders per minute',
        left: [
          perMinute(METRIC.purchaseCreated, 'purchases invoiced'),
          perMinute(METRIC.orderPaid, 'orders paid'),
          perMinute(METRIC.reconcilePaymentsCommitted, 'paid, found by the reconciler'),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Failures by reason (per minute)',
        left: FAILURE_CODES.map((code) => perMinute(code, code)),
        stacked: true,
        width: 8,
      }),
      new GraphWidget({
        title: "Notification → getPaymentStatus → settled (ms), against Glase's 20 s",
        left: [notificationLatency('p50'), notificationLatency('p99')],
        leftAnnotations: [limit, deadline],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Payments Glase reversed (settled after 20 s) and canceled orders',
        left: [
          perMinute(METRIC.notificationLate, 'settled after 20 s'),
          perMinute(METRIC.orderCanceled, 'canceled by a notification'),
          perMinute(METRIC.reconcileInvoicesExpired, 'invoices expired'),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Glase Payment API: errors and latency',
        left: [perMinute('GLASE_UNAVAILABLE', 'unavailable'), perMinute('GLASE_REJECTED', 'rejected')],
        right: ['sendInvoice', 'getPaymentStatus', 'cancelInvoice', 'refundPayment'].map(
          (operation) =>
            new Metric({
              namespace: METRICS_NAMESPACE,
              metricName: METRIC.glaseCallMs,
              dimensionsMap: { service: SERVICE_NAME, operation },
              statistic: 'p99',
              period: Duration.minutes(1),
              label: `${operation} p99 ms`,
            }),
        ),
        width: 8,
      }),
      new SingleValueWidget({
        title: 'Refunds pending too long',
        metrics: [
          custom(METRIC.refundsPendingOverdue).with({ statistic: 'Maximum', label: 'overdue refunds' }),
        ],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Dead-letter queues (messages waiting)',
        left: this.queues.map(({ name, queue }) =>
          queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), label: name }),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: 'Throttles and blocks',
        left: [
          ...Object.entries(functions).map(([name, fn]) =>
            fn.metricThrottles({ period: Duration.minutes(1), label: `${name} throttled` }),
          ),
          this.notificationMetric('4XXError').with({
            period: Duration.minutes(1),
            label: 'notifications refused',
          }),
          ...(this.props.webAclName
            ? [
                this.wafBlocked('ALL').with({ period: Duration.minutes(1), label: 'WAF blocked' }),
                this.wafBlocked(NOTIFICATION_RATE_RULE).with({
                  period: Duration.minutes(1),
                  label: 'WAF blocked notifications',
                }),
              ]
            : []),
        ],
        width: 8,
      }),
      new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 8, height: 6 }),
    );
  }

  private notificationMetric(metricName: string): Metric {
    const api = this.props.api;
    return new Metric({
      namespace: 'AWS/ApiGateway',
      metricName,
      dimensionsMap: {
        ApiName: api.restApiName,
        Stage: api.deploymentStage.stageName,
        Resource: NOTIFY_RESOURCE,
        Method: 'POST',
      },
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
  }

  private wafBlocked(rule: string): Metric {
    return new Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: { WebACL: this.props.webAclName ?? '', Region: Stack.of(this).region, Rule: rule },
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
  }

  private queue(id: string, what: string): Queue {
    const queue = new Queue(this, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    accept(queue, 'AwsSolutions-SQS3');
    this.queues.push({ name: what, queue });
    return queue;
  }

  private mailedTopic(email: string): Topic {
    const { account, region, partition } = Stack.of(this);
    const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    const key = new Key(this, 'AlarmsKey', {
      enableKeyRotation: true,
      description: 'glase-checkout alarm topic',
      // It only encrypts alarm messages in flight: scheduled for deletion with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // An encrypted topic is silent unless CloudWatch may use its key and publish to it.
    key.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
    const topic = new Topic(this, 'Alarms', {
      displayName: 'glase-checkout alarms',
      enforceSSL: true,
      masterKey: key,
    });
    topic.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
        },
      }),
    );
    topic.addSubscription(new EmailSubscription(email));
    return topic;
  }

  private alarm(id: string, description: string, metric: IMetric, threshold = 0): Alarm {
    const alarm = new Alarm(this, id, {
      alarmDescription: `glase-checkout: ${description}`,
      metric,
      threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (this.topic) alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}

function custom(metricName: string): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE_NAME },
    statistic: 'Sum',
    period: Duration.minutes(5),
  });
}
