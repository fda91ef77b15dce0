import {
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestValidator,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { AnyPrincipal, Effect, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnIPSet, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { accept } from '../nag-suppressions.js';

export interface CheckoutApiProps {
  readonly createPurchase: IFunction;
  readonly paymentNotification: IFunction;
  readonly allowedSourceIps: readonly string[];
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logRetention: RetentionDays;
  readonly waf: boolean;
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string } | undefined;
  /** The same cap the handler enforces, applied at the edge by WAF. */
  readonly maxBodyBytes: number;
}

/**
 * The REST API Glase calls (API Gateway v1, for resource policies, WAF and per-method
 * throttling): POST /webshop/createPurchase and POST /webshop/notify/{orderId}.
 */
export class CheckoutApi extends Construct {
  readonly api: RestApi;
  readonly createPurchaseUrl: string;

  constructor(scope: Construct, id: string, props: CheckoutApiProps) {
    super(scope, id);
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    const stageName = 'v1';
    this.api = new RestApi(this, 'Api', {
      description: 'Glase Instant Checkout: createPurchase and payment notifications',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      cloudWatchRole: true,
      deployOptions: {
        stageName,
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false, // would log bodies: customer addresses
        tracingEnabled: true,
        methodOptions: {
          // Notifications must never be throttled behind a burst of purchases.
          '/webshop/notify/{orderId}/POST': { throttlingRateLimit: 100, throttlingBurstLimit: 200 },
        },
      },
      policy: sourceIpPolicy(props.allowedSourceIps),
    });

    const validator = new RequestValidator(this, 'Validator', {
      restApi: this.api,
      validateRequestParameters: true,
      validateRequestBody: true, // only where a method declares a model; the handler validates createPurchase bodies
    });
    const webshop = this.api.root.addResource('webshop');
    // Server to server only, so no CORS; the handler validates the body and names the wrong field.
    const createPurchase = webshop
      .addResource('createPurchase')
      .addMethod('POST', new LambdaIntegration(props.createPurchase));
    const notify = webshop
      .addResource('notify')
      .addResource('{orderId}')
      .addMethod('POST', new LambdaIntegration(props.paymentNotification), {
        requestValidator: validator,
        requestParameters: { 'method.request.path.orderId': true, 'method.request.querystring.sig': true },
      });

    accept(createPurchase, 'AwsSolutions-APIG4', 'AwsSolutions-COG4');
    accept(notify, 'AwsSolutions-APIG4', 'AwsSolutions-COG4');
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      accept(
        cloudWatchRole,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      );
    }

    if (props.customDomain) {
      this.api.addDomainName('Domain', {
        domainName: props.customDomain.domainName,
        certificate: Certificate.fromCertificateArn(this, 'Certificate', props.customDomain.certificateArn),
      });
      this.createPurchaseUrl = `https://${props.customDomain.domainName}/webshop/createPurchase`;
    } else {
      this.createPurchaseUrl = this.api.urlForPath('/webshop/createPurchase');
    }

    if (props.waf) this.addWebAcl(props);
    else accept(this.api.deploymentStage, 'AwsSolutions-APIG3');
  }

  private addWebAcl(props: CheckoutApiProps): void {
    const rules: CfnWebACL.RuleProperty[] = [
      {
        name: 'BodyTooLarge',
        priority: 0,
        action: { block: {} },
        statement: {
          sizeConstraintStatement: {
            fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
            comparisonOperator: 'GT',
            size: props.maxBodyBytes,
            textTransformations: [{ priority: 0, type: 'NONE' }],
          },
        },
        visibilityConfig: visibility('BodyTooLarge'),
      },
      {
        name: 'RateLimitPerIp',
        priority: 1,
        action: { block: {} },
        statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: 'IP' } },
        visibilityConfig: visibility('RateLimitPerIp'),
      },
      {
        name: 'KnownBadInputs',
        priority: 2,
        overrideAction: { none: {} },
        statement: {
          managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesKnownBadInputsRuleSet' },
        },
        visibilityConfig: visibility('KnownBadInputs'),
      },
    ];
    if (props.allowedSourceIps.length > 0) {
      const allowed = new CfnIPSet(this, 'GlaseAddresses', {
        scope: 'REGIONAL',
        ipAddressVersion: 'IPV4',
        addresses: props.allowedSourceIps.map((ip) => (ip.includes('/') ? ip : `${ip}/32`)),
      });
      rules.push({
        name: 'OnlyGlase',
        priority: 3,
        action: { block: {} },
        statement: { notStatement: { statement: { ipSetReferenceStatement: { arn: allowed.attrArn } } } },
        visibilityConfig: visibility('OnlyGlase'),
      });
    }
    const acl = new CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('GlaseCheckoutApi'),
      rules,
    });
    new CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: acl.attrArn,
    });
  }
}

function visibility(metricName: string): CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: false };
}

/** With an allow-list, only those addresses may invoke the API at all. */
function sourceIpPolicy(allowed: readonly string[]): PolicyDocument | undefined {
  if (allowed.length === 0) return undefined;
  return new PolicyDocument({
    statements: [
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
      }),
      new PolicyStatement({
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
        conditions: { NotIpAddress: { 'aws:SourceIp': [...allowed] } },
      }),
    ],
  });
}
