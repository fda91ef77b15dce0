import { Duration, Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_SOURCE, MAILED_EVENTS } from '../../contract/events.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../contract/service.js';
import { accept } from '../nag-suppressions.js';

export interface CheckoutOperationsProps {
  readonly api: RestApi;
  readonly functions: Readonly<Record<string, IFunction>>;
  readonly reconciler: IFunction;
  readonly alarmEmail?: string | undefined;
  /** The WAF web ACL's name, for the blocked-requests alarm; none without WAF. */
  readonly webAclName?: string | undefined;
}

/** More than this many blocked requests in 5 minutes may be Glase locked out: someone must look. */
export const WAF_BLOCKED_THRESHOLD = 10;
/** More than this many 4XX answers in 5 minutes: a misconfigured caller, or Glase refused en masse. */
export const API_4XX_THRESHOLD = 25;

/**
 * What keeps the shop honest after deploy: the reconciler's schedule, the bus order events
 * go to, a dead-letter queue where a failed scheduled run lands, and the alarms.
 */
export class CheckoutOperations extends Construct {
  readonly bus: EventBus;
  readonly deadLetters: Queue;
  readonly alarms: Alarm[] = [];
  readonly topic?: Topic;

  constructor(scope: Construct, id: string, props: CheckoutOperationsProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'OrderEvents', {
      description: 'glase-checkout: OrderPaid, OrderCanceled and OrderRefunded',
    });

    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    accept(this.deadLetters, 'AwsSolutions-SQS3');
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

    if (props.alarmEmail) {
      const { account, region, partition } = Stack.of(this);
      const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
      const key = new Key(this, 'AlarmsKey', {
        enableKeyRotation: true,
        description: 'glase-checkout alarm topic',
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
      this.topic = new Topic(this, 'Alarms', {
        displayName: 'glase-checkout alarms',
        enforceSSL: true,
        masterKey: key,
      });
      this.topic.addToResourcePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          principals: [cloudWatch],
          actions: ['sns:Publish'],
          resources: [this.topic.topicArn],
          conditions: {
            StringEquals: { 'aws:SourceAccount': account },
            ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
          },
        }),
      );
      this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    }

    this.alarm(
      'Api5xx',
      'The API answered 5xx (Glase failures, bugs)',
      props.api.metricServerError({ period: Duration.minutes(5) }),
    );
    this.alarm(
      'Api4xxSpike',
      `More than ${API_4XX_THRESHOLD} 4XX answers in 5 minutes: a caller with a wrong URL key or token, or a flood`,
      props.api.metricClientError({ period: Duration.minutes(5) }),
      API_4XX_THRESHOLD,
    );
    if (props.webAclName) {
      this.alarm(
        'WafBlocking',
        `WAF blocked more than ${WAF_BLOCKED_THRESHOLD} requests in 5 minutes: check Glase is not among them`,
        new Metric({
          namespace: 'AWS/WAFV2',
          metricName: 'BlockedRequests',
          dimensionsMap: { WebACL: props.webAclName, Region: Stack.of(this).region, Rule: 'ALL' },
          statistic: 'Sum',
          period: Duration.minutes(5),
        }),
        WAF_BLOCKED_THRESHOLD,
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
    const custom = (metricName: string) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: SERVICE_NAME },
        statistic: 'Sum',
        period: Duration.minutes(5),
      });
    this.alarm(
      'PaymentCommittedLate',
      'The reconciler, not a notification, committed a payment: notifications are being lost',
      custom('ReconcilePaymentsCommitted'),
    );
    this.alarm('ReconcileErrors', 'The reconciler could not settle some orders', custom('ReconcileErrors'));
    this.alarm(
      'RefundsPendingOverdue',
      'A refund Glase never confirmed is still pending: ask Glase, then `orders settle-refund` (`orders list --pending-refunds`)',
      // The reconciler reports the count every minute: the largest in the period, not the sum.
      custom('RefundsPendingOverdue').with({ statistic: 'Maximum' }),
    );
    this.alarm(
      'NotConfigured',
      'A secret is missing or still a placeholder: purchases are refused with 503 until it is fixed',
      custom('NotConfigured'),
    );
    this.alarm(
      'CallerAuthNotConfigured',
      'The createPurchase URL key or X-Auth-Token secret is missing or weak: every purchase gets 503',
      custom('CallerAuthNotConfigured'),
    );
    this.alarm(
      'DeadLettersWaiting',
      'A scheduled reconciler run failed and landed in the dead-letter queue',
      this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
    );
  }

  /**
   * The shopper's mails: a rule sends OrderPaid and OrderRefunded to `mailer`. Delivery and the
   * function's own failures are retried (EventBridge, then Lambda's async retries), then parked
   * in a queue of their own with an alarm: a mail that could not go out is seen and can be
   * redriven, never lost in silence.
   */
  mailShoppers(mailer: IFunction): Queue {
    const failed = new Queue(this, 'MailDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    accept(failed, 'AwsSolutions-SQS3');
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

  private alarm(id: string, description: string, metric: IMetric, threshold = 0): void {
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
  }
}
