/**
 * The stateless half of the AWS host, generated from lib/manifest.ts: one function per manifest
 * function (each behind a `live` alias that CodeDeploy shifts), the HTTP API routes (Cognito JWT
 * authorizer on `auth: 'required'` routes), queue workers, scheduled jobs, the alarms and their
 * subscribers, and the stage's dashboard. Safe to redeploy at any time; the data lives in the stateful stack.
 */
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CfnRoute, CfnStage, CorsHttpMethod, HttpApi, HttpMethod, LogGroupLogDestination, type HttpRoute, type HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, Metric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { LambdaApplication } from 'aws-cdk-lib/aws-codedeploy';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, UrlSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { FilterPattern, LogGroup, MetricFilter, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { env } from '../lambdas/platform/config.js';
import * as manifest from './manifest.js';
import type { AuthMode, BusinessEvent, FunctionSpec, QueueName } from './manifest.js';
import type { StatefulResources } from './stateful-stack.js';
import { CanaryDeployment, deploymentStrategyOf } from './constructs/canary-deployment.js';
import { CarrierSecrets } from './constructs/carrier-secrets.js';
import { PaymentEventSecret } from './constructs/payment-event-secret.js';
import { PaymentSecret } from './constructs/payment-secret.js';
import type { PaymentProviderName } from '../lambdas/payments/port.js';
import { OperationsDashboard } from './constructs/dashboard.js';
import { BUSINESS_METRICS_NAMESPACE, ManifestFunction } from './constructs/manifest-function.js';
import { QueueWorker } from './constructs/queue-worker.js';

/** The parts of the manifest the AWS host reads. Function names are plain strings so tests can add entries. */
export interface HostManifest {
  readonly functions: Readonly<Record<string, FunctionSpec>>;
  readonly routes: Readonly<Record<string, { readonly fn: string; readonly auth: AuthMode }>>;
  readonly workers: readonly { readonly queue: QueueName; readonly fn: string; readonly batchSize: number; readonly maxConcurrency?: number }[];
  readonly jobs: Readonly<Record<string, { readonly fn: string; readonly schedule: string }>>;
}

export const defaultManifest: HostManifest = {
  functions: manifest.functions,
  routes: manifest.routes,
  workers: manifest.workers,
  jobs: manifest.jobs,
};

/**
 * Gateway throttling in requests per second (steady rate, burst). An HTTP API limit is shared by every
 * client of a route (the gateway has no per-client limits): these cap what the backend takes (Lambda
 * concurrency, DynamoDB on-demand spend) when a client misbehaves; per-user limits live in the code.
 */
export const routeThrottles = {
  /** The stage default, so every route not named below: the reads. */
  read: { rateLimit: 100, burstLimit: 200 },
  /** POST, PUT, PATCH and DELETE routes: each a conditional write or a transaction, often over several items. */
  write: { rateLimit: 50, burstLimit: 100 },
  /** The writes that commit money or storage: placing an order, asking for an upload slot. */
  strict: { rateLimit: 10, burstLimit: 20 },
} as const;
export type ThrottleClass = keyof typeof routeThrottles;

/** Routes throttled as `strict`; a key that names no route of the manifest fails the synth. */
export const strictRoutes: readonly string[] = ['POST /v1/orders', 'POST /v1/uploads'];

export function throttleClassOf(routeKey: string): ThrottleClass {
  if (strictRoutes.includes(routeKey)) return 'strict';
  return manifest.splitRouteKey(routeKey).method === 'GET' ? 'read' : 'write';
}

/**
 * Business events that need a person: one occurrence in 5 minutes raises an alarm. The alarm exists
 * whether or not a function emits the event yet: it turns red
 * the day one does (RefundFailed: the timer-shard worker, when a refund's fourth attempt fails).
 */
export const alarmingEvents: readonly BusinessEvent[] = ['TimerParked', 'ArbitrationOverdue', 'RefundFailed', 'WebhookDead'];

/** The job whose sweep logs `timerLagSeconds` once per run (lambdas/jobs/timers.ts). */
export const TIMER_SWEEP_JOB = 'timers';
/** The key of that log line; the metric filter reads its number. */
export const TIMER_LAG_LOG_KEY = 'timerLagSeconds';
export const TIMER_LAG_METRIC = 'TimerLagSeconds';
/**
 * Timer lag that raises the alarm: three 5-minute sweeps. A healthy sweep leaves the oldest due timer
 * at most one schedule period (5 minutes) plus its run behind.
 */
export const TIMER_LAG_ALARM_SECONDS = 15 * 60;
/** A message this old in a DLQ is halfway to being deleted (DLQs keep 14 days, counted from the first send). */
export const DLQ_AGE_ALARM_SECONDS = 7 * 24 * 60 * 60;

/** Who receives the alarms, from the context (`-c alarmEmail=…`, `-c alarmWebhookUrl=https://…`). */
export interface AlarmSubscriptions {
  readonly email?: string;
  /** An HTTPS endpoint (a chat or paging integration); SNS posts each notification to it as JSON. */
  readonly webhookUrl?: string;
}

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

export interface ApiStackProps extends StackProps {
  readonly stage: string;
  readonly stateful: StatefulResources;
  /** Defaults to lib/manifest.ts. */
  readonly manifest?: HostManifest;
  /** Directory the manifest's entry paths are relative to; defaults to the project root. */
  readonly projectRoot?: string;
  readonly alarmSubscriptions?: AlarmSubscriptions;
  /** `-c cursorSecretVersion=<id>`: resolve this version of the cursor key (rotation, docs/runbook.md). */
  readonly cursorSecretVersion?: string;
  /**
   * `-c paymentProvider=simulated|stripe` (default stripe). Simulated accepts any `pay_…` reference: only
   * for a stage nobody pays on.
   */
  readonly paymentProvider?: PaymentProviderName;
}

export class ApiStack extends Stack {
  readonly httpApi: HttpApi;
  readonly apiStage: HttpStage;
  readonly functions: ReadonlyMap<string, ManifestFunction>;
  readonly workers: readonly QueueWorker[];
  /** Every alarm notifies this topic. */
  readonly alarmTopic: Topic;
  readonly deployments: ReadonlyMap<string, CanaryDeployment>;
  readonly dashboard: OperationsDashboard;
  /** Age of the oldest due, unfired timer, from the sweep's log line; absent without a timers job. */
  readonly timerLag: Metric | undefined;
  /** Business events for the platform's own consumers (EventBridge rules on it). */
  readonly eventBus: EventBus;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { stateful } = props;
    const spec = props.manifest ?? defaultManifest;

    const issuer = `https://cognito-idp.${this.region}.amazonaws.com/${stateful.userPool.userPoolId}`;
    const environment: Record<string, string> = {
      [env.TABLE_NAME]: stateful.table.tableName,
      [env.BUCKET_NAME]: stateful.bucket.bucketName,
      [env.JWT_ISSUER]: issuer,
      [env.JWT_JWKS_URL]: `${issuer}/.well-known/jwks.json`,
      [env.JWT_CLIENT_IDS]: stateful.userPoolClient.userPoolClientId,
      POWERTOOLS_SERVICE_NAME: 'aftersale',
      NODE_OPTIONS: '--enable-source-maps',
    };
    const queues = {} as Record<QueueName, IQueue>;
    for (const name of Object.keys(stateful.queues) as QueueName[]) queues[name] = stateful.queues[name].queue;

    const httpFunctions = new Set(Object.values(spec.routes).map((route) => route.fn));
    const functions = new Map<string, ManifestFunction>();
    for (const [name, fnSpec] of Object.entries(spec.functions)) {
      functions.set(
        name,
        new ManifestFunction(this, pascal(name), {
          name,
          spec: fnSpec,
          projectRoot: props.projectRoot ?? projectRoot,
          resources: {
            table: stateful.table,
            bucketArnExportName: stateful.bucketArnExportName,
            queues,
            cursorSecret: stateful.cursorSecret,
            ...(props.cursorSecretVersion && { cursorSecretVersion: props.cursorSecretVersion }),
          },
          environment,
          servesHttp: httpFunctions.has(name),
        }),
      );
    }
    this.functions = functions;
    // Business events on their own bus (platform/event-bus.ts): only the functions that declare `emits` may put them.
    this.eventBus = new EventBus(this, 'EventBus', { eventBusName: `aftersale-${props.stage}`, description: 'Aftersale business events (source aftersale, detail-type the event name)' });
    for (const [name, fn] of functions) {
      if (!(spec.functions[name] as FunctionSpec | undefined)?.emits?.length) continue;
      fn.function.addEnvironment(env.EVENT_BUS_NAME, this.eventBus.eventBusName);
      this.eventBus.grantPutEventsTo(fn.role);
    }
    // Signed webhooks: the carriers' keys, only for the functions that declare them.
    const signers = [...functions].filter(([name]) => (spec.functions[name] as FunctionSpec | undefined)?.carrierSecrets === 'read');
    if (signers.length > 0) {
      const carrierSecrets = new CarrierSecrets(this, 'CarrierSecrets', { stage: props.stage });
      for (const [, fn] of signers) carrierSecrets.grantTo(fn);
    }
    // The payment provider: its name for the functions that use it and, on Stripe, read access to the key.
    const payers = [...functions].filter(([name]) => (spec.functions[name] as FunctionSpec | undefined)?.paymentProvider === 'use');
    const paymentProvider = props.paymentProvider ?? 'stripe';
    for (const [, fn] of payers) fn.function.addEnvironment(env.PAYMENT_PROVIDER, paymentProvider);
    if (payers.length > 0 && paymentProvider === 'stripe') {
      const paymentSecret = new PaymentSecret(this, 'PaymentSecret', { stage: props.stage });
      for (const [, fn] of payers) paymentSecret.grantTo(fn);
    }
    // The payment provider's webhook (chargebacks): its signing key, only for the functions that declare it.
    const paymentEventReaders = [...functions].filter(([name]) => (spec.functions[name] as FunctionSpec | undefined)?.paymentEventSecret === 'read');
    if (paymentEventReaders.length > 0) {
      const paymentEventSecret = new PaymentEventSecret(this, 'PaymentEventSecret', { stage: props.stage, provider: paymentProvider });
      for (const [, fn] of paymentEventReaders) paymentEventSecret.grantTo(fn);
    }
    const application = new LambdaApplication(this, 'Deployments', { applicationName: `aftersale-${props.stage}` });
    // All at once in the dev stage, a canary in every other (lib/constructs/canary-deployment.ts).
    const strategy = deploymentStrategyOf(props.stage);
    this.deployments = new Map(
      [...functions].map(([name, fn]) => [name, new CanaryDeployment(this, `${pascal(name)}Deployment`, { application, fn, strategy })]),
    );
    const functionOf = (name: string, usedBy: string): ManifestFunction => {
      const fn = functions.get(name);
      if (!fn) throw new Error(`${usedBy} refers to function '${name}', which the manifest does not declare`);
      return fn;
    };

    const { httpApi, routes } = this.createHttpApi(props.stage, spec, stateful, functionOf);
    this.httpApi = httpApi;
    this.apiStage = this.createDefaultStage(routes);

    this.workers = spec.workers.map(
      (worker) =>
        new QueueWorker(this, `${pascal(worker.fn)}Consumes${pascal(worker.queue)}`, {
          worker: functionOf(worker.fn, `worker of queue '${worker.queue}'`),
          queue: stateful.queues[worker.queue],
          batchSize: worker.batchSize,
          maxConcurrency: worker.maxConcurrency,
        }),
    );

    for (const [name, job] of Object.entries(spec.jobs)) {
      new Rule(this, `${pascal(name)}Schedule`, {
        description: `Aftersale job '${name}'`,
        schedule: Schedule.expression(job.schedule),
        targets: [
          new LambdaFunction(functionOf(job.fn, `job '${name}'`).live, {
            retryAttempts: 2,
            maxEventAge: Duration.hours(1),
          }),
        ],
      });
    }

    const sweep = spec.jobs[TIMER_SWEEP_JOB];
    this.timerLag = sweep ? this.createTimerLagMetric(functionOf(sweep.fn, `job '${TIMER_SWEEP_JOB}'`)) : undefined;
    this.alarmTopic = this.createAlarms(stateful, props.alarmSubscriptions ?? {});
    this.dashboard = new OperationsDashboard(this, 'OperationsDashboard', {
      stage: props.stage,
      functions,
      queues: stateful.queues,
      businessEvents: manifest.businessEvents,
      httpApi: this.httpApi,
      ...(this.timerLag && { timerLag: this.timerLag }),
    });
    new CfnOutput(this, 'ApiUrl', { value: this.apiStage.url, description: 'Base URL of the Aftersale HTTP API' });
  }

  private createHttpApi(
    stage: string,
    spec: HostManifest,
    stateful: StatefulResources,
    functionOf: (name: string, usedBy: string) => ManifestFunction,
  ): { httpApi: HttpApi; routes: ReadonlyMap<string, HttpRoute> } {
    const httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `aftersale-${stage}`,
      description: 'Aftersale API (routes generated from lib/manifest.ts)',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: ['*'],
        allowMethods: [
          CorsHttpMethod.GET,
          CorsHttpMethod.POST,
          CorsHttpMethod.PUT,
          CorsHttpMethod.PATCH,
          CorsHttpMethod.DELETE,
          CorsHttpMethod.OPTIONS,
        ],
        allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
        exposeHeaders: ['Location'],
        maxAge: Duration.hours(1),
      },
    });
    const authorizer = new HttpUserPoolAuthorizer('CognitoAuthorizer', stateful.userPool, {
      userPoolClients: [stateful.userPoolClient],
    });

    // One integration per function, shared by all of its routes.
    const integrations = new Map<string, HttpLambdaIntegration>();
    const integrationOf = (name: string, usedBy: string): HttpLambdaIntegration => {
      let integration = integrations.get(name);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascal(name)}Integration`, functionOf(name, usedBy).live);
        integrations.set(name, integration);
      }
      return integration;
    };

    const routes = new Map<string, HttpRoute>();
    for (const [key, route] of Object.entries(spec.routes)) {
      const { method, path } = manifest.splitRouteKey(key);
      if (path === '/local' || path.startsWith('/local/')) {
        throw new Error(`Route '${key}': /local routes belong to the local host only and are never deployed`);
      }
      const [httpRoute] = httpApi.addRoutes({
        path,
        methods: [HttpMethod[method]],
        integration: integrationOf(route.fn, `route '${key}'`),
        ...(route.auth === 'required' ? { authorizer } : {}),
      });
      if (httpRoute) routes.set(key, httpRoute);
      if (route.auth !== 'required' && httpRoute) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            route.auth === 'none'
              ? `'${key}' is public by design (manifest auth: 'none').`
              : route.auth === 'signed'
                ? `'${key}' is a webhook (manifest auth: 'signed'): its callers have no user-pool token; the handler refuses any request not HMAC-signed with the sender's key (Secrets Manager) within 5 minutes.`
                : `'${key}' is public and richer when signed in (manifest auth: 'optional'); the gateway cannot make a JWT optional, so the handler verifies a bearer token itself against the same user pool (JWT_ISSUER / JWT_JWKS_URL).`,
        });
      }
    }
    const stale = strictRoutes.filter((key) => !routes.has(key));
    if (stale.length > 0) throw new Error(`strictRoutes names routes the manifest does not declare: ${stale.join(', ')}`);
    return { httpApi, routes };
  }

  private createDefaultStage(routes: ReadonlyMap<string, HttpRoute>): HttpStage {
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.ONE_MONTH });
    const stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: routeThrottles.read,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            userAgent: '$context.identity.userAgent',
          }),
        ),
      },
    });
    // The L2 stage has no per-route settings. Each is keyed by route key, and CloudFormation refuses a
    // stage naming a route that does not exist yet ("Unable to find Route by key"): hence the dependencies.
    const cfnStage = stage.node.defaultChild as CfnStage;
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const [key, route] of routes) {
      const throttleClass = throttleClassOf(key);
      if (throttleClass === 'read') continue;
      const { rateLimit, burstLimit } = routeThrottles[throttleClass];
      routeSettings[key] = { ThrottlingRateLimit: rateLimit, ThrottlingBurstLimit: burstLimit };
      cfnStage.addResourceDependency(route.node.defaultChild as CfnRoute, `route settings name ${key}`);
    }
    cfnStage.routeSettings = routeSettings;
    return stage;
  }

  /** The sweep logs `{ timerLagSeconds: n }` once per run; this filter makes it the metric TimerLagSeconds. */
  private createTimerLagMetric(sweep: ManifestFunction): Metric {
    new MetricFilter(this, 'TimerLagMetric', {
      logGroup: sweep.logGroup,
      metricNamespace: BUSINESS_METRICS_NAMESPACE,
      metricName: TIMER_LAG_METRIC,
      filterPattern: FilterPattern.numberValue(`$.${TIMER_LAG_LOG_KEY}`, '>=', 0),
      metricValue: `$.${TIMER_LAG_LOG_KEY}`,
    });
    return new Metric({ namespace: BUSINESS_METRICS_NAMESPACE, metricName: TIMER_LAG_METRIC, period: Duration.minutes(5), statistic: Stats.MAXIMUM });
  }

  private createAlarms(stateful: StatefulResources, subscriptions: AlarmSubscriptions): Topic {
    const alarms: Alarm[] = [...this.functions.values()].flatMap((fn) => fn.rollbackAlarms);
    for (const event of alarmingEvents) {
      alarms.push(
        new Alarm(this, `${event}Alarm`, {
          alarmDescription: `Aftersale: ${event} was logged (business event); find the details in the logs of the function that emits it, then docs/runbook.md.`,
          // The metric filters of the emitting functions publish it without dimensions, so one metric covers them all.
          metric: new Metric({ namespace: BUSINESS_METRICS_NAMESPACE, metricName: event, period: Duration.minutes(5), statistic: Stats.SUM }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    if (this.timerLag) {
      alarms.push(
        new Alarm(this, 'TimerLagAlarm', {
          alarmDescription: `Aftersale: a due timer has waited ${TIMER_LAG_ALARM_SECONDS / 60} minutes or more, or the sweep logged no lag for 15 minutes (it is not running). See docs/runbook.md.`,
          metric: this.timerLag,
          threshold: TIMER_LAG_ALARM_SECONDS,
          evaluationPeriods: 3,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          // The sweep logs the lag on every run, 0 included: no data means no sweep, and due timers wait.
          treatMissingData: TreatMissingData.BREACHING,
        }),
      );
    }
    for (const [name, queue] of Object.entries(stateful.queues)) {
      alarms.push(
        new Alarm(this, `${pascal(name)}DeadLettersAlarm`, {
          alarmDescription: `Aftersale: messages of the ${name} queue reached its dead-letter queue (${queue.description}). Redrive: docs/runbook.md.`,
          metric: queue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: Stats.MAXIMUM }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
        new Alarm(this, `${pascal(name)}DeadLettersAgeAlarm`, {
          alarmDescription: `Aftersale: a message has sat in the ${name} dead-letter queue for 7 days; SQS deletes it at 14. Redrive or settle it: docs/runbook.md.`,
          metric: queue.deadLetterQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: Stats.MAXIMUM }),
          threshold: DLQ_AGE_ALARM_SECONDS,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    alarms.push(
      new Alarm(this, 'Api5xxAlarm', {
        alarmDescription: 'Aftersale: the HTTP API answered 5 or more 5xx responses within 5 minutes.',
        metric: this.httpApi.metricServerError({ period: Duration.minutes(5), statistic: Stats.SUM }),
        threshold: 5,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    const topic = new Topic(this, 'AlarmTopic', { displayName: 'Aftersale alarms', enforceSSL: true, masterKey: Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns') });
    for (const alarm of alarms) alarm.addAlarmAction(new SnsAction(topic));
    // An email subscription waits for its confirmation link; an HTTPS endpoint must answer SNS's
    // SubscriptionConfirmation once (chat and paging integrations do).
    if (subscriptions.email !== undefined) topic.addSubscription(new EmailSubscription(assertEmail(subscriptions.email)));
    if (subscriptions.webhookUrl !== undefined) {
      topic.addSubscription(new UrlSubscription(assertHttpsUrl(subscriptions.webhookUrl), { protocol: SubscriptionProtocol.HTTPS }));
    }
    new CfnOutput(this, 'AlarmTopicArn', { value: topic.topicArn, description: 'Aftersale alarms (subscribe with -c alarmEmail=… or -c alarmWebhookUrl=https://…)' });
    return topic;
  }
}

/** An address SNS can mail; anything else fails the synth rather than a subscription nobody confirms. */
function assertEmail(value: string): string {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) throw new Error(`Context 'alarmEmail' must be an email address, got ${JSON.stringify(value)}`);
  return value;
}

/** Alarms say what is broken, so they travel over TLS only: http:// is refused. */
function assertHttpsUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`Context 'alarmWebhookUrl' must be a URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:') throw new Error(`Context 'alarmWebhookUrl' must use https, got ${value}`);
  return value;
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
