import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { Duration, Fn, SecretValue, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Metric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alias, Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { FilterPattern, LogGroup, MetricFilter, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { env, queueUrlVariable } from '../../lambdas/platform/config.js';
import type { FunctionSpec, ObjectAccess, QueueName } from '../manifest.js';
import { tableKeys } from '../table.js';
import { objectGrantsOf } from './media-prefixes.js';

export const DEFAULT_MEMORY_MB = 1024;
export const DEFAULT_TIMEOUT_SECONDS = 10;

/**
 * Table actions per access level. `dynamodb:Scan` is deliberately absent: every access pattern is a
 * GetItem, a Query or a transaction (docs/architecture.md), and IAM holds the code to that.
 * Transactions need no actions of their own: DynamoDB authorizes each item operation inside them.
 */
const tableActions = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
} as const;

/**
 * Object actions per access level; a presigned POST or GET is signed with (and limited by) these, and a
 * copy needs `read` on its source and `write` on its target. Nothing deletes objects: lifecycle rules do.
 */
const objectActions = {
  read: ['s3:GetObject'],
  write: ['s3:PutObject'],
  readWrite: ['s3:GetObject', 's3:PutObject'],
} as const satisfies Record<ObjectAccess, readonly string[]>;

/** The CloudWatch namespace of the business metrics (orders placed, reviews published, …). */
export const BUSINESS_METRICS_NAMESPACE = 'Aftersale';

/** The alias every trigger invokes (routes, queues, schedules); CodeDeploy shifts it from version to version. */
const LIVE_ALIAS = 'live';

/**
 * The message platform/http.ts logs when a handler throws something that is not a DomainError: the
 * function still answers (a 500 problem), so Lambda counts no error, and this line is what tells.
 */
export const UNHANDLED_ERROR_MESSAGE = 'Unhandled error';

/** p99 an HTTP function may take before its latency alarm (and a canary rollback) fires. */
export const HTTP_P99_BUDGET_MS = 2_000;
/** Share of its timeout a worker's or job's p99 may reach: beyond, invocations are about to time out. */
const BACKGROUND_P99_TIMEOUT_SHARE = 0.8;
/** 5xx answers per 100 requests that raise the alarm, once a minute has at least MIN_REQUESTS_FOR_RATE requests. */
export const SERVER_ERROR_RATE_PERCENT = 5;
const MIN_REQUESTS_FOR_RATE = 10;

/**
 * ESM bundle for Node 24. The banner gives bundled CommonJS dependencies a `require` (esbuild's ESM
 * output has none). The AWS SDK is bundled too, so the deployed code runs the exact SDK versions of
 * package-lock.json that the integration tests ran against, not the runtime's.
 */
export const bundling: BundlingOptions = {
  format: OutputFormat.ESM,
  minify: true,
  sourceMap: true,
  target: 'node24',
  mainFields: ['module', 'main'],
  banner: "import { createRequire as __aftersaleCreateRequire } from 'node:module'; const require = __aftersaleCreateRequire(import.meta.url);",
  bundleAwsSDK: true,
  // Loaded by the SDK's HTTP protocols only through a dynamic import, for operations with event streams:
  // DynamoDB has none, so the 15 KB stay out of every bundle (the runtime's own SDK would resolve it).
  externalModules: ['@smithy/core/event-streams'],
  // Lambda provides credentials in the environment: the SDK's full default chain is dead weight.
  // And the endpoint-discovery cache the DynamoDB client builds needs four methods, not mnemonist's 7 KB.
  esbuildArgs: {
    '--alias:@aws-sdk/credential-provider-node': fileURLToPath(new URL('../../lambdas/platform/lambda-credentials.ts', import.meta.url)),
    '--alias:mnemonist/lru-cache': fileURLToPath(new URL('../../lambdas/platform/lru-cache.ts', import.meta.url)),
  },
  forceDockerBundling: false,
};

/** What a function can be granted: the stateful resources, as the API stack sees them. */
export interface FunctionResources {
  readonly table: ITable;
  /** The media bucket's ARN is imported by this export name for object-level grants (see StatefulResources). */
  readonly bucketArnExportName: string;
  readonly queues: Readonly<Record<QueueName, IQueue>>;
  /** The HMAC key of list cursors, given only to functions that declare `signsCursors`. */
  readonly cursorSecret: ISecret;
  /**
   * A version of that secret to resolve instead of its current one (docs/runbook.md, rotating it):
   * CloudFormation resolves a dynamic reference only when the template changes, and a new version id
   * is that change. Without it, AWSCURRENT.
   */
  readonly cursorSecretVersion?: string;
}

export interface ManifestFunctionProps {
  /** The manifest key, e.g. `orders`. */
  readonly name: string;
  readonly spec: FunctionSpec;
  /** Directory the manifest's `entry` paths are relative to (holds package-lock.json). */
  readonly projectRoot: string;
  readonly resources: FunctionResources;
  /** Variables every function gets (table, bucket, JWT settings, …); queue URLs and the cursor key are added per declaration. */
  readonly environment: Readonly<Record<string, string>>;
  /** Serves HTTP routes: latency is held to HTTP_P99_BUDGET_MS and its 5xx rate gets an alarm. */
  readonly servesHttp: boolean;
}

/**
 * One Lambda function of the manifest, with exactly the access its manifest entry declares and
 * nothing more: its own role (no AWS managed policies), its own log group (30 days), X-Ray tracing,
 * a `live` alias that every trigger invokes, and the alarms that roll a deployment back: errors,
 * p99 latency and, for HTTP functions, the 5xx rate. The alarms read the alias's metrics, so they see
 * exactly the traffic that a deployment shifts.
 */
export class ManifestFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly timeout: Duration;
  readonly live: Alias;
  readonly errorsAlarm: Alarm;
  readonly latencyAlarm: Alarm;
  /** HTTP functions only. */
  readonly serverErrorRateAlarm: Alarm | undefined;

  constructor(scope: Construct, id: string, props: ManifestFunctionProps) {
    super(scope, id);
    const { name, spec, resources } = props;
    this.timeout = Duration.seconds(spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);

    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Aftersale ${name}: ${spec.description}`,
    });
    // Instead of the AWSLambdaBasicExecutionRole managed policy (logs:* on every log group).
    this.logGroup.grantWrite(this.role);
    // Business events are log lines ({ businessEvent: … }); filters turn them into metrics, at no cost to the function.
    for (const event of spec.emits ?? []) {
      new MetricFilter(this, `${event}Metric`, {
        logGroup: this.logGroup,
        metricNamespace: BUSINESS_METRICS_NAMESPACE,
        metricName: event,
        filterPattern: FilterPattern.stringValue('$.businessEvent', '=', event),
        metricValue: '1',
      });
    }

    const environment: Record<string, string> = { ...props.environment };
    for (const queue of spec.sendsTo ?? []) {
      environment[queueUrlVariable(queue)] = resources.queues[queue].queueUrl;
    }
    if (spec.signsCursors) {
      // A CloudFormation dynamic reference resolved at deploy time: the key ends up as a plain
      // environment variable (encrypted at rest by Lambda, visible to whoever may read the function's
      // configuration). That trades a Secrets Manager call (latency, a cache, IAM) at every cold start
      // for zero init-time calls (decision 004); only the functions that sign cursors hold it.
      const key = resources.cursorSecretVersion
        ? SecretValue.secretsManager(resources.cursorSecret.secretArn, { versionId: resources.cursorSecretVersion })
        : resources.cursorSecret.secretValue;
      environment[env.CURSOR_SECRET] = key.unsafeUnwrap();
    }

    this.function = new NodejsFunction(this, 'Function', {
      description: spec.description,
      entry: path.join(props.projectRoot, spec.entry),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: spec.memoryMb ?? DEFAULT_MEMORY_MB,
      timeout: this.timeout,
      ...(spec.reservedConcurrency !== undefined && { reservedConcurrentExecutions: spec.reservedConcurrency }),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      environment,
      bundling,
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions (the X-Ray API only accepts Resource "*").',
    });

    if (spec.table !== 'none') {
      const table = resources.table;
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: [...tableActions[spec.table]],
          // The table and each named index: no `index/*` wildcard.
          resources: [table.tableArn, ...tableKeys.globalIndexes.map((index) => `${table.tableArn}/index/${index.indexName}`)],
        }),
      );
    }

    // Per prefix, never the whole bucket: identity documents (private/kyc/) stay out of reach of every
    // function that does not declare them.
    const media = Object.entries(objectGrantsOf(spec)) as [string, ObjectAccess][];
    for (const [objects, access] of media) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: [...objectActions[access]], resources: [Fn.join('', [Fn.importValue(resources.bucketArnExportName), `/${objects}`])] }),
      );
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resources.bucketArnExportName}/${objects}]`,
        reason: `Object keys under ${objects.slice(0, -1)} are generated per upload, so ${name} must address any key of that prefix; the actions there are limited to ${objectActions[access].join(', ')}.`,
      });
    }
    if (media.some(([, access]) => access !== 'write')) {
      // Without s3:ListBucket, S3 answers 403 (not 404) for a key that does not exist, and a reader could
      // not tell "never uploaded" from "not allowed". Keys carry no user data (generated upload ids).
      this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [Fn.importValue(resources.bucketArnExportName)] }));
    }

    for (const queue of spec.sendsTo ?? []) {
      resources.queues[queue].grantSendMessages(this.role);
    }

    this.live = new Alias(this, 'Live', { aliasName: LIVE_ALIAS, version: this.function.currentVersion });

    // 1-minute periods: a canary runs 5 minutes, and a 5-minute period could not turn red before all
    // the traffic had shifted. Latency and 5xx rate ask 3 breaching minutes of 5 (one slow minute is noise).
    this.errorsAlarm = new Alarm(this, 'ErrorsAlarm', {
      alarmDescription: `Aftersale ${name}: the function failed invocations (unhandled errors or timeouts).`,
      metric: this.live.metricErrors({ period: Duration.minutes(1), statistic: Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    const latencyThresholdMs = props.servesHttp ? HTTP_P99_BUDGET_MS : Math.round(this.timeout.toMilliseconds() * BACKGROUND_P99_TIMEOUT_SHARE);
    this.latencyAlarm = new Alarm(this, 'LatencyAlarm', {
      alarmDescription: `Aftersale ${name}: p99 duration above ${latencyThresholdMs} ms in 3 of the last 5 minutes.`,
      metric: this.live.metricDuration({ period: Duration.minutes(1), statistic: Stats.p(99) }),
      threshold: latencyThresholdMs,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.serverErrorRateAlarm = props.servesHttp ? this.createServerErrorRateAlarm(name) : undefined;
  }

  /** The alarms CodeDeploy watches while it shifts `live` to a new version: each one rolls it back. */
  get rollbackAlarms(): Alarm[] {
    return [this.errorsAlarm, this.latencyAlarm, ...(this.serverErrorRateAlarm ? [this.serverErrorRateAlarm] : [])];
  }

  /**
   * 5xx answers are the handler's caught unhandled errors (logged, answered as 500) plus the invocations
   * that failed outright (the gateway answers 502/503). The log line carries `function_name` (logger
   * context), which becomes the metric's FunctionName dimension: one metric per function.
   */
  private createServerErrorRateAlarm(name: string): Alarm {
    const dimension = 'FunctionName';
    new MetricFilter(this, 'UnhandledErrorsMetric', {
      logGroup: this.logGroup,
      metricNamespace: BUSINESS_METRICS_NAMESPACE,
      metricName: 'UnhandledErrors',
      filterPattern: FilterPattern.stringValue('$.message', '=', UNHANDLED_ERROR_MESSAGE),
      metricValue: '1',
      dimensions: { [dimension]: '$.function_name' },
    });
    const period = Duration.minutes(1);
    const rate = new MathExpression({
      label: `${name} 5xx %`,
      expression: `IF(requests >= ${MIN_REQUESTS_FOR_RATE}, 100 * (FILL(unhandled, 0) + FILL(failed, 0)) / requests, 0)`,
      usingMetrics: {
        requests: this.live.metricInvocations({ period, statistic: Stats.SUM }),
        failed: this.live.metricErrors({ period, statistic: Stats.SUM }),
        unhandled: new Metric({
          namespace: BUSINESS_METRICS_NAMESPACE,
          metricName: 'UnhandledErrors',
          dimensionsMap: { [dimension]: this.function.functionName },
          period,
          statistic: Stats.SUM,
        }),
      },
      period,
    });
    return new Alarm(this, 'ServerErrorRateAlarm', {
      alarmDescription: `Aftersale ${name}: ${SERVER_ERROR_RATE_PERCENT} % or more of its requests answered 5xx in 3 of the last 5 minutes.`,
      metric: rate,
      threshold: SERVER_ERROR_RATE_PERCENT,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
