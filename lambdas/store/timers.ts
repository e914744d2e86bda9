/**
 * Timers: one item per pending deadline, indexed by due hour in the sparse GSI3, so the sweep reads only
 * what is due (DOMAIN.md "Scheduled jobs": work proportional to what is due, not to the table's size).
 * A timer is written and removed in the same transaction as the state change that sets or settles it.
 */
import { QueryCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import { put, remove, type TransactItem } from './transactions.js';

export type TimerKind = 'AUTO_CONFIRM' | 'REVIEW_WINDOW' | 'EDIT_WINDOW' | 'MODERATION' | 'RETURN_WINDOW' | 'DISPUTE_DEADLINE' | 'CASE_FILE' | 'REFUND_PROGRESS';

export interface Timer {
  kind: TimerKind;
  entityId: string;
  dueAt: string;
  /** What the timer needs to act, e.g. the queue message a moderation retry re-sends. */
  payload?: Record<string, unknown> | undefined;
}

const HOUR_MS = 60 * 60 * 1000;
export const hourBucket = (iso: string): string => iso.slice(0, 13);
const nextHour = (bucket: string): string => new Date(new Date(`${bucket}:00:00.000Z`).getTime() + HOUR_MS).toISOString().slice(0, 13);

export const timerKey = (kind: TimerKind, entityId: string) => ({ PK: `TIMER#${kind}#${entityId}`, SK: 'TIMER' });

/**
 * Sets (or moves) a timer. A deadline already past goes in the current hour, which the sweep always
 * reads. `ifDueAt` moves it only if it is still the one that was read.
 */
export function setTimer(timer: Timer, now: string, options: { ifDueAt?: string } = {}): TransactItem {
  const bucket = hourBucket(timer.dueAt < now ? now : timer.dueAt);
  const item = { ...timerKey(timer.kind, timer.entityId), ...timer, GSI3PK: `DUE#${bucket}`, GSI3SK: `${timer.dueAt}#${timer.kind}#${timer.entityId}` };
  return options.ifDueAt === undefined ? put(item) : put(item, { expression: 'dueAt = :read', values: { ':read': options.ifDueAt } });
}

/** Removes a timer only if it is still the one that was read, so a timer moved meanwhile survives. */
export const settleTimer = (timer: Timer): TransactItem =>
  remove(timerKey(timer.kind, timer.entityId), { expression: 'dueAt = :dueAt', values: { ':dueAt': timer.dueAt } });

export const cancelTimer = (kind: TimerKind, entityId: string): TransactItem => remove(timerKey(kind, entityId));

const SWEEP_KEY = { PK: 'SWEEP#timers', SK: 'SWEEP' };
/** On the very first sweep, look this far back for anything already due. */
const FIRST_SWEEP_LOOKBACK_MS = 7 * 24 * HOUR_MS;

/** Hour buckets the sweep must read: from the first not-yet-completed hour up to the current one. */
export async function bucketsToSweep(now: string): Promise<string[]> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: SWEEP_KEY, ConsistentRead: true }));
  const current = hourBucket(now);
  let bucket = typeof Item?.nextBucket === 'string' ? Item.nextBucket : hourBucket(new Date(new Date(now).getTime() - FIRST_SWEEP_LOOKBACK_MS).toISOString());
  const buckets: string[] = [];
  for (; bucket <= current; bucket = nextHour(bucket)) buckets.push(bucket);
  return buckets.length > 0 ? buckets : [current];
}

/**
 * Hours before the current one are complete once swept — with a margin: a timer written at the very end
 * of an hour (due at once, so in that hour's bucket) may reach the eventually consistent index after a
 * sweep early in the next hour has read it, so the previous hour is read again for the first minutes.
 */
const SETTLE_MARGIN_MS = 15 * 60_000;

export async function markSwept(now: string): Promise<void> {
  const bucket = hourBucket(new Date(new Date(now).getTime() - SETTLE_MARGIN_MS).toISOString());
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...SWEEP_KEY, nextBucket: bucket, sweptAt: now },
      ConditionExpression: 'attribute_not_exists(nextBucket) OR nextBucket <= :bucket',
      ExpressionAttributeValues: { ':bucket': bucket },
    }),
  ).catch((error: unknown) => {
    // A concurrent sweep already moved further; keeping its progress is correct.
    if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
  });
}

export async function* dueTimers(bucket: string, now: string): AsyncGenerator<Timer> {
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'GSI3',
        KeyConditionExpression: 'GSI3PK = :bucket AND GSI3SK <= :now',
        ExpressionAttributeValues: { ':bucket': `DUE#${bucket}`, ':now': `${now}~` },
        ExclusiveStartKey: cursor,
      }),
    );
    for (const item of page.Items ?? []) yield { kind: item.kind as TimerKind, entityId: String(item.entityId), dueAt: String(item.dueAt), payload: item.payload as Timer['payload'] };
    cursor = page.LastEvaluatedKey;
  } while (cursor);
}
