/**
 * The badge job's stored state (decision 022): the badges the public profile shows, and the sparse
 * "dirty" marks that say which sellers' figures changed since the job last looked.
 *
 * A mark is written by every transaction that counts for a seller (store/sellers.ts countForSeller), on
 * the same shard as the counter it moves, so a busy seller's concurrent transactions meet no item they
 * would not meet anyway; the index partition is sharded the same way. Each write of a mark gives it a
 * new `mark`, and the job deletes it only if it still holds the one it read: a count made while the job
 * computed keeps its mark and is picked up by the next run.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import type { SellerBadges } from '../domain/reputation.js';
import { defineEntity, pad, schemaOf } from './entity.js';
import { indexPage } from './reads.js';
import { counterShards, shardFor } from './sharded-counter.js';
import { guarded, put, putVersioned, remove, type Guarded, type TransactItem, type Write } from './transactions.js';

declare module './transactions.js' {
  interface Guards {
    /** The seller's stored badges are still the version the job read. */
    sellerBadgesVersion: true;
    /** The dirty mark still holds what the job read: no count happened since. */
    reputationMarkUnchanged: true;
  }
}

export interface ReputationMark {
  sellerId: string;
  shard: number;
  mark: string;
}

const dirtyPartition = (shard: number) => `REPUTATION#DIRTY#${pad(shard, 2)}`;

export const reputationMarkEntity = defineEntity({
  name: 'reputationMark',
  schema: schemaOf<ReputationMark>()(z.object({ sellerId: z.string(), shard: z.number(), mark: z.string() })),
  // Sorts before PROFILE: the profile's range read never reads a mark.
  patterns: { PK: 'SELLER#<sellerId>', SK: 'DIRTY#REPUTATION#<shard:2>', GSI1: 'REPUTATION#DIRTY#<shard:2> / <sellerId>' },
  key: ({ sellerId, shard }: { sellerId: string; shard: number }) => ({ PK: `SELLER#${sellerId}`, SK: `DIRTY#REPUTATION#${pad(shard, 2)}` }),
  indexes: (mark) => ({ GSI1PK: dirtyPartition(mark.shard), GSI1SK: mark.sellerId }),
});

const badgeSchema = z.object({ code: z.enum(['TOP_RATED', 'FAST_SHIPPER', 'RESPONSIVE', 'VERIFIED']), reason: z.string() });

export const sellerBadgesEntity = defineEntity({
  name: 'sellerBadges',
  schema: schemaOf<SellerBadges>()(
    z.object({ sellerId: z.string(), badges: z.array(badgeSchema), computedAt: z.string(), windowMovesAt: z.nullable(z.string()), version: z.number() }),
  ),
  // Sorts between PROFILE and STATS#: the profile's one range Query reads it.
  patterns: { PK: 'SELLER#<sellerId>', SK: 'PROFILE#BADGES' },
  key: ({ sellerId }: { sellerId: string }) => ({ PK: `SELLER#${sellerId}`, SK: 'PROFILE#BADGES' }),
});

/**
 * Marks the seller for the badge job, in the transaction that counts: on the shard of `source`, the
 * one the counter's ADD goes to. A plain Put: marking twice is one mark, with the newer `mark`.
 */
export const markReputationDirty = (sellerId: string, source: string): TransactItem =>
  put(reputationMarkEntity.item({ sellerId, shard: shardFor(source), mark: randomUUID() }));

/** Removes the mark the job read, unless a newer count replaced it meanwhile. */
export const clearReputationMark = (mark: ReputationMark): Guarded =>
  guarded('reputationMarkUnchanged', remove(reputationMarkEntity.key(mark), { expression: 'mark = :mark', values: { ':mark': mark.mark } }));

/** One page of one shard of the marks: the job's only read that does not start from a marked seller. */
export async function reputationMarksPage(shard: number, limit: number, startKey?: Record<string, unknown>): Promise<{ marks: ReputationMark[]; lastKey: Record<string, unknown> | undefined }> {
  const { items, lastKey } = await indexPage({ index: 'GSI1', partition: dirtyPartition(shard), limit, startKey, oldestFirst: true });
  return { marks: items.map(reputationMarkEntity.parse), lastKey };
}

export const reputationMarkShards = (): number => counterShards();

/** The badges as computed now, over the version read (none when the seller never had any stored). */
export const sellerBadgesWrite = (next: Omit<SellerBadges, 'version'>, previous: SellerBadges | null): Write =>
  putVersioned('sellerBadgesVersion', sellerBadgesEntity.item({ ...next, version: (previous?.version ?? 0) + 1 }), previous ? previous.version : null);
