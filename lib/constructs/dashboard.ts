import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Dashboard, GraphWidget, type IMetric, Metric, Stats, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { DeadLetteredQueue } from './dead-lettered-queue.js';
import { BUSINESS_METRICS_NAMESPACE, type ManifestFunction } from './manifest-function.js';

export interface OperationsDashboardProps {
  readonly stage: string;
  readonly functions: ReadonlyMap<string, ManifestFunction>;
  readonly queues: Readonly<Record<string, DeadLetteredQueue>>;
  /** Business events to count (lib/manifest.ts `businessEvents`). */
  readonly businessEvents: readonly string[];
  readonly httpApi: HttpApi;
  /** Age of the oldest due, unfired timer, if the stack has a timer sweep. */
  readonly timerLag?: IMetric;
}

const FIVE_MINUTES = Duration.minutes(5);
const WIDTH = 12;

/**
 * One dashboard per stage (`aftersale-<stage>`), read top to bottom: what the business did, what
 * failed, how long it took, what is waiting. Every function is read through its `live` alias, the
 * same metrics the alarms and a canary's rollback watch.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const functions = [...props.functions.entries()];
    const queues = Object.entries(props.queues);
    const perFunction = (metricOf: (fn: ManifestFunction) => Metric): IMetric[] =>
      functions.map(([name, fn]) => metricOf(fn).with({ label: name, period: FIVE_MINUTES }));

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `aftersale-${props.stage}`,
      defaultInterval: Duration.hours(6),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# Aftersale ${props.stage}\nAlarms and what to do about them: docs/runbook.md. Business events are counted from the functions' log lines (namespace \`${BUSINESS_METRICS_NAMESPACE}\`).`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Business events (per 5 minutes)',
        width: WIDTH,
        left: props.businessEvents.map(
          (event) => new Metric({ namespace: BUSINESS_METRICS_NAMESPACE, metricName: event, period: FIVE_MINUTES, statistic: Stats.SUM, label: event }),
        ),
      }),
      new GraphWidget({
        title: 'Timer lag: oldest due, unfired timer (seconds)',
        width: WIDTH,
        left: props.timerLag ? [props.timerLag] : [],
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Function errors (per 5 minutes)', width: WIDTH, left: perFunction((fn) => fn.live.metricErrors({ statistic: Stats.SUM })) }),
      new GraphWidget({
        title: 'API answers 4xx / 5xx (per 5 minutes)',
        width: WIDTH,
        left: [
          props.httpApi.metricClientError({ period: FIVE_MINUTES, statistic: Stats.SUM, label: '4xx' }),
          props.httpApi.metricServerError({ period: FIVE_MINUTES, statistic: Stats.SUM, label: '5xx' }),
        ],
        right: [props.httpApi.metricCount({ period: FIVE_MINUTES, statistic: Stats.SUM, label: 'requests' })],
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Duration p50 (ms)', width: WIDTH, left: perFunction((fn) => fn.live.metricDuration({ statistic: Stats.percentile(50) })) }),
      new GraphWidget({ title: 'Duration p99 (ms)', width: WIDTH, left: perFunction((fn) => fn.live.metricDuration({ statistic: Stats.percentile(99) })) }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Queue depth (visible messages) and oldest message (seconds)',
        width: WIDTH,
        left: queues.map(([name, queue]) => queue.queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: Stats.MAXIMUM, label: name })),
        right: queues.map(([name, queue]) => queue.queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: Stats.MAXIMUM, label: `${name} age` })),
      }),
      new GraphWidget({
        title: 'Dead-letter queue depth (anything above 0: docs/runbook.md)',
        width: WIDTH,
        left: queues.map(([name, queue]) =>
          queue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: Stats.MAXIMUM, label: `${name} DLQ` }),
        ),
      }),
    );
  }
}
