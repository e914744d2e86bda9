/**
 * Write-sharded counters: a group of numbers counted for one owner (a product's rating summary, a
 * seller's month) and split over up to K small items in the owner's own partition, so that a burst of
 * events counted for one owner spreads its writes over K items instead of queuing on one.
 *
 * - An event ADDs its deltas to the shard its `source` (the counted entity's id) hashes to, inside the
 *   event's own transaction, with no condition: counting never refuses and never reads first. A later
 *   event about the same source (a revision replacing a published one) lands on the same shard, so
 *   what it subtracts comes off the item it was added to.
 * - A reader sums the shards: they sort next to each other under `<prefix>#<shard:2>`, so one Query on
 *   the owner's partition reads them (with whatever sorts next to them), or one BatchGetItem per 100
 *   keys reads the shards of many owners. Shards never written do not exist and count as 0.
 * Sizing (why K = 16, what one partition takes): docs/scale.md; the choice: docs/decisions/021-hot-counters.md.
 */
import * as z from 'zod/mini';
import { defineEntity, pad, type Entity } from './entity.js';
import { update, type TableKey, type TransactItem } from './transactions.js';

/**
 * How many items each counter is split into: the environment variable COUNTER_SHARDS, 16 unless set.
 * Writers and readers must see the same count. Raise it only: a Query reads every shard there is, but
 * a batched read asks for shards 0 … K − 1, and would miss those a larger count had written.
 */
export const COUNTER_SHARDS_VARIABLE = 'COUNTER_SHARDS';
const DEFAULT_COUNTER_SHARDS = 16;
/** Two digits in the sort key, and one owner's shards within one BatchGetItem. */
const MAX_COUNTER_SHARDS = 99;

export const counterShards = (): number => shardCountSetting(COUNTER_SHARDS_VARIABLE, DEFAULT_COUNTER_SHARDS, MAX_COUNTER_SHARDS);

/** A shard count from the environment (the counters' and the timers'): `fallback` unless set, else an integer 1 … max. */
export function shardCountSetting(variable: string, fallback: number, max: number): number {
  const configured = process.env[variable];
  if (configured === undefined || configured === '') return fallback;
  const count = Number(configured);
  if (!Number.isInteger(count) || count < 1 || count > max) throw new Error(`${variable} must be an integer from 1 to ${max}, not '${configured}'`);
  return count;
}

/**
 * The shard of a counted source: a stable hash (32-bit FNV-1a) of its id, a pure function of the id, so
 * the ADD and a later subtraction for the same source meet on one item, and the ids of a burst spread
 * evenly over the shards.
 */
export function shardFor(source: string, shards = counterShards()): number {
  let hash = 0x811c9dc5;
  for (const char of source) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

export type Counts<F extends string> = Record<F, number>;

export interface ShardedCounter<F extends string, Owner> {
  /** One shard item: its keys (for docs/architecture.md's table) and the parse of its counts. */
  readonly entity: Entity<Counts<F>, Owner & { shard: number }>;
  /** The ADD of `deltas` to the shard of `source`, for the counted event's transaction; nothing when every delta is 0. */
  add(owner: Owner, source: string, deltas: Partial<Counts<F>>): TransactItem[];
  /** The owner's partition and the sort-key range its shards take in it. */
  range(owner: Owner): { partition: string; from: string; to: string };
  /** Every shard key of the owner, for a batched read of many owners. */
  keys(owner: Owner, shards?: number): TableKey[];
  /** Whether an item read from the owner's partition is one of its shards. */
  isShard(owner: Owner, item: Record<string, unknown>): boolean;
  /** The counts of the given shard items (and of any earlier items with the same fields), added up. */
  sum(items: readonly Record<string, unknown>[]): Counts<F>;
}

export interface ShardedCounterDefinition<F extends string, Owner> {
  /** The `entity` attribute of the shard items. */
  name: string;
  fields: readonly F[];
  /** The key patterns as docs/architecture.md writes them; SK ends in `#<shard:2>`. */
  patterns: { PK: string; SK: string };
  partition: (owner: Owner) => string;
  /** The sort-key prefix of the owner's shards, without the `#<shard>` that follows. */
  prefix: (owner: Owner) => string;
}

export function shardedCounter<F extends string, Owner extends object>(definition: ShardedCounterDefinition<F, Owner>): ShardedCounter<F, Owner> {
  const { name, fields, patterns, partition, prefix } = definition;
  // Every field defaults to 0: a shard stores only the counters that ever moved in it.
  const shape = Object.fromEntries(fields.map((field) => [field, z._default(z.number(), 0)])) as Record<F, z.ZodMiniDefault<z.ZodMiniNumber>>;
  const schema: z.ZodMiniType<Counts<F>> = z.object(shape) as unknown as z.ZodMiniType<Counts<F>>;
  const key = (owner: Owner & { shard: number }): TableKey => ({ PK: partition(owner), SK: `${prefix(owner)}#${pad(owner.shard, 2)}` });
  const entity = defineEntity<Counts<F>, Owner & { shard: number }>({ name, schema, patterns, key });
  const zero = (): Counts<F> => Object.fromEntries(fields.map((field) => [field, 0])) as Counts<F>;
  return {
    entity,
    add(owner, source, deltas) {
      const moved = fields.filter((field) => (deltas[field] ?? 0) !== 0);
      if (moved.length === 0) return [];
      const names = Object.fromEntries(moved.map((field, index) => [`#c${index}`, field]));
      const values: Record<string, unknown> = Object.fromEntries(moved.map((field, index) => [`:c${index}`, deltas[field]]));
      values[':entity'] = name;
      const adds = moved.map((_, index) => `#c${index} :c${index}`).join(', ');
      return [update(key({ ...owner, shard: shardFor(source) }), `ADD ${adds} SET entity = :entity`, names, values)];
    },
    range: (owner) => ({ partition: partition(owner), from: `${prefix(owner)}#`, to: `${prefix(owner)}#~` }),
    keys: (owner, shards = counterShards()) => Array.from({ length: shards }, (_, shard) => key({ ...owner, shard })),
    isShard: (owner, item) => item.PK === partition(owner) && String(item.SK).startsWith(`${prefix(owner)}#`),
    sum(items) {
      const total = zero();
      for (const item of items) {
        const counts = entity.parse(item);
        for (const field of fields) total[field] += counts[field];
      }
      return total;
    },
  };
}
