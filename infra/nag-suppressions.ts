import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Every cdk-nag AwsSolutions finding this stack accepts, with its reason. The README's
 * "cdk-nag suppressions" table lists the same; `test/infra` proves nothing else is reported.
 * Each is acknowledged on the construct that causes it, never for the whole stack.
 */
export const ACCEPTED_FINDINGS = {
  'AwsSolutions-IAM5[Resource::*]':
    'X-Ray tracing: xray:PutTraceSegments and PutTelemetryRecords have no resource-level permissions.',
  'AwsSolutions-IAM5[Action::kms:ReEncrypt*]':
    'Customer-managed table key only: the encrypt/decrypt grant DynamoDB needs, scoped to that one key.',
  'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]':
    'Customer-managed table key only: the encrypt/decrypt grant DynamoDB needs, scoped to that one key.',
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]':
    "API Gateway's account-level logging role: the managed policy is the one AWS documents for execution logs.",
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]':
    "CodeDeploy's role for shifting a Lambda alias between versions: the managed policy AWS documents for Lambda deployments, limited to functions and alarms.",
  'AwsSolutions-L1':
    'nodejs24.x is the Node line every test, npm start and the CLI run on (Node 24 from the npm registry), supported by Lambda to April 2028; nodejs26.x is a deliberate upgrade of both together.',
  'AwsSolutions-APIG4':
    'Glase cannot sign requests with IAM or Cognito: createPurchase is reached only through a secret URL key (or X-Auth-Token), checked in the handler, and notifications carry an HMAC signature.',
  'AwsSolutions-COG4': 'Glase cannot obtain Cognito tokens; see APIG4 for how callers are authenticated.',
  'AwsSolutions-SMG4':
    'The terminal password is issued by Glase and rotated with Glase; the signing key and URL key are held by open invoices and by Glase, so rotating them is a planned step (README: Rotate the secrets).',
  'AwsSolutions-SQS3':
    'This queue is the dead-letter queue of the reconciler schedule; it needs none of its own.',
  'AwsSolutions-APIG3': 'WAF was switched off on purpose with -c glase-checkout:waf=false.',
} as const;

export type AcceptedFinding = keyof typeof ACCEPTED_FINDINGS;

export function accept(scope: IConstruct, ...findings: AcceptedFinding[]): void {
  for (const finding of findings) {
    Validations.of(scope).acknowledge({ id: `AwsSolutions::${finding}`, reason: ACCEPTED_FINDINGS[finding] });
  }
}
