import { afterEach, describe, expect, it } from 'vitest';
import { setTimer, shardOf, timerShards, TIMER_SHARDS_VARIABLE } from '../../lambdas/store/timers.js';

const configured = process.env[TIMER_SHARDS_VARIABLE];
afterEach(() => {
  if (configured === undefined) delete process.env[TIMER_SHARDS_VARIABLE];
  else process.env[TIMER_SHARDS_VARIABLE] = configured;
});

describe('the shard of a timer', () => {
  it('is the same wherever and whenever the timer is set or moved', () => {
    process.env.TABLE_NAME ??= 'aftersale-unit';
    const first = setTimer({ kind: 'AUTO_CONFIRM', entityId: 'ord_1', dueAt: '2027-01-10T00:00:00.000Z' }, '2027-01-01T00:00:00.000Z').Put!.Item!;
    const moved = setTimer({ kind: 'AUTO_CONFIRM', entityId: 'ord_1', dueAt: '2027-03-02T00:00:00.000Z' }, '2027-01-05T00:00:00.000Z').Put!.Item!;
    const shard = shardOf('AUTO_CONFIRM', 'ord_1');
    expect(first.GSI3PK).toBe(`DUE#2027-01#${shard}`);
    expect(moved.GSI3PK).toBe(`DUE#2027-03#${shard}`);
  });

  it('spreads the timers of one kind set together evenly over the shards', () => {
    const shards = 16;
    const counts = new Array<number>(shards).fill(0);
    for (let i = 0; i < 16_000; i++) counts[shardOf('REVIEW_WINDOW', `ord_01M8S4${String(i).padStart(8, '0')}`, shards)]!++;
    // 1,000 each on average; a hash that clustered sequential ids would leave some shards far off.
    expect(Math.min(...counts)).toBeGreaterThan(900);
    expect(Math.max(...counts)).toBeLessThan(1100);
  });

  it('depends on the kind too, so one entity’s timers of different kinds need not share a partition', () => {
    const kinds = ['AUTO_CONFIRM', 'REVIEW_WINDOW', 'RETURN_WINDOW', 'EDIT_WINDOW'] as const;
    expect(new Set(kinds.map((kind) => shardOf(kind, 'ord_same', 64))).size).toBeGreaterThan(1);
  });
});

describe('the shard count', () => {
  it('is 8 unless configured, and refuses a count the sweep could not read', () => {
    delete process.env[TIMER_SHARDS_VARIABLE];
    expect(timerShards()).toBe(8);
    process.env[TIMER_SHARDS_VARIABLE] = '32';
    expect(timerShards()).toBe(32);
    for (const bad of ['0', '101', '2.5', 'many']) {
      process.env[TIMER_SHARDS_VARIABLE] = bad;
      expect(() => timerShards()).toThrow(TIMER_SHARDS_VARIABLE);
    }
  });
});
