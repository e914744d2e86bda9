import { afterEach, describe, expect, it } from 'vitest';
import type { RatingDelta } from '../../lambdas/domain/reviews.js';
import { addToRating, ratingShards } from '../../lambdas/store/products.js';
import { countForSeller, sellerStatsShards } from '../../lambdas/store/sellers.js';
import { COUNTER_SHARDS_VARIABLE, counterShards, shardedCounter, shardFor } from '../../lambdas/store/sharded-counter.js';
import type { TransactItem } from '../../lambdas/store/transactions.js';

process.env.TABLE_NAME ??= 'aftersale-unit';
const configured = process.env[COUNTER_SHARDS_VARIABLE];
afterEach(() => {
  if (configured === undefined) delete process.env[COUNTER_SHARDS_VARIABLE];
  else process.env[COUNTER_SHARDS_VARIABLE] = configured;
});

const keyOf = (write: TransactItem | undefined) => write?.Update?.Key;
const fourStarsWithPhoto = (sign: 1 | -1): RatingDelta => ({ count: sign, sum: 4 * sign, histogram: { 1: 0, 2: 0, 3: 0, 4: sign, 5: 0 }, withMedia: sign });

describe('the shard of a counted source', () => {
  it('is a pure function of the source id, within 0 … K − 1', () => {
    const shards = Array.from({ length: 3 }, () => shardFor('rev_01JDZQ4Y7T3M', 16));
    expect(new Set(shards).size).toBe(1);
    expect(shards[0]).toBeGreaterThanOrEqual(0);
    expect(shards[0]).toBeLessThan(16);
  });

  it('spreads a burst of review ids evenly over the shards', () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[shardFor(`rev_01M8S4${String(i).padStart(8, '0')}`, 16)]!++;
    // 1,000 each on average: a hash that clustered sequential ids would leave some shards far off.
    expect(Math.min(...counts)).toBeGreaterThan(900);
    expect(Math.max(...counts)).toBeLessThan(1100);
  });
});

describe('a rating publication change', () => {
  it('subtracts from the very shard item its earlier publication added to', () => {
    const published = addToRating('prd_1', 'rev_a', fourStarsWithPhoto(1));
    const unpublished = addToRating('prd_1', 'rev_a', fourStarsWithPhoto(-1));
    expect(keyOf(published[0])).toEqual({ PK: 'PRODUCT#prd_1', SK: `RATING#${String(shardFor('rev_a')).padStart(2, '0')}` });
    expect(keyOf(unpublished[0])).toEqual(keyOf(published[0]));
    expect(unpublished[0]?.Update?.ExpressionAttributeValues).toMatchObject({ ':c0': -1 });
  });

  it('is an unconditional ADD of the moved counters only, on a small item and not the listing', () => {
    const [write, ...rest] = addToRating('prd_1', 'rev_a', fourStarsWithPhoto(1));
    expect(rest).toEqual([]);
    expect(write?.Update?.ConditionExpression).toBeUndefined();
    expect(write?.Update?.UpdateExpression).toMatch(/^ADD /);
    expect(Object.values(write?.Update?.ExpressionAttributeNames ?? {}).sort()).toEqual(['ratingCount', 'ratingH4', 'ratingSum', 'ratingWithMedia']);
    expect(keyOf(write)?.SK).not.toBe('PRODUCT');
  });

  it('writes nothing when a revision replaces a published one with the same stars and media', () => {
    const unchanged: RatingDelta = { count: 0, sum: 0, histogram: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 }, withMedia: 0 };
    expect(addToRating('prd_1', 'rev_a', unchanged)).toEqual([]);
  });
});

describe('summing the shards', () => {
  it('adds every shard, a counter a shard never stored counting as 0', () => {
    const items = [
      { PK: 'PRODUCT#prd_1', SK: 'RATING#00', ratingCount: 2, ratingSum: 9, ratingH4: 1, ratingH5: 1 },
      { PK: 'PRODUCT#prd_1', SK: 'RATING#07', ratingCount: 1, ratingSum: 1, ratingH1: 1, ratingWithMedia: 1 },
      { PK: 'PRODUCT#prd_1', SK: 'RATING#11', ratingCount: -1, ratingSum: -4, ratingH4: -1 },
    ];
    expect(ratingShards.sum(items)).toEqual({ ratingCount: 2, ratingSum: 6, ratingH1: 1, ratingH2: 0, ratingH3: 0, ratingH4: 0, ratingH5: 1, ratingWithMedia: 1 });
  });

  it('tells an owner’s shards from the items sorting next to them', () => {
    const owner = { sellerId: 'sel_1', month: '2026-03' };
    expect(sellerStatsShards.isShard(owner, { PK: 'SELLER#sel_1', SK: 'STATS#2026-03#04' })).toBe(true);
    expect(sellerStatsShards.isShard(owner, { PK: 'SELLER#sel_1', SK: 'STATS#2026-04#04' })).toBe(false);
    expect(sellerStatsShards.isShard(owner, { PK: 'SELLER#sel_1', SK: 'PROFILE' })).toBe(false);
  });

  it('reads every shard of an owner with one key range or one key list', () => {
    const counter = shardedCounter({ name: 'c', fields: ['n'], patterns: { PK: 'X#<id>', SK: 'N#<shard:2>' }, partition: ({ id }: { id: string }) => `X#${id}`, prefix: () => 'N' });
    const keys = counter.keys({ id: '1' }, 16);
    const { from, to } = counter.range({ id: '1' });
    expect(keys).toHaveLength(16);
    expect(keys.every((key) => key.SK >= from && key.SK <= to)).toBe(true);
  });
});

describe('the seller’s monthly counters', () => {
  it('land on the shard of the counted source in the month of the event', () => {
    const [write] = countForSeller('sel_1', '2026-03-05T10:00:00.000Z', { shipments: 1, lateShipments: 0 }, 'ord_1');
    expect(keyOf(write)).toEqual({ PK: 'SELLER#sel_1', SK: `STATS#2026-03#${String(shardFor('ord_1')).padStart(2, '0')}` });
    expect(Object.values(write?.Update?.ExpressionAttributeNames ?? {})).toEqual(['shipments']);
  });

  it('spread the events of a burst by their instants when the caller names no source', () => {
    const instants = Array.from({ length: 200 }, (_, i) => new Date(Date.UTC(2026, 2, 5, 10, 0, 0, i)).toISOString());
    const shards = new Set(instants.map((at) => keyOf(countForSeller('sel_1', at, { ordersPlaced: 1 })[0])?.SK));
    expect(shards.size).toBe(counterShards());
  });
});

describe('the shard count', () => {
  it('is 16 unless configured, and refuses a count the keys could not hold', () => {
    delete process.env[COUNTER_SHARDS_VARIABLE];
    expect(counterShards()).toBe(16);
    process.env[COUNTER_SHARDS_VARIABLE] = '32';
    expect(counterShards()).toBe(32);
    for (const bad of ['0', '100', '2.5', 'many']) {
      process.env[COUNTER_SHARDS_VARIABLE] = bad;
      expect(() => counterShards()).toThrow(COUNTER_SHARDS_VARIABLE);
    }
  });
});
