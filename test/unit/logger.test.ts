/**
 * The functions' logger (platform/logger.ts) writes the lines Powertools' logger wrote before it, so log
 * queries, the business-event metric filters and the alarms read them unchanged: the same calls go
 * through both, and the lines must match key for key (the timestamp aside), on the same stream.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../lambdas/platform/logger.js';

type Line = { stream: 'stdout' | 'stderr'; entry: Record<string, unknown> };
let written: Line[] = [];

beforeEach(() => {
  written = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    vi.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) written.push({ stream, entry: JSON.parse(line) as Record<string, unknown> });
      return true;
    });
  }
  logger.setLogLevel('INFO');
});
afterEach(() => {
  vi.restoreAllMocks();
  logger.resetKeys();
  delete process.env._X_AMZN_TRACE_ID;
});

const context = (requestId: string): Context =>
  ({ functionName: 'aftersale-reviews', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:aftersale-reviews', memoryLimitInMB: '512', awsRequestId: requestId, logGroupName: '/aws/lambda/x', logStreamName: 's', callbackWaitsForEmptyEventLoop: true }) as Context;

interface Calls {
  addContext(context: Context): void;
  setCorrelationId(id: string): void;
  resetKeys(): void;
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** What the platform does with a logger: two invocations, each with its context and correlation id. */
function script(log: Calls): void {
  const circular: Record<string, unknown> = { id: 'c1' };
  circular.self = circular;
  const failure = Object.assign(new Error('Transaction cancelled', { cause: new Error('ConditionalCheckFailed') }), { code: 'CONCURRENT_UPDATE' });
  process.env._X_AMZN_TRACE_ID = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
  log.addContext(context('req-1'));
  log.setCorrelationId('corr-1');
  log.info('OrderPlaced', { businessEvent: 'OrderPlaced', orderId: 'ord_1', total: { amount: 1999, currency: 'EUR' }, big: 10n ** 20n });
  log.debug('not at INFO');
  log.warn('Timer failed; it is retried later', { timer: { kind: 'AUTO_CONFIRM' }, attempts: 2, error: failure, circular, empty: '', nothing: null });
  log.resetKeys();
  log.addContext(context('req-2'));
  log.error('Unhandled error', { error: new TypeError('x is undefined') });
  log.info('after the invocation');
}

describe('the functions logger', () => {
  it("writes Powertools' lines, key for key, on the same streams", () => {
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    // Powertools at INFO like ours (beforeEach): the test run itself logs at WARN (vitest.config.ts).
    const runLevel = process.env.POWERTOOLS_LOG_LEVEL;
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    // A fresh Powertools logger, as the functions created at import: this test holds both loggers' cold start.
    script(new Logger({ serviceName: 'aftersale' }) as Calls);
    // The stacks differ by their call site; everything else must not.
    const normalize = (entry: Record<string, unknown>) => JSON.parse(JSON.stringify(entry).replace(/"stack":"(?:[^"\\]|\\.)*"/g, '"stack":"…"')) as Record<string, unknown>;
    const expected = written.map(({ stream, entry }) => ({ stream, entry: { ...normalize(entry), timestamp: expect.any(String) } }));
    written = [];
    script(logger);
    delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    if (runLevel === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
    else process.env.POWERTOOLS_LOG_LEVEL = runLevel;
    expect(written).toHaveLength(4);
    expect(written.map(({ stream, entry }) => ({ stream, entry: normalize(entry) }))).toEqual(expected);
    // Key order too: the metric filters do not care, people reading the lines do.
    expect(written.map(({ entry }) => Object.keys(entry))).toEqual(expected.map(({ entry }) => Object.keys(entry)));
  });

  it('writes the fields the metric filters, the correlation and the cold-start queries read', () => {
    script(logger);
    const [event, warning, error] = written;
    expect(event).toEqual({
      stream: 'stdout',
      entry: expect.objectContaining({ level: 'INFO', message: 'OrderPlaced', businessEvent: 'OrderPlaced', correlation_id: 'corr-1', function_request_id: 'req-1', xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793', big: '100000000000000000000' }),
    });
    expect(warning?.stream).toBe('stderr');
    expect(warning?.entry.error).toMatchObject({ name: 'Error', message: 'Transaction cancelled', code: 'CONCURRENT_UPDATE', cause: { name: 'Error', message: 'ConditionalCheckFailed' } });
    expect(warning?.entry.circular).toEqual({ id: 'c1' });
    expect(error?.entry).not.toHaveProperty('correlation_id');
    expect(error?.entry).toHaveProperty('cold_start', false);
  });

  it('keeps to its level and to the floor of Lambda log-level controls', () => {
    logger.setLogLevel('WARN');
    logger.info('dropped');
    logger.warn('kept');
    expect(written.map(({ entry }) => entry.message)).toEqual(['kept']);
    logger.setLogLevel('DEBUG');
    process.env.AWS_LAMBDA_LOG_LEVEL = 'ERROR';
    try {
      logger.warn('under the ALC level');
      logger.error('over it');
    } finally {
      delete process.env.AWS_LAMBDA_LOG_LEVEL;
    }
    expect(written.map(({ entry }) => entry.message)).toEqual(['kept', 'over it']);
    expect(logger.getLevelName()).toBe('DEBUG');
  });
});
