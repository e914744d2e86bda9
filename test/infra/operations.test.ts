/**
 * Safe deploys and operations, as `cdk synth -c stage=… -c alarmEmail=… -c alarmWebhookUrl=…` builds
 * them from the real manifest: the `live` aliases every trigger invokes, the CodeDeploy groups that
 * shift them, the alarms that roll them back, who receives the alarms, the timer-lag metric and the
 * dashboard. Bundling is skipped (`aws:cdk:bundling-stacks: []`): api-stack.test.ts bundles every entry.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { defineAftersale, type Aftersale } from '../../bin/aftersale.js';
import { alarmingEvents, DLQ_AGE_ALARM_SECONDS, TIMER_LAG_ALARM_SECONDS, TIMER_SWEEP_JOB } from '../../lib/api-stack.js';
import { HTTP_P99_BUDGET_MS, SERVER_ERROR_RATE_PERCENT } from '../../lib/constructs/manifest-function.js';
import { businessEvents, functions, jobs, queues, routes, workers } from '../../lib/manifest.js';
import { operationRoutes } from '../../lib/routes/operations.js';
import { httpFunction } from '../../lambdas/platform/http.js';
import { cdkContext, type CfnResource } from './support.js';

function build(context: Record<string, unknown>): Aftersale {
  return defineAftersale(new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], ...context } }));
}

const functionNames = Object.keys(functions) as (keyof typeof functions)[];
const httpFunctions = new Set<string>(Object.values(routes).map((route) => route.fn));

let prod: Aftersale;
let template: Template;
beforeAll(() => {
  prod = build({ stage: 'prod' });
  template = Template.fromStack(prod.api);
}, 120_000);

const resources = (type: string, of: Template = template): Record<string, CfnResource> => of.findResources(type) as Record<string, CfnResource>;
const idOf = (aftersale: Aftersale, element: { node: { defaultChild?: unknown } }): string =>
  aftersale.api.getLogicalId(element.node.defaultChild as CfnElement);
const fnOf = (aftersale: Aftersale, name: string) => {
  const fn = aftersale.api.functions.get(name);
  if (!fn) throw new Error(`no function ${name}`);
  return fn;
};
const aliasId = (name: string): string => idOf(prod, fnOf(prod, name).live);
const alarmId = (alarm: { node: { defaultChild?: unknown } }): string => idOf(prod, alarm);

describe('live aliases', () => {
  it('publishes every function as a version behind an alias named live', () => {
    expect(Object.keys(resources('AWS::Lambda::Alias'))).toHaveLength(functionNames.length);
    for (const name of functionNames) {
      const fn = fnOf(prod, name);
      const alias = resources('AWS::Lambda::Alias')[aliasId(name)];
      expect(alias?.Properties, name).toMatchObject({
        Name: 'live',
        FunctionName: { Ref: idOf(prod, fn.function) },
        // The version CDK publishes whenever the code or configuration changes (its id carries their hash).
        FunctionVersion: { 'Fn::GetAtt': [prod.api.resolve((fn.function.currentVersion.node.defaultChild as CfnElement).logicalId), 'Version'] },
      });
    }
  });

  it('points every route integration, queue event source and schedule at the alias, never at $LATEST', () => {
    for (const integration of Object.values(resources('AWS::ApiGatewayV2::Integration'))) {
      expect(JSON.stringify(integration.Properties['IntegrationUri'])).toMatch(new RegExp(`"Ref":"(${functionNames.map(aliasId).join('|')})"`));
    }
    expect(Object.keys(resources('AWS::ApiGatewayV2::Integration'))).toHaveLength(httpFunctions.size);
    const mappings = Object.values(resources('AWS::Lambda::EventSourceMapping')).map((mapping) => JSON.stringify(mapping.Properties['FunctionName']));
    expect(mappings).toHaveLength(workers.length);
    for (const worker of workers) {
      // The alias's name-qualified form: `<function name>:live`, the function name cut from the alias ARN.
      expect(mappings, worker.fn).toContain(JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: aliasId(worker.fn) }] }] }, ':live']] }));
    }
    for (const job of Object.values(jobs)) {
      template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: job.schedule, Targets: [Match.objectLike({ Arn: { Ref: aliasId(job.fn) } })] });
    }
    // The gateway and EventBridge may invoke the alias (the permissions name it, not the function).
    for (const permission of Object.values(resources('AWS::Lambda::Permission'))) {
      expect(JSON.stringify(permission.Properties['FunctionName'])).toMatch(new RegExp(`"Ref":"(${functionNames.map(aliasId).join('|')})"`));
    }
  });
});

describe('deployments', () => {
  const groups = (of: Template): CfnResource[] => Object.values(resources('AWS::CodeDeploy::DeploymentGroup', of));

  it('shifts each function in prod as a 10 % canary for 5 minutes, rolling back on its alarms', () => {
    expect(groups(template)).toHaveLength(functionNames.length);
    for (const name of functionNames) {
      const fn = fnOf(prod, name);
      const group = prod.api.deployments.get(name)?.deploymentGroup;
      const resource = resources('AWS::CodeDeploy::DeploymentGroup')[idOf(prod, group ?? fn)];
      expect(resource?.Properties, name).toMatchObject({
        DeploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
        AutoRollbackConfiguration: { Enabled: true, Events: expect.arrayContaining(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM']) },
        AlarmConfiguration: { Enabled: true },
      });
      const watched = JSON.stringify((resource?.Properties['AlarmConfiguration'] as { Alarms: unknown[] }).Alarms);
      const expected = [fn.errorsAlarm, fn.latencyAlarm, ...(httpFunctions.has(name) ? [fn.serverErrorRateAlarm] : [])];
      for (const alarm of expected) expect(watched, name).toContain(alarmId(alarm ?? fn));
      expect(fn.serverErrorRateAlarm === undefined, name).toBe(!httpFunctions.has(name));
      // CloudFormation hands the alias update to CodeDeploy instead of switching it at once.
      template.hasResource('AWS::Lambda::Alias', { Properties: { Name: 'live', FunctionName: { Ref: idOf(prod, fn.function) } }, UpdatePolicy: { CodeDeployLambdaAliasUpdate: Match.objectLike({ DeploymentGroupName: { Ref: idOf(prod, group ?? fn) } }) } });
    }
  });

  it('deploys the dev stage (the default) all at once, still rolling back on alarms', () => {
    const dev = Template.fromStack(build({}).api);
    expect(groups(dev)).toHaveLength(functionNames.length);
    for (const group of groups(dev)) {
      expect(group.Properties).toMatchObject({ DeploymentConfigName: 'CodeDeployDefault.LambdaAllAtOnce', AlarmConfiguration: { Enabled: true } });
    }
  });
});

describe('rollback alarms', () => {
  const alarm = (construct: { node: { defaultChild?: unknown } }): CfnResource | undefined => resources('AWS::CloudWatch::Alarm')[alarmId(construct)];

  it('holds HTTP functions to a p99 budget and background functions to most of their timeout, on the alias', () => {
    for (const name of functionNames) {
      const fn = fnOf(prod, name);
      const timeoutMs = fn.timeout.toMilliseconds();
      expect(alarm(fn.latencyAlarm)?.Properties, name).toMatchObject({
        MetricName: 'Duration',
        ExtendedStatistic: 'p99',
        Period: 60,
        Threshold: httpFunctions.has(name) ? HTTP_P99_BUDGET_MS : 0.8 * timeoutMs,
        Dimensions: expect.arrayContaining([{ Name: 'Resource', Value: expect.anything() }]),
      });
      expect(alarm(fn.errorsAlarm)?.Properties, name).toMatchObject({ MetricName: 'Errors', Period: 60, Threshold: 1 });
    }
  });

  it('alarms on the 5xx rate of each HTTP function: its logged unhandled errors plus failed invocations, over its requests', () => {
    for (const name of httpFunctions) {
      const fn = fnOf(prod, name);
      const props = alarm(fn.serverErrorRateAlarm ?? fn)?.Properties;
      expect(props, name).toMatchObject({ Threshold: SERVER_ERROR_RATE_PERCENT, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      const metrics = props?.['Metrics'] as { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string } } }[];
      expect(metrics.find((metric) => metric.Expression)?.Expression).toBe('IF(requests >= 10, 100 * (FILL(unhandled, 0) + FILL(failed, 0)) / requests, 0)');
      expect(Object.fromEntries(metrics.filter((metric) => metric.MetricStat).map((metric) => [metric.Id, metric.MetricStat?.Metric.MetricName]))).toEqual({
        requests: 'Invocations',
        failed: 'Errors',
        unhandled: 'UnhandledErrors',
      });
      // The handler answers 500 for an unhandled error and logs it; this filter counts those lines per function
      // (the next test holds the log line to this pattern).
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: { Ref: idOf(prod, fn.logGroup) },
        FilterPattern: '{ $.message = "Unhandled error" }',
        MetricTransformations: [Match.objectLike({ MetricName: 'UnhandledErrors', MetricNamespace: 'Aftersale', Dimensions: [{ Key: 'FunctionName', Value: '$.function_name' }] })],
      });
    }
  });
});

describe('the line the 5xx filter counts', () => {
  it('is what a route handler logs when it throws something that is not a DomainError, with the function name', async () => {
    const handler = httpFunction({ 'GET /v1/health': operationRoutes['GET /v1/health'] }, { 'GET /v1/health': () => Promise.reject(new Error('disk on fire')) });
    const lines: string[] = [];
    // Errors go to stderr: CloudWatch takes both streams into the function's log group.
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      });
    }
    const event = { routeKey: 'GET /v1/health', rawPath: '/v1/health', headers: {}, requestContext: { requestId: 'req-5xx' } } as unknown as APIGatewayProxyEventV2;
    const context = { functionName: 'Aftersale-prod-Api-OrdersFunction', functionVersion: '7', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:Aftersale-prod-Api-OrdersFunction:live', memoryLimitInMB: '1024', awsRequestId: 'aws-req' } as Context;
    const response = await handler(event, context).finally(() => vi.restoreAllMocks());

    expect(response.statusCode).toBe(500);
    const logged = lines.flatMap((line) => line.split('\n')).filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    // CloudWatch's `{ $.message = "Unhandled error" }` and the dimension `$.function_name`.
    expect(logged.filter((line) => line['message'] === 'Unhandled error')).toEqual([expect.objectContaining({ level: 'ERROR', function_name: context.functionName })]);
  });
});

describe('operational alarms', () => {
  const alarms = (): CfnResource[] => Object.values(resources('AWS::CloudWatch::Alarm'));

  it('reads the timer lag from the sweep’s log line and alarms after 15 minutes of lag or of silence', () => {
    const sweep = fnOf(prod, jobs[TIMER_SWEEP_JOB].fn);
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: idOf(prod, sweep.logGroup) },
      FilterPattern: '{ $.timerLagSeconds >= 0 }',
      MetricTransformations: [{ MetricName: 'TimerLagSeconds', MetricNamespace: 'Aftersale', MetricValue: '$.timerLagSeconds' }],
    });
    const lag = alarms().filter((candidate) => candidate.Properties['MetricName'] === 'TimerLagSeconds');
    expect(lag).toHaveLength(1);
    expect(lag[0]?.Properties).toMatchObject({
      Namespace: 'Aftersale',
      Statistic: 'Maximum',
      Threshold: TIMER_LAG_ALARM_SECONDS,
      EvaluationPeriods: 3,
      TreatMissingData: 'breaching',
    });
    expect(TIMER_LAG_ALARM_SECONDS).toBe(900);
  });

  it('alarms on each dead-letter queue’s oldest message at 7 days, halfway to its 14-day retention', () => {
    const aged = alarms().filter((candidate) => candidate.Properties['MetricName'] === 'ApproximateAgeOfOldestMessage');
    expect(aged).toHaveLength(Object.keys(queues).length);
    for (const name of Object.keys(queues) as (keyof typeof queues)[]) {
      const dlqId = prod.stateful.getLogicalId(prod.stateful.queues[name].deadLetterQueue.node.defaultChild as CfnElement);
      const alarm = aged.find((candidate) => JSON.stringify(candidate.Properties['Dimensions']).includes(dlqId));
      expect(alarm?.Properties, name).toMatchObject({ Namespace: 'AWS/SQS', Threshold: DLQ_AGE_ALARM_SECONDS, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    }
    expect(DLQ_AGE_ALARM_SECONDS).toBe(7 * 86_400);
  });

  it('alarms on overdue arbitration and failed refunds, business events of the manifest', () => {
    expect(alarmingEvents).toEqual(expect.arrayContaining(['TimerParked', 'ArbitrationOverdue', 'RefundFailed']));
    for (const event of alarmingEvents) {
      expect(businessEvents).toContain(event);
      const alarm = alarms().find((candidate) => candidate.Properties['MetricName'] === event);
      expect(alarm?.Properties, event).toMatchObject({ Namespace: 'Aftersale', Statistic: 'Sum', Threshold: 1, TreatMissingData: 'notBreaching' });
    }
  });
});

describe('alarm subscriptions from the context', () => {
  const subscriptions = (aftersale: Aftersale): Record<string, unknown>[] =>
    Object.values(resources('AWS::SNS::Subscription', Template.fromStack(aftersale.api))).map((subscription) => subscription.Properties);

  it('has none unless asked', () => {
    expect(subscriptions(prod)).toEqual([]);
  });

  it('subscribes an email address and an HTTPS endpoint to the alarm topic', () => {
    const aftersale = build({ alarmEmail: 'oncall@aftersale.test', alarmWebhookUrl: 'https://hooks.aftersale.test/alarms' });
    const topic = { Ref: idOf(aftersale, aftersale.api.alarmTopic) };
    expect(subscriptions(aftersale)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Protocol: 'email', Endpoint: 'oncall@aftersale.test', TopicArn: topic }),
        expect.objectContaining({ Protocol: 'https', Endpoint: 'https://hooks.aftersale.test/alarms', TopicArn: topic }),
      ]),
    );
    expect(subscriptions(aftersale)).toHaveLength(2);
  });

  it('refuses a webhook that is not https and an address that is not one', () => {
    expect(() => build({ alarmWebhookUrl: 'http://hooks.aftersale.test/alarms' })).toThrow(/alarmWebhookUrl.*https/);
    expect(() => build({ alarmWebhookUrl: 'hooks.aftersale.test' })).toThrow(/alarmWebhookUrl/);
    expect(() => build({ alarmEmail: 'oncall' })).toThrow(/alarmEmail/);
    expect(() => build({ alarmEmail: ['oncall@aftersale.test'] })).toThrow(/alarmEmail/);
  });
});

describe('dashboard', () => {
  it('shows business events, errors, p50/p99 per function, queue and DLQ depths and timer lag, one per stage', () => {
    const dashboards = Object.values(resources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]?.Properties['DashboardName']).toBe('aftersale-prod');
    const body = JSON.stringify(template.toJSON()['Resources'][idOf(prod, prod.api.dashboard.dashboard)].Properties.DashboardBody);
    for (const title of ['Business events', 'Function errors', 'Duration p50', 'Duration p99', 'Queue depth', 'Dead-letter queue depth', 'Timer lag']) {
      expect(body, title).toContain(title);
    }
    for (const event of businessEvents) expect(body, event).toContain(`\\"${event}\\"`);
    expect(body).toContain('TimerLagSeconds');
    expect(body).toContain('p99');
    for (const name of functionNames) expect(body, name).toContain(`\\"label\\":\\"${name}\\"`);
    for (const name of Object.keys(queues)) expect(body, name).toContain(`\\"label\\":\\"${name} DLQ\\"`);
  });
});
