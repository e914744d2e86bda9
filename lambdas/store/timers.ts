/**
 * Timers: one item per pending deadline, indexed in the sparse GSI3 by the instant it should next fire,
 * partitioned by that instant's month and by a shard of the timer's key, so the sweep reads only what is
 * due (DOMAIN.md "Scheduled jobs": work proportional to what is due, not to the table's size), one Query
 * per shard and month since its last run, and no index partition takes more than its share of the writes
 * (docs/decisions/005-timer-buckets.md, docs/scale.md). A timer is written and removed in the same
 * transaction as the state change that sets or settles it.
 *
 *   TIMER#<kind>#<entityId> / TIMER   GSI3PK DUE#<yyyy-mm>#<shard>   GSI3SK <fires at>#<kind>#<entityId>   while due
 *                                     GSI3PK TIMERS#PARKED           GSI3SK <parked at>#<kind>#<entityId>  once parked
 *   SWEEP#timers / SHARD#<shard>      nextFrom: everything of that shard positioned before it was swept
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { clock } from '../platform/clock.js';
import { tableName } from '../platform/config.js';
import { batchGetItems } from './batch.js';
import { documentClient } from './client.js';
import { shardCountSetting, shardFor } from './sharded-counter.js';
import { put, remove, type TransactItem } from './transactions.js';

export type TimerKind = 'AUTO_CONFIRM' | 'REVIEW_WINDOW' | 'EDIT_WINDOW' | 'MODERATION' | 'RETURN_WINDOW' | 'DISPUTE_DEADLINE' | 'CASE_FILE' | 'REFUND_PROGRESS' | 'SHIP_BY' | 'LISTING_REVIEW' | 'PENALTY_EXPIRY' | 'FEEDBACK_EXCLUSION' | 'BADGES_WINDOW' | 'NOTIFICATION_DISPATCH' | 'STORE_CLOSURE' | 'WEBHOOK_RETRY' | 'REMINDER';

export interface Timer {
  kind: TimerKind;
  entityId: string;
  dueAt: string;
  /** What the timer needs to act, e.g. the queue message a moderation retry re-sends. */
  payload?: Record<string, unknown> | undefined;
}

/** A timer as the sweep reads it: where it sits in the index, and how often firing it has failed. */
export interface DueTimer {
  timer: Timer;
  /** When it fires: its deadline, or `now` for one set late, or its next retry. */
  firesAt: string;
  /** Where the sweep read it in the index; a retry is recorded only if it is still there. */
  position: string;
  attempts: number;
}

export interface ParkedTimer extends Timer {
  attempts: number;
  lastError: string;
  parkedAt: string;
}

const monthOf = (iso: string): string => iso.slice(0, 7);
const nextMonth = (month: string): string => {
  const [year, index] = month.split('-').map(Number) as [number, number];
  return index === 12 ? `${year + 1}-01` : `${year}-${String(index + 1).padStart(2, '0')}`;
};

/**
 * How many partitions each month of the due index is split into: the environment variable TIMER_SHARDS
 * (lambdas/platform/config.ts holds deployment settings; this one lives with the only code that reads
 * it), 8 unless set. Every function that sets timers and the sweep must see the same count. Raise it
 * only: the sweep reads shards 0 … count − 1, so timers written under a smaller count are still read,
 * but lowering it would strand the timers of the shards dropped (docs/scale.md sizes it).
 */
export const TIMER_SHARDS_VARIABLE = 'TIMER_SHARDS';
const DEFAULT_TIMER_SHARDS = 8;
/** One BatchGetItem reads every shard's progress marker: at most 100 keys. */
const MAX_TIMER_SHARDS = 100;
export const timerShards = (): number => shardCountSetting(TIMER_SHARDS_VARIABLE, DEFAULT_TIMER_SHARDS, MAX_TIMER_SHARDS);

/**
 * A timer's shard: a stable hash of its key (the counters' FNV-1a, store/sharded-counter.ts), so setting,
 * moving, retrying or releasing a timer keeps it in the same shard, and the timers of one kind set in the
 * same second spread evenly.
 */
export const shardOf = (kind: TimerKind, entityId: string, shards = timerShards()): number => shardFor(`${kind}#${entityId}`, shards);

const PARKED = 'TIMERS#PARKED';
export const timerKey = (kind: TimerKind, entityId: string) => ({ PK: `TIMER#${kind}#${entityId}`, SK: 'TIMER' });
const duePartition = (month: string, shard: number) => `DUE#${month}#${shard}`;
/** Where a timer that fires at `at` sits in the due index. */
const dueKeys = (kind: TimerKind, entityId: string, at: string) => ({ GSI3PK: duePartition(monthOf(at), shardOf(kind, entityId)), GSI3SK: `${at}#${kind}#${entityId}` });

/**
 * Sets (or moves) a timer. A deadline already past fires at `now`, where the next sweep reads; placing it
 * at its own past instant would put it behind the sweep's progress marker. `ifDueAt` moves it only if it
 * is still the one that was read. A new deadline replaces the item whole: failed attempts start over.
 */
export function setTimer(timer: Timer, now: string, options: { ifDueAt?: string } = {}): TransactItem {
  const item = { ...timerKey(timer.kind, timer.entityId), ...timer, ...dueKeys(timer.kind, timer.entityId, timer.dueAt < now ? now : timer.dueAt) };
  return options.ifDueAt === undefined ? put(item) : put(item, { expression: 'dueAt = :read', values: { ':read': options.ifDueAt } });
}

/** Removes a timer only if it is still the one that was read, so a timer moved meanwhile survives. */
export const settleTimer = (timer: Timer): TransactItem =>
  remove(timerKey(timer.kind, timer.entityId), { expression: 'dueAt = :dueAt', values: { ':dueAt': timer.dueAt } });

export const cancelTimer = (kind: TimerKind, entityId: string): TransactItem => remove(timerKey(kind, entityId));

const markerKey = (shard: number) => ({ PK: 'SWEEP#timers', SK: `SHARD#${shard}` });
const HOUR_MS = 60 * 60 * 1000;
/** On a shard's very first sweep, look this far back for anything already due. */
const FIRST_SWEEP_LOOKBACK_MS = 7 * 24 * HOUR_MS;

/**
 * A timer written due at once reaches the eventually consistent index a moment after its transaction;
 * a sweep running in that moment misses it. So each marker trails its sweep by this margin, and the next
 * sweep reads the last minutes again (what it finds there was fired, so is gone, or is still due).
 */
const SETTLE_MARGIN_MS = 15 * 60_000;
const lessMargin = (iso: string): string => new Date(new Date(iso).getTime() - SETTLE_MARGIN_MS).toISOString();

/**
 * For each shard (index = shard), the instant from which a sweep at `now` reads: everything of that shard
 * positioned before it has been swept. Never later than the margin before `now`, so a clock moved back
 * (the local host's) still reads what is due. One BatchGetItem for all shards.
 */
export async function sweptUntil(now: string, shards = timerShards()): Promise<string[]> {
  const keys = Array.from({ length: shards }, (_, shard) => markerKey(shard));
  const found = new Map((await batchGetItems(keys, { consistent: true })).map((item) => [String(item.SK), item.nextFrom]));
  const latest = lessMargin(now);
  const firstLook = new Date(new Date(now).getTime() - FIRST_SWEEP_LOOKBACK_MS).toISOString();
  return keys.map(({ SK }) => {
    const marker = found.get(SK);
    const from = typeof marker === 'string' ? marker : firstLook;
    return from < latest ? from : latest;
  });
}

/** Records that everything of `shard` positioned before `sweptTo` (less the margin) is done; never moves backwards. */
export async function markSwept(shard: number, sweptTo: string): Promise<void> {
  const nextFrom = lessMargin(sweptTo);
  await documentClient()
    .send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...markerKey(shard), nextFrom, sweptAt: clock.nowIso() },
        ConditionExpression: 'attribute_not_exists(nextFrom) OR nextFrom <= :nextFrom',
        ExpressionAttributeValues: { ':nextFrom': nextFrom },
      }),
    )
    .catch((error: unknown) => {
      // A concurrent sweep of this shard already moved further; keeping its progress is correct.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
}

/** The month partitions a sweep from `from` to `now` reads: one Query each, however many hours passed. */
export function monthsToSweep(from: string, now: string): string[] {
  const months: string[] = [];
  for (let month = monthOf(from); month <= monthOf(now); month = nextMonth(month)) months.push(month);
  return months;
}

const dueTimerOf = (item: Record<string, unknown>): DueTimer => ({
  timer: { kind: item.kind as TimerKind, entityId: String(item.entityId), dueAt: String(item.dueAt), payload: item.payload as Timer['payload'] },
  firesAt: String(item.GSI3SK).split('#')[0] as string,
  position: String(item.GSI3SK),
  attempts: typeof item.attempts === 'number' ? item.attempts : 0,
});

const dueQuery = (month: string, shard: number, from: string, now: string) => ({
  TableName: tableName(),
  IndexName: 'GSI3',
  KeyConditionExpression: 'GSI3PK = :partition AND GSI3SK BETWEEN :from AND :now',
  ExpressionAttributeValues: { ':partition': duePartition(month, shard), ':from': from, ':now': `${now}~` },
});

/** The timers of one shard of one month positioned in [from, now]: due, and not yet known to be swept; oldest first. */
export async function* dueTimers(month: string, shard: number, from: string, now: string): AsyncGenerator<DueTimer> {
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(new QueryCommand({ ...dueQuery(month, shard, from, now), ExclusiveStartKey: cursor }));
    for (const item of page.Items ?? []) yield dueTimerOf(item);
    cursor = page.LastEvaluatedKey;
  } while (cursor);
}

/** When the oldest timer of a shard positioned in [from, now] fires: one item read per month until one is found. */
export async function oldestDue(shard: number, from: string, now: string): Promise<string | undefined> {
  for (const month of monthsToSweep(from, now)) {
    const page = await documentClient().send(new QueryCommand({ ...dueQuery(month, shard, from, now), Limit: 1 }));
    const item = page.Items?.[0];
    if (item) return dueTimerOf(item).firesAt;
  }
  return undefined;
}

/** The last failure of a timer, as the runbook reads it: bounded, so a long stack cannot bloat the item. */
const describeError = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 500);

/**
 * Records a failed attempt: the timer moves to fire again at `retryAt`, or to the parked partition when
 * `park` (it then fires no more until released). Written only if the timer is still where the sweep read
 * it with the attempts it read, so a timer settled, moved or already retried meanwhile — by its service or
 * by a concurrent sweep — is left alone; the answer says which happened.
 */
export async function recordFailedAttempt(
  due: DueTimer,
  error: unknown,
  next: { retryAt: string; park: false } | { park: true },
  now: string,
): Promise<'recorded' | 'handled-elsewhere'> {
  const { kind, entityId } = due.timer;
  const attempts = due.attempts + 1;
  const keys = next.park ? { GSI3PK: PARKED, GSI3SK: `${now}#${kind}#${entityId}` } : dueKeys(kind, entityId, next.retryAt);
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: timerKey(kind, entityId),
        UpdateExpression: `SET GSI3PK = :pk, GSI3SK = :sk, attempts = :attempts, lastError = :error, lastFailedAt = :now${next.park ? ', parkedAt = :now' : ''}`,
        ConditionExpression: `GSI3SK = :read AND dueAt = :dueAt AND ${due.attempts === 0 ? 'attribute_not_exists(attempts)' : 'attempts = :readAttempts'}`,
        ExpressionAttributeValues: {
          ':pk': keys.GSI3PK,
          ':sk': keys.GSI3SK,
          ':attempts': attempts,
          ':error': describeError(error),
          ':now': now,
          ':read': due.position,
          ':dueAt': due.timer.dueAt,
          ...(due.attempts > 0 && { ':readAttempts': due.attempts }),
        },
      }),
    );
    return 'recorded';
  } catch (failure) {
    if (failure instanceof ConditionalCheckFailedException) return 'handled-elsewhere';
    throw failure;
  }
}

/** Parked timers, oldest parked first (runbook: docs/decisions/005-timer-buckets.md). */
export async function listParkedTimers(limit = 100, startKey?: Record<string, unknown>): Promise<{ timers: ParkedTimer[]; lastKey: Record<string, unknown> | undefined }> {
  const page = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'GSI3',
      KeyConditionExpression: 'GSI3PK = :parked',
      ExpressionAttributeValues: { ':parked': PARKED },
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
  const timers = (page.Items ?? []).map((item): ParkedTimer => ({
    ...dueTimerOf(item).timer,
    attempts: Number(item.attempts),
    lastError: String(item.lastError),
    parkedAt: String(item.parkedAt),
  }));
  return { timers, lastKey: page.LastEvaluatedKey };
}

/**
 * Puts a parked timer back in the due index, to fire at the next sweep with a fresh count of attempts
 * (after the cause was fixed). False if it is not parked (never was, or was released, set or settled since).
 */
export async function releaseParkedTimer(kind: TimerKind, entityId: string, now = clock.nowIso()): Promise<boolean> {
  const due = dueKeys(kind, entityId, now);
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: timerKey(kind, entityId),
        UpdateExpression: 'SET GSI3PK = :pk, GSI3SK = :sk, releasedAt = :now REMOVE attempts, parkedAt',
        ConditionExpression: 'GSI3PK = :parked',
        ExpressionAttributeValues: { ':pk': due.GSI3PK, ':sk': due.GSI3SK, ':parked': PARKED, ':now': now },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
