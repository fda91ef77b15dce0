import { Fn, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestValidator,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { AnyPrincipal, Effect, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnIPSet, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { CREATE_PURCHASE_RESOURCE, NOTIFY_PATH_PREFIX, NOTIFY_RESOURCE } from '../../contract/routes.js';
import { accept } from '../nag-suppressions.js';

export interface Throttle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface CheckoutApiProps {
  /** Names the API after the stage, so two stages in one account are told apart. */
  readonly stage: string;
  readonly createPurchase: IFunction;
  readonly paymentNotification: IFunction;
  /** `url-key` puts the secret key in the path: /webshop/{urlKey}/createPurchase. */
  readonly callerAuth: 'url-key' | 'token' | 'none';
  readonly allowedSourceIps: readonly string[];
  /** Each route its own bucket: a flood of one can never use up the other's. */
  readonly throttle: { readonly createPurchase: Throttle; readonly notification: Throttle };
  readonly logRetention: RetentionDays;
  /** WAF in front, with these per-address limits (per 5 minutes); none when undefined. */
  readonly waf?: { readonly rateLimit: number; readonly notificationRateLimit: number } | undefined;
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string } | undefined;
  /** The same cap the handler enforces, applied at the edge by WAF. */
  readonly maxBodyBytes: number;
}

/** Our error envelope, for the answers API Gateway gives itself (unknown route, throttled, 5xx). */
const errorBody = (code: string, message = '$context.error.messageString') =>
  `{"error":{"code":"${code}","message":${message}}}`;

/**
 * The REST API Glase calls (API Gateway v1, for resource policies, WAF and per-method
 * throttling): POST /webshop/{urlKey}/createPurchase (or /webshop/createPurchase) and
 * POST the notification (both routes: contract/routes.ts).
 */
export class CheckoutApi extends Construct {
  readonly api: RestApi;
  readonly createPurchaseUrl: string;
  /** The DNS name a custom domain must point at. */
  readonly domainTarget?: string;
  /** The web ACL's name (generated), for its metrics; none without WAF. */
  readonly webAclName?: string;
  /** Where notifications arrive, as API Gateway's per-method metrics name it. */
  readonly notificationMethod = { resource: NOTIFY_RESOURCE, method: 'POST' } as const;

  constructor(scope: Construct, id: string, props: CheckoutApiProps) {
    super(scope, id);
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    const stageName = 'v1';
    const purchasePath = CREATE_PURCHASE_RESOURCE[props.callerAuth === 'url-key' ? 'url-key' : 'plain'];
    this.api = new RestApi(this, 'Api', {
      restApiName: `glase-checkout-${props.stage}`,
      description: 'Glase Instant Checkout: createPurchase and payment notifications',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // Execution and access logs need the account's API Gateway CloudWatch role, one per
      // account and region. Every stage sets it to a role of its own and keeps that role when
      // the stage is deleted, so the account's setting never points at a deleted role whichever
      // stage was deployed last.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName,
        throttlingRateLimit: props.throttle.createPurchase.rateLimit,
        throttlingBurstLimit: props.throttle.createPurchase.burstLimit,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        // Resource paths only (/webshop/{urlKey}/createPurchase): the request path holds the key.
        accessLogFormat: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            httpMethod: '$context.httpMethod',
            resourcePath: '$context.resourcePath',
            status: '$context.status',
            responseLength: '$context.responseLength',
            integrationLatency: '$context.integration.latency',
            wafStatus: '$context.waf.status',
          }),
        ),
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false, // would log bodies (customer addresses) and paths (the key)
        // API Gateway's trace segments record the whole request URL: the createPurchase key in
        // the path and the notification's signature in the query. The functions trace themselves.
        tracingEnabled: false,
        methodOptions: {
          [`${purchasePath}/POST`]: {
            throttlingRateLimit: props.throttle.createPurchase.rateLimit,
            throttlingBurstLimit: props.throttle.createPurchase.burstLimit,
          },
          // Notifications are never throttled behind a burst of purchases; their own metrics
          // (4XX: throttled, blocked or forged) feed the NotificationsRefused alarm.
          [`${NOTIFY_RESOURCE}/POST`]: {
            throttlingRateLimit: props.throttle.notification.rateLimit,
            throttlingBurstLimit: props.throttle.notification.burstLimit,
            metricsEnabled: true,
          },
        },
      },
      policy: sourceIpPolicy(props.allowedSourceIps),
    });
    // An unknown route, a missing key and a wrong key all look the same: 404 in our envelope.
    this.api.addGatewayResponse('NotFound', {
      type: ResponseType.MISSING_AUTHENTICATION_TOKEN,
      statusCode: '404',
      templates: { 'application/json': errorBody('NOT_FOUND', '"no such resource"') },
    });
    this.api.addGatewayResponse('Default4xx', {
      type: ResponseType.DEFAULT_4XX,
      templates: { 'application/json': errorBody('$context.error.responseType') },
    });
    this.api.addGatewayResponse('Default5xx', {
      type: ResponseType.DEFAULT_5XX,
      templates: { 'application/json': errorBody('$context.error.responseType') },
    });

    // Server to server only, so no CORS; the handler validates the body and names the wrong field.
    const createPurchase = this.api.root
      .resourceForPath(purchasePath)
      .addMethod('POST', new LambdaIntegration(props.createPurchase));
    const validator = new RequestValidator(this, 'Validator', {
      restApi: this.api,
      validateRequestParameters: true,
      // Only where a method declares a model (none does): the handlers validate bodies and name the field.
      validateRequestBody: true,
    });
    // `sig` is not required here: the handler checks it and answers 403 in our envelope.
    const notify = this.api.root
      .resourceForPath(NOTIFY_RESOURCE)
      .addMethod('POST', new LambdaIntegration(props.paymentNotification), {
        requestValidator: validator,
        requestParameters: { 'method.request.path.orderId': true },
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
      const domain = this.api.addDomainName('Domain', {
        domainName: props.customDomain.domainName,
        certificate: Certificate.fromCertificateArn(this, 'Certificate', props.customDomain.certificateArn),
        endpointType: EndpointType.REGIONAL,
      });
      this.domainTarget = domain.domainNameAliasDomainName;
      this.createPurchaseUrl = `https://${props.customDomain.domainName}${purchasePath}`;
    } else {
      this.createPurchaseUrl = this.api.urlForPath(purchasePath);
    }

    if (props.waf) this.webAclName = this.addWebAcl(props, props.waf);
    else accept(this.api.deploymentStage, 'AwsSolutions-APIG3');
  }

  private addWebAcl(
    props: CheckoutApiProps,
    waf: { rateLimit: number; notificationRateLimit: number },
  ): string {
    const allowed =
      props.allowedSourceIps.length > 0
        ? new CfnIPSet(this, 'GlaseAddresses', {
            scope: 'REGIONAL',
            ipAddressVersion: 'IPV4',
            addresses: props.allowedSourceIps.map((ip) => (ip.includes('/') ? ip : `${ip}/32`)),
          })
        : undefined;
    // Glase calls from a few addresses: allow-listed, they never count against the per-address
    // limits meant for everyone else. Notifications have a limit of their own, so a flood of
    // forged ones from one address is cut off there and cannot crowd out Glase's.
    const notification: CfnWebACL.StatementProperty = {
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: 'CONTAINS',
        searchString: NOTIFY_PATH_PREFIX,
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    };
    const notNotification: CfnWebACL.StatementProperty = { notStatement: { statement: notification } };
    const notGlase: CfnWebACL.StatementProperty | undefined = allowed
      ? { notStatement: { statement: { ipSetReferenceStatement: { arn: allowed.attrArn } } } }
      : undefined;
    const except = (statement: CfnWebACL.StatementProperty): CfnWebACL.StatementProperty =>
      notGlase ? { andStatement: { statements: [notGlase, statement] } } : statement;
    const rules: CfnWebACL.RuleProperty[] = [
      {
        name: 'BodyTooLarge',
        priority: 0,
        action: { block: { customResponse: { responseCode: 413, customResponseBodyKey: 'tooLarge' } } },
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
        action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: 'throttled' } } },
        statement: {
          rateBasedStatement: {
            limit: waf.rateLimit,
            aggregateKeyType: 'IP',
            scopeDownStatement: except(notNotification),
          },
        },
        visibilityConfig: visibility('RateLimitPerIp'),
      },
      {
        name: NOTIFICATION_RATE_RULE,
        priority: 2,
        action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: 'throttled' } } },
        statement: {
          rateBasedStatement: {
            limit: waf.notificationRateLimit,
            aggregateKeyType: 'IP',
            scopeDownStatement: except(notification),
          },
        },
        visibilityConfig: visibility(NOTIFICATION_RATE_RULE),
      },
      {
        name: 'KnownBadInputs',
        priority: 3,
        overrideAction: { none: {} },
        statement: {
          managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesKnownBadInputsRuleSet' },
        },
        visibilityConfig: visibility('KnownBadInputs'),
      },
    ];
    if (allowed) {
      rules.push({
        name: 'OnlyGlase',
        priority: 4,
        action: { block: { customResponse: { responseCode: 403, customResponseBodyKey: 'blocked' } } },
        statement: { notStatement: { statement: { ipSetReferenceStatement: { arn: allowed.attrArn } } } },
        visibilityConfig: visibility('OnlyGlase'),
      });
    }
    const json = (code: string, message: string) => ({
      contentType: 'APPLICATION_JSON',
      content: JSON.stringify({ error: { code, message } }),
    });
    // No fixed name: CloudFormation generates one, so a replacement never collides with the old ACL.
    const acl = new CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('GlaseCheckoutApi'),
      customResponseBodies: {
        tooLarge: json('PAYLOAD_TOO_LARGE', 'request body is too large'),
        throttled: json('TOO_MANY_REQUESTS', 'too many requests from this address; retry later'),
        blocked: json('FORBIDDEN', 'this address may not call this API'),
      },
      rules,
    });
    new CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: acl.attrArn,
    });
    // Ref is "name|id|scope".
    return Fn.select(0, Fn.split('|', acl.ref));
  }
}

/** The WAF rule that limits notifications per address; the NotificationsBlocked alarm watches it. */
export const NOTIFICATION_RATE_RULE = 'NotificationRateLimitPerIp';

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
