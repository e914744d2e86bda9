/**
 * The timers sweep under stress: concurrent sweeps, a timer that keeps failing, a long outage. Sweeps run
 * in this process (the host's engines, the platform clock moved in-process); firings that fail on purpose
 * are injected through `sweepTimers({ fire })`, every other firing is the real service.
 */
import { BatchWriteCommand, GetCommand, type GetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fireTimer, sweepTimers, timerRetry, type FireTimer } from '../../lambdas/jobs/timers.js';
import { clock, moveClock } from '../../lambdas/platform/clock.js';
import { logger } from '../../lambdas/platform/logger.js';
import { documentClient, recordDynamoCalls } from '../../lambdas/store/client.js';
import { listParkedTimers, releaseParkedTimer, setTimer, settleTimer, shardOf, sweptUntil, timerKey, timerShards, type Timer } from '../../lambdas/store/timers.js';
import { transact } from '../../lambdas/store/transactions.js';
import { logLines } from '../support/log-lines.js';
import { anOrder, aShipment, useLocalApi } from '../support/local-api.js';

const local = useLocalApi();
// This file imports the logger before the host sets its level from POWERTOOLS_LOG_LEVEL: apply it here.
beforeAll(() => logger.setLogLevel(process.env.POWERTOOLS_LOG_LEVEL === 'INFO' ? 'INFO' : 'WARN'));

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const at = (iso: string, plusMs: number) => new Date(new Date(iso).getTime() + plusMs).toISOString();

afterEach(async () => {
  vi.restoreAllMocks();
  await local.api.resetClock();
});

async function inBatches<T, R>(items: T[], size: number, each: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) results.push(...(await Promise.all(items.slice(start, start + size).map(each))));
  return results;
}

const storedTimer = async (timer: Pick<Timer, 'kind' | 'entityId'>): Promise<GetCommandOutput['Item']> =>
  (await documentClient().send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: timerKey(timer.kind, timer.entityId), ConsistentRead: true }))).Item;

/** A firing that succeeds by settling the timer, as every service does when its rule is applied. */
const settles: FireTimer = (timer) => transact([settleTimer(timer)]);

describe('concurrent sweeps', () => {
  it('log no error for work another sweep did: four sweeps over 240 due timers of four kinds', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const buyer = await api.actor('buyer');
    const orderIds = await inBatches(Array.from({ length: 120 }), 8, async () => {
      const placed = await api.post('/v1/orders', buyer, anOrder(productId));
      expect(placed.status, placed.text).toBe(201);
      const orderId = String(placed.body.orderId);
      expect((await api.post(`/v1/orders/${orderId}/shipment`, seller, aShipment())).status).toBe(200);
      return orderId;
    });
    // 80 confirmed by the buyer (review and return windows pending), 40 left to auto-confirm.
    const confirmed = orderIds.slice(0, 80);
    await inBatches(confirmed, 8, async (orderId) => expect((await api.post(`/v1/orders/${orderId}/confirm-receipt`, buyer)).status).toBe(200));
    // The shipments' notifications are delivered, so their outbox timers are gone before the sweeps.
    await api.drainQueues();
    await api.runJob('timers'); // the sweeps below start from here, not from a first sweep's look-back
    await api.setClock(at(clock.nowIso(), 61 * DAY_MS));

    const { result: runs, lines } = await logLines(() => Promise.all([1, 2, 3, 4].map(() => api.runJob('timers'))));

    expect(lines.filter((line) => line.level === 'ERROR')).toEqual([]);
    expect(lines.filter((line) => line.level === 'WARN')).toEqual([]);
    // Each timer fired once at most: 40 auto-confirmations, 80 review windows and 80 return windows closed.
    // The 40 unconfirmed orders' protection-ending reminders sit on other shards than their auto-confirmations:
    // a reminder a sweep reached first was dropped (moot: the protection ended), one whose order another sweep
    // completed first went with that completion. Either way none that was due is left (the auto-confirmed
    // orders' own review and return windows are due later), and nothing fired twice.
    const processed = runs.reduce((sum, run) => sum + run.processed, 0);
    expect(processed).toBeGreaterThanOrEqual(200);
    expect(processed).toBeLessThanOrEqual(240);
    const left = await inBatches(orderIds, 16, async (orderId) =>
      (await Promise.all([storedTimer({ kind: 'AUTO_CONFIRM', entityId: orderId }), storedTimer({ kind: 'REMINDER', entityId: `${orderId}#protection` }), storedTimer({ kind: 'REVIEW_WINDOW', entityId: orderId }), storedTimer({ kind: 'RETURN_WINDOW', entityId: orderId })])).filter(Boolean),
    );
    const sweptTo = clock.nowIso();
    expect(left.flat().filter((timer) => String(timer?.dueAt) <= sweptTo)).toEqual([]);
    const statuses = await inBatches(orderIds, 16, async (orderId) => (await api.get<{ status: string }>(`/v1/orders/${orderId}`, buyer)).body.status);
    expect(new Set(statuses)).toEqual(new Set(['COMPLETED']));
    for (const orderId of orderIds.slice(80, 83)) {
      const ledger = await api.get<{ items: { type: string }[] }>(`/v1/orders/${orderId}/ledger`, buyer);
      expect(ledger.body.items.map((entry) => entry.type)).toEqual(['HOLD', 'RELEASE']);
    }
  }, 180_000);

  it('count one failed attempt when two sweeps fail the same timer', async () => {
    moveClock({ advanceByMs: 400 * DAY_MS });
    const timer: Timer = { kind: 'CASE_FILE', entityId: `dsp_twice${Date.now()}`, dueAt: clock.nowIso() };
    await transact([setTimer(timer, clock.nowIso())]);
    const failing: FireTimer = (fired) => (fired.entityId === timer.entityId ? Promise.reject(new Error('case file service down')) : settles(fired));

    const { result, lines } = await logLines(() => Promise.all([sweepTimers({ fire: failing }), sweepTimers({ fire: failing })]));

    expect(result.reduce((sum, run) => sum + run.failed, 0)).toBe(1);
    expect((await storedTimer(timer))?.attempts).toBe(1);
    expect(lines.filter((line) => line.level === 'ERROR')).toEqual([]);
    expect(lines.filter((line) => line.level === 'WARN')).toHaveLength(1);
  });

  it('leave a timer its service moved while the firing failed as the service left it', async () => {
    moveClock({ advanceByMs: 500 * DAY_MS });
    const now = clock.nowIso();
    const timer: Timer = { kind: 'MODERATION', entityId: `rev_moved${Date.now()}#review`, dueAt: now };
    await transact([setTimer(timer, now)]);
    const movedTo = at(now, 10 * MINUTE_MS);
    // The service reschedules the timer, then fails on what came after (e.g. the queue send).
    const movesThenFails: FireTimer = async (fired) => {
      if (fired.entityId !== timer.entityId) return settles(fired);
      await transact([setTimer({ ...fired, dueAt: movedTo }, clock.nowIso(), { ifDueAt: fired.dueAt })]);
      throw new Error('queue unavailable');
    };

    const { result, lines } = await logLines(() => sweepTimers({ fire: movesThenFails }));

    expect(result.failed).toBe(0);
    expect(await storedTimer(timer)).toMatchObject({ dueAt: movedTo, GSI3SK: `${movedTo}#MODERATION#${timer.entityId}` });
    expect((await storedTimer(timer))?.attempts).toBeUndefined();
    expect(lines.filter((line) => line.level === 'ERROR' || line.level === 'WARN')).toEqual([]);
  });
});

describe('a timer that keeps failing', () => {
  it('is retried at growing gaps, parked after the last attempt, and holds neither the marker nor other timers back', async () => {
    moveClock({ advanceByMs: 600 * DAY_MS });
    const start = clock.nowIso();
    const bad: Timer = { kind: 'REFUND_PROGRESS', entityId: `rfd_bad${Date.now()}`, dueAt: start };
    const good: Timer[] = [1, 3, 24].map((hours) => ({ kind: 'EDIT_WINDOW', entityId: `rev_good${hours}h${Date.now()}`, dueAt: at(start, hours * 60 * MINUTE_MS) }));
    await transact([bad, ...good].map((timer) => setTimer(timer, start)));
    let badFirings = 0;
    const fire: FireTimer = (timer) => {
      if (timer.entityId !== bad.entityId) return settles(timer);
      badFirings++;
      return Promise.reject(new Error('payment provider answered 500'));
    };

    const gaps: number[] = [];
    const parkedEvents: Record<string, unknown>[] = [];
    for (let attempt = 1; attempt <= timerRetry.maxAttempts; attempt++) {
      const { lines } = await logLines(() => sweepTimers({ fire }));
      parkedEvents.push(...lines.filter((line) => line.businessEvent === 'TimerParked'));
      const stored = await storedTimer(bad);
      expect(stored).toMatchObject({ attempts: attempt, dueAt: bad.dueAt, lastError: 'Error: payment provider answered 500' });
      // The marker followed the sweep (less its settle margin), past the failing timer's first due instant.
      const sweptAt = String(stored?.lastFailedAt);
      expect((await sweptUntil(clock.nowIso()))[shardOf(bad.kind, bad.entityId)]).toBe(at(sweptAt, -15 * MINUTE_MS));
      if (attempt === timerRetry.maxAttempts) break;
      const retryAt = String(stored?.GSI3SK).split('#')[0]!;
      gaps.push(new Date(retryAt).getTime() - new Date(sweptAt).getTime());
      // One second before its retry nothing fires it; at its retry it fires again.
      moveClock({ now: new Date(new Date(retryAt).getTime() - 1000) });
      await sweepTimers({ fire });
      expect(badFirings).toBe(attempt);
      moveClock({ now: new Date(retryAt) });
    }

    expect(badFirings).toBe(timerRetry.maxAttempts);
    expect(gaps).toEqual([5, 10, 20, 40, 80, 160, 320].map((minutes) => minutes * MINUTE_MS));
    expect(parkedEvents).toEqual([expect.objectContaining({ level: 'INFO', businessEvent: 'TimerParked', kind: 'REFUND_PROGRESS', entityId: bad.entityId, attempts: 8 })]);
    const parked = (await listParkedTimers()).timers.filter((timer) => timer.entityId === bad.entityId);
    expect(parked).toEqual([{ ...bad, payload: undefined, attempts: 8, lastError: 'Error: payment provider answered 500', parkedAt: expect.any(String) as string }]);

    // Parked, it fires no more; the timers due meanwhile and after all fired.
    moveClock({ advanceByMs: 2 * DAY_MS });
    await sweepTimers({ fire });
    expect(badFirings).toBe(timerRetry.maxAttempts);
    for (const timer of good) expect(await storedTimer(timer)).toBeUndefined();

    // Released (the runbook, once the cause is fixed), it fires at the next sweep with a fresh count.
    expect(await releaseParkedTimer(bad.kind, bad.entityId)).toBe(true);
    expect(await releaseParkedTimer(bad.kind, bad.entityId)).toBe(false);
    expect((await listParkedTimers()).timers.filter((timer) => timer.entityId === bad.entityId)).toEqual([]);
    expect(await storedTimer(bad)).not.toHaveProperty('attempts');
    const fixed = await sweepTimers({ fire: settles });
    expect(fixed.processed).toBeGreaterThanOrEqual(1);
    expect(await storedTimer(bad)).toBeUndefined();
  });

  it('is a new timer with no failed attempts once its service sets it anew', async () => {
    moveClock({ advanceByMs: 700 * DAY_MS });
    const now = clock.nowIso();
    const timer: Timer = { kind: 'CASE_FILE', entityId: `dsp_reset${Date.now()}`, dueAt: now };
    await transact([setTimer(timer, now)]);
    await logLines(() => sweepTimers({ fire: (fired) => (fired.entityId === timer.entityId ? Promise.reject(new Error('down')) : fireTimer(fired)) }));
    expect((await storedTimer(timer))?.attempts).toBe(1);
    await transact([setTimer({ ...timer, dueAt: at(now, DAY_MS) }, clock.nowIso())]);
    expect(await storedTimer(timer)).not.toHaveProperty('attempts');
  });
});

describe('the progress marker', () => {
  it('trails each sweep by a margin, so a timer that reached the index after a sweep read past it still fires', async () => {
    moveClock({ advanceByMs: 750 * DAY_MS });
    await sweepTimers({ fire: settles });
    const sweptAt = clock.nowIso();
    await sweepTimers({ fire: settles });
    // Written due at once a minute before that sweep, seen by the index only after it (eventual consistency).
    const late: Timer = { kind: 'REFUND_PROGRESS', entityId: `rfd_late${Date.now()}`, dueAt: at(sweptAt, -MINUTE_MS) };
    await transact([setTimer(late, late.dueAt)]);
    moveClock({ advanceByMs: 5 * MINUTE_MS });
    await sweepTimers({ fire: settles });
    expect(await storedTimer(late)).toBeUndefined();
  });

  it('never keeps a sweep from what is due now when the clock was moved back (the local host)', async () => {
    moveClock({ advanceByMs: 900 * DAY_MS });
    await sweepTimers({ fire: settles });
    await local.api.resetClock();
    const now = clock.nowIso();
    const timer: Timer = { kind: 'REFUND_PROGRESS', entityId: `rfd_now${Date.now()}`, dueAt: now };
    await transact([setTimer(timer, now)]);
    await sweepTimers({ fire: settles });
    expect(await storedTimer(timer)).toBeUndefined();
  });
});

describe('a sweep after an outage', () => {
  it('costs one Query per shard and month it spans to plan and as many to sweep, not one per hour, with or without 1,000 pending timers', async () => {
    moveClock({ advanceByMs: 800 * DAY_MS });
    await sweepTimers({ fire: settles });
    const sweepAfter = async (days: number) => {
      moveClock({ advanceByMs: days * DAY_MS });
      const recording = recordDynamoCalls();
      const result = await sweepTimers({ fire: settles });
      return { result, queries: recording.stop().filter((call) => call.operation === 'Query').length };
    };
    const empty = await sweepAfter(15);

    const now = clock.nowIso();
    const pending = Array.from({ length: 1000 }, (_, i): Timer => ({ kind: 'AUTO_CONFIRM', entityId: `ord_pending${i}x${Date.now()}`, dueAt: at(now, 15 * DAY_MS + 60 * MINUTE_MS + i * 15 * MINUTE_MS) }));
    for (let start = 0; start < pending.length; start += 25) {
      const puts = pending.slice(start, start + 25).map((timer) => ({ PutRequest: { Item: setTimer(timer, now).Put!.Item! } }));
      await documentClient().send(new BatchWriteCommand({ RequestItems: { [String(process.env.TABLE_NAME)]: puts } }));
    }
    const withPending = await sweepAfter(15);

    // 15 days touch at most two calendar months, per shard; hour buckets needed 360 Queries per shard.
    const shards = timerShards();
    expect(empty.queries).toBeGreaterThanOrEqual(2 * shards);
    expect(empty.queries).toBeLessThanOrEqual(2 * 2 * shards);
    expect(withPending.queries).toBeLessThanOrEqual(2 * 2 * shards);
    expect(empty.result.processed).toBe(0);
    expect(withPending.result.processed).toBe(0);
  });
});
