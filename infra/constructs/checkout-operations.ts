import { Duration } from 'aws-cdk-lib';
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
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { accept } from '../nag-suppressions.js';

export interface CheckoutOperationsProps {
  readonly api: RestApi;
  readonly functions: Readonly<Record<string, IFunction>>;
  readonly reconciler: IFunction;
  readonly alarmEmail?: string | undefined;
}

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
      description: 'glase-checkout: OrderPaid and OrderCanceled',
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
      onFailure: new SqsDestination(this.deadLetters),
    });

    if (props.alarmEmail) {
      this.topic = new Topic(this, 'Alarms', {
        displayName: 'glase-checkout alarms',
        enforceSSL: true,
        masterKey: new Key(this, 'AlarmsKey', {
          enableKeyRotation: true,
          description: 'glase-checkout alarm topic',
        }),
      });
      this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    }

    this.alarm(
      'Api5xx',
      'The API answered 5xx (Glase failures, bugs)',
      props.api.metricServerError({ period: Duration.minutes(5) }),
    );
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
        namespace: 'GlaseCheckout',
        metricName,
        dimensionsMap: { service: 'glase-checkout' },
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
      'DeadLettersWaiting',
      'A scheduled reconciler run failed and landed in the dead-letter queue',
      this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
    );
  }

  private alarm(id: string, description: string, metric: IMetric): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: `glase-checkout: ${description}`,
      metric,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (this.topic) alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
