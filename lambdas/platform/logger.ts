/**
 * Structured JSON logs; every line of a request carries its correlation id (set in platform/http.ts).
 *
 * The lines are Powertools for AWS Lambda's (`level`, `message`, `timestamp`, `service`, the Lambda
 * context's `cold_start`, `function_*` and `xray_trace_id`, `correlation_id`, then the caller's keys, errors
 * as `{ name, location, message, stack }`), written as its logger writes them (DEBUG and INFO to stdout,
 * WARN and above to stderr) at the level its variables set. Powertools' logger itself cost 20 KB of every
 * bundle for features no function uses (buffering, sampling, time zones, custom formatters), and that
 * was what kept the largest bundles over 300 KB: docs/decisions/014-lean-lambda-bundles.md. The metric
 * filters read `businessEvent` from these lines (platform/business-events.ts).
 */
import type { Context } from 'aws-lambda';

const thresholds = { DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24, SILENT: 28 } as const;
export type LogLevel = keyof typeof thresholds;

const isLevel = (value: string | undefined): value is LogLevel => value !== undefined && value in thresholds;

/** Lambda's advanced logging controls drop lines under their level (FATAL is CRITICAL here): a floor. */
function alcFloor(): number {
  const level = process.env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase().replace('FATAL', 'CRITICAL');
  return isLevel(level) ? thresholds[level] : 0;
}

function configuredLevel(): LogLevel {
  const level = (process.env.POWERTOOLS_LOG_LEVEL || process.env.LOG_LEVEL)?.toUpperCase();
  return isLevel(level) ? level : 'INFO';
}

/** The code location of an error's first stack frame, as Powertools prints it (`file:line`). */
function locationOf(stack: string | undefined): string {
  for (const line of stack?.split('\n') ?? []) {
    const match = /\(([^()]*?):(\d+?):(\d+?)\)\\?$/.exec(line);
    if (match) return `${match[1]}:${Number(match[2])}`;
  }
  return '';
}

function formatError(error: Error): Record<string, unknown> {
  const { name, message, stack, cause, ...own } = error;
  return { name, location: locationOf(stack), message, stack, cause: cause instanceof Error ? formatError(cause) : cause, ...own };
}

/** JSON.stringify replacer: errors formatted, bigints as strings, circular references left out. */
function replacer(): (this: unknown, key: string, value: unknown) => unknown {
  const ancestors: unknown[] = [];
  return function (this: unknown, _key, value) {
    const replaced = value instanceof Error ? formatError(value) : value;
    if (typeof replaced === 'bigint') return replaced.toString();
    if (typeof replaced === 'object' && replaced !== null) {
      while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
      if (ancestors.includes(replaced)) return undefined;
      ancestors.push(replaced);
    }
    return replaced;
  };
}

const service = process.env.POWERTOOLS_SERVICE_NAME ?? 'aftersale';
let level: LogLevel = configuredLevel();
let invocations = 0;
let lambda: Record<string, unknown> = {};
let keys: Record<string, unknown> = {};

function write(lineLevel: Exclude<LogLevel, 'SILENT'>, message: string, extra: Record<string, unknown> = {}): void {
  if (thresholds[lineLevel] < Math.max(thresholds[level], alcFloor())) return;
  const attributes: Record<string, unknown> = {
    level: lineLevel,
    message,
    timestamp: new Date().toISOString(),
    service,
    ...lambda,
    sampling_rate: 0,
    xray_trace_id: /Root=([^;]+)/.exec(process.env._X_AMZN_TRACE_ID ?? '')?.[1],
    ...keys,
    ...extra,
  };
  // As Powertools: top-level keys without a value are left out.
  const line = Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== undefined && value !== null && value !== ''));
  (thresholds[lineLevel] >= thresholds.WARN ? process.stderr : process.stdout).write(`${JSON.stringify(line, replacer())}\n`);
}

export const logger = {
  debug: (message: string, extra?: Record<string, unknown>) => write('DEBUG', message, extra),
  info: (message: string, extra?: Record<string, unknown>) => write('INFO', message, extra),
  warn: (message: string, extra?: Record<string, unknown>) => write('WARN', message, extra),
  error: (message: string, extra?: Record<string, unknown>) => write('ERROR', message, extra),
  /** The invocation's Lambda context, on every line until the next one; the first on-demand one is the cold start. */
  addContext(context: Context): void {
    lambda = {
      // As Powertools: provisioned-concurrency and SnapStart environments start before their first request.
      cold_start: invocations++ === 0 && process.env.AWS_LAMBDA_INITIALIZATION_TYPE === 'on-demand',
      function_arn: context.invokedFunctionArn,
      function_memory_size: context.memoryLimitInMB,
      function_name: context.functionName,
      function_request_id: context.awsRequestId,
    };
  },
  setCorrelationId(id: string): void {
    keys = { ...keys, correlation_id: id };
  },
  /** Drops the request's keys (the correlation id) at the end of an invocation. */
  resetKeys(): void {
    keys = {};
  },
  getLevelName: (): LogLevel => level,
  setLogLevel(next: LogLevel): void {
    level = next;
  },
};
