/**
 * The sharded sweep end to end: the scheduled job plans a work item per shard and sends it to the
 * timerShards queue; the worker sweeps it — several workers at once, every item twice — delivered by the
 * local host's queue pump as Lambda's event source would. Firings are the real services.
 */
import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as timersJob, planSweep, sweepShard } from '../../lambdas/jobs/timers.js';
import { clock, moveClock } from '../../lambdas/platform/clock.js';
import { logger } from '../../lambdas/platform/logger.js';
import { documentClient } from '../../lambdas/store/client.js';
import { reviewEntity } from '../../lambdas/store/reviews.js';
import { setTimer, shardOf, timerKey, timerShards, type Timer, type TimerKind } from '../../lambdas/store/timers.js';
import { transact } from '../../lambdas/store/transactions.js';
import { logLines } from '../support/log-lines.js';
import { useLocalApi } from '../support/local-api.js';

const local = useLocalApi();
beforeAll(() => logger.setLogLevel(process.env.POWERTOOLS_LOG_LEVEL === 'INFO' ? 'INFO' : 'WARN'));
afterEach(async () => {
  vi.restoreAllMocks();
  await local.api.resetClock();
});

const DAY_MS = 24 * 60 * 60 * 1000;
const at = (iso: string, plusMs: number) => new Date(new Date(iso).getTime() + plusMs).toISOString();
const table = () => String(process.env.TABLE_NAME);
const stored = async (key: Record<string, unknown>) => (await documentClient().send(new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }))).Item;

async function batchPut(items: Record<string, unknown>[]): Promise<void> {
  for (let start = 0; start < items.length; start += 25) {
    const puts = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
    await documentClient().send(new BatchWriteCommand({ RequestItems: { [table()]: puts } }));
  }
}

describe('the sharded sweep', () => {
  it('fires every due timer exactly once with several workers at once, every work item delivered twice, and a timer that always fails', async () => {
    const { host } = local.api;
    moveClock({ advanceByMs: 1000 * DAY_MS });
    await host.runJob('timers'); // leftovers of earlier tests, so the counts below are this test's
    const now = clock.nowIso();
    const run = Date.now();
    // 240 reviews whose edit window is due, each timer placed at its own instant in the last 4 minutes.
    const reviewIds = Array.from({ length: 240 }, (_, i) => `rev_shard${run}x${i}`);
    await batchPut(reviewIds.map((reviewId) => ({ ...reviewEntity.key({ reviewId }), version: 0 })));
    const timers = reviewIds.map((reviewId, i): Timer => ({ kind: 'EDIT_WINDOW', entityId: reviewId, dueAt: at(now, -(i + 1) * 1000) }));
    await batchPut(timers.map((timer) => setTimer(timer, timer.dueAt).Put!.Item!));
    // A timer no rule knows (e.g. written by a newer release): its firing throws, every time.
    const poisoned = { kind: 'WITHDRAWN_KIND' as TimerKind, entityId: `x_poison${run}`, dueAt: at(now, -60_000) };
    await transact([setTimer(poisoned, poisoned.dueAt)]);
    expect(new Set(timers.map((timer) => shardOf(timer.kind, timer.entityId))).size).toBe(timerShards());

    // Two scheduled runs back to back (a retried invocation): each shard's work item is queued twice.
    const { result: plans, lines } = await logLines(() => Promise.all([timersJob(), timersJob()]));
    expect(plans.map((plan) => plan.shards)).toEqual([timerShards(), timerShards()]);
    // The lag is the oldest due timer's age: 240 s, plus the seconds this test took since `now`.
    const planned = lines.filter((line) => line.message === 'Timer sweep planned');
    expect(planned).toHaveLength(2);
    for (const line of planned) {
      expect(line.timerLagSeconds).toBeGreaterThanOrEqual(240);
      expect(line.timerLagSeconds).toBeLessThan(240 + 120);
    }

    // Four drains at once: workers on different shards and on the same shard run side by side.
    const { lines: sweepLines } = await logLines(() => Promise.all([1, 2, 3, 4].map(() => host.drainQueues())));

    for (const reviewId of reviewIds) expect(await stored(reviewEntity.key({ reviewId }))).toMatchObject({ editWindowClosed: true, version: 1 });
    for (const timer of timers) expect(await stored(timerKey(timer.kind, timer.entityId))).toBeUndefined();
    // The poisoned timer failed once (the second firing of it lost the race and counts nothing) and waits for its retry.
    expect(await stored(timerKey(poisoned.kind, poisoned.entityId))).toMatchObject({ attempts: 1, dueAt: poisoned.dueAt });
    expect(sweepLines.filter((line) => line.level === 'WARN')).toEqual([expect.objectContaining({ message: 'Timer failed; it is retried later' })]);
    expect(sweepLines.filter((line) => line.level === 'ERROR')).toEqual([]);
    const swept = sweepLines.filter((line) => line.message === 'Timer shard swept');
    expect(swept.reduce((sum, line) => sum + Number(line.processed), 0)).toBe(240);

    // Nothing due is left unfired: the next run sees no lag.
    const { lines: after } = await logLines(() => timersJob());
    expect(after.find((line) => line.message === 'Timer sweep planned')).toMatchObject({ timerLagSeconds: 0 });
  }, 120_000);

  it('answers POST /local/jobs/timers once every shard was swept, with what the workers fired', async () => {
    moveClock({ advanceByMs: 1100 * DAY_MS });
    await local.api.runJob('timers');
    const now = clock.nowIso();
    const reviewIds = Array.from({ length: 30 }, (_, i) => `rev_answer${Date.now()}x${i}`);
    await batchPut(reviewIds.map((reviewId) => ({ ...reviewEntity.key({ reviewId }), version: 0 })));
    await batchPut(reviewIds.map((reviewId) => setTimer({ kind: 'EDIT_WINDOW', entityId: reviewId, dueAt: now }, now).Put!.Item!));

    expect((await local.api.runJob('timers')).processed).toBe(30);
    expect((await local.api.runJob('timers')).processed).toBe(0);
  });
});

describe('a work item larger than a worker can fire before its timeout', () => {
  it('stops at its time budget, marks where it stopped, and the next run fires the rest', async () => {
    moveClock({ advanceByMs: 1200 * DAY_MS });
    await local.api.runJob('timers');
    const now = clock.nowIso();
    const reviewIds = Array.from({ length: 12 }, (_, i) => `rev_budget${Date.now()}x${i}`);
    const timers = reviewIds.map((reviewId, i): Timer => ({ kind: 'EDIT_WINDOW', entityId: reviewId, dueAt: at(now, -(i + 1) * 1000) }));
    await batchPut(reviewIds.map((reviewId) => ({ ...reviewEntity.key({ reviewId }), version: 0 })));
    await batchPut(timers.map((timer) => setTimer(timer, timer.dueAt).Put!.Item!));
    const shard = shardOf(timers[0]!.kind, timers[0]!.entityId);
    const inShard = timers.filter((timer) => shardOf(timer.kind, timer.entityId) === shard);

    const { work } = await planSweep(clock.nowIso());
    const outOfTime = await sweepShard(work[shard]!, { stopAt: Date.now() });
    expect(outOfTime).toMatchObject({ processed: 0, stoppedEarly: true });

    const next = (await planSweep(clock.nowIso())).work[shard]!;
    expect(await sweepShard(next)).toEqual({ processed: inShard.length, failed: 0, parked: 0 });
    for (const timer of inShard) expect(await stored(timerKey(timer.kind, timer.entityId))).toBeUndefined();
  });
});

describe('a worker given a work item it cannot read', () => {
  it('reports that record as failed, so it is retried and ends in the DLQ, and sweeps the others', async () => {
    const { handler } = await import('../../lambdas/workers/timer-shard.js');
    const record = (messageId: string, body: string) => ({ messageId, body }) as Parameters<typeof handler>[0]['Records'][number];
    const now = clock.nowIso();
    const response = await logLines(() => handler({ Records: [record('bad', '{"shard":"one"}'), record('good', JSON.stringify({ shard: 0, from: at(now, -60_000), now }))] }));
    expect(response.result.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
    expect(response.lines.filter((line) => line.level === 'ERROR')).toHaveLength(1);
  });
});
