/**
 * Sellers: the shop profile and its monthly counters, in one partition so the owner's view is one Query.
 * Each month's counters are write-sharded (store/sharded-counter.ts): a big seller's orders, shipments
 * and feedback of one month spread over the month's shards. The keys are in the entity definitions
 * below; docs/architecture.md lists them.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { ResponseCounters } from '../domain/conversations.js';
import type { FeedbackDelta } from '../domain/reviews.js';
import type { SellerBadges } from '../domain/reputation.js';
import type { SellerProfile, SellerStats } from '../domain/sellers.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import { defineEntity, schemaOf } from './entity.js';
import { partitionItems } from './reads.js';
import { markReputationDirty, sellerBadgesEntity } from './reputation-badges.js';
import { shardedCounter } from './sharded-counter.js';
import { conditionCheck, guarded, type Guarded, type TransactItem } from './transactions.js';

declare module './transactions.js' {
  interface Guards {
    /** The seller has a shop profile. */
    shopExists: true;
    /** The seller has a shop that is neither closed nor frozen now. */
    sellerTakesOrders: true;
  }
}

export const sellerProfileEntity = defineEntity({
  name: 'seller',
  schema: schemaOf<SellerProfile>()(
    z.object({
      sellerId: z.string(),
      storeName: z.string(),
      country: z.string(),
      createdAt: z.string(),
      updatedAt: z.string(),
      // Set only by penalties and closure: a shop that never had one stores neither.
      ordersBlockedUntil: z._default(z.nullable(z.string()), null),
      closedAt: z._default(z.nullable(z.string()), null),
    }),
  ),
  patterns: { PK: 'SELLER#<sellerId>', SK: 'PROFILE' },
  key: ({ sellerId }: { sellerId: string }) => ({ PK: `SELLER#${sellerId}`, SK: 'PROFILE' }),
});

/** Messaging's first-response counters are counted here too, for reputation (domain/conversations.ts). */
/** `ordersDisputed`: orders whose first dispute was opened that month (reputation's dispute rate). */
export type SellerCounter = keyof SellerStats | keyof FeedbackDelta | keyof ResponseCounters | 'ordersDisputed';

const SELLER_COUNTERS = [
  'ordersPlaced',
  'shipments',
  'lateShipments',
  'sellerCancellations',
  'feedbackPositive',
  'feedbackNeutral',
  'feedbackNegative',
  'dsrCount',
  'dsrItemAsDescribed',
  'dsrCommunication',
  'dsrShippingSpeed',
  'buyerConversations',
  'firstResponses',
  'firstResponsesWithin24h',
  'firstResponseMinutes',
  'firstResponsesWithin1h',
  'firstResponsesWithin4h',
  'ordersDisputed',
] as const satisfies readonly SellerCounter[];

/** A month's counters, `STATS#<yyyy-mm>#<shard>`; a month's unsharded `STATS#<yyyy-mm>` item, if any, is summed with them. */
export const sellerStatsShards = shardedCounter<SellerCounter, { sellerId: string; month: string }>({
  name: 'sellerStats',
  fields: SELLER_COUNTERS,
  patterns: { PK: 'SELLER#<sellerId>', SK: 'STATS#<yyyy-mm>#<shard:2>' },
  partition: ({ sellerId }) => `SELLER#${sellerId}`,
  prefix: ({ month }) => `STATS#${month}`,
});

/**
 * Adds to the counters of the month of `at` (an ISO time or a yyyy-mm month), inside the transaction of
 * the event being counted, on the shard of `source`: the counted entity's id where the caller has it
 * (a review, whose later revisions then subtract from the same item), else the event's instant, which
 * differs between the events of a burst just as well. With it, the seller's dirty mark on the same shard
 * (store/reputation-badges.ts), so one transaction counts for a seller at most once.
 */
export function countForSeller(sellerId: string, at: string, counters: Partial<Record<SellerCounter, number>>, source: string = at): TransactItem[] {
  const adds = sellerStatsShards.add({ sellerId, month: at.slice(0, 7) }, source, counters);
  // The figures moved: the badge job recomputes this seller (and only the sellers so marked).
  return adds.length === 0 ? [] : [...adds, markReputationDirty(sellerId, source)];
}

/** Creates the shop or changes its name and country; penalties and the creation date are kept. */
export async function saveSellerProfile(sellerId: string, profile: { storeName: string; country: string }, now: string): Promise<SellerProfile> {
  const { Attributes } = await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: sellerProfileEntity.key({ sellerId }),
      UpdateExpression: 'SET sellerId = :id, storeName = :storeName, country = :country, updatedAt = :now, createdAt = if_not_exists(createdAt, :now), entity = :entity',
      ExpressionAttributeValues: { ':id': sellerId, ':storeName': profile.storeName, ':country': profile.country, ':now': now, ':entity': sellerProfileEntity.name },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return sellerProfileEntity.parse(Attributes ?? {});
}

export async function getSellerProfile(sellerId: string): Promise<SellerProfile | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: sellerProfileEntity.key({ sellerId }) }));
  return Item ? sellerProfileEntity.parse(Item) : undefined;
}

/**
 * Profile, stored badges and every month of counters in one Query (PROFILE, then PROFILE#BADGES, sort
 * just before STATS#), each month's shards summed.
 */
export async function getSellerWithStats(
  sellerId: string,
): Promise<{ profile: SellerProfile; badges: SellerBadges | null; months: (Record<SellerCounter, number> & { month: string })[] } | undefined> {
  const items = await partitionItems(sellerProfileEntity.key({ sellerId }).PK, { from: 'PROFILE', to: 'STATS#~' });
  const profile = items.find((item) => item.SK === 'PROFILE');
  if (!profile) return undefined;
  const byMonth = new Map<string, Record<string, unknown>[]>();
  for (const item of items) {
    const sk = String(item.SK);
    if (!sk.startsWith('STATS#')) continue;
    const month = sk.slice('STATS#'.length, 'STATS#yyyy-mm'.length);
    byMonth.set(month, [...(byMonth.get(month) ?? []), item]);
  }
  const months = [...byMonth].map(([month, shards]) => ({ month, ...sellerStatsShards.sum(shards) }));
  const badges = items.find((item) => item.SK === sellerBadgesEntity.key({ sellerId }).SK);
  return { profile: sellerProfileEntity.parse(profile), badges: badges ? sellerBadgesEntity.parse(badges) : null, months };
}

/** The write-time check that the seller has a shop, for what may only be written by one (a listing). */
export const shopExists = (sellerId: string): Guarded => guarded('shopExists', conditionCheck(sellerProfileEntity.key({ sellerId }), 'attribute_exists(PK)'));

/** The write-time guard for "a frozen or closed shop takes no new orders" (see domain/sellers.ts). */
export const sellerTakesOrders = (sellerId: string, now: string): Guarded =>
  guarded(
    'sellerTakesOrders',
    conditionCheck(
      sellerProfileEntity.key({ sellerId }),
      'attribute_exists(PK) AND attribute_not_exists(closedAt) AND (attribute_not_exists(ordersBlockedUntil) OR ordersBlockedUntil <= :now)',
      undefined,
      { ':now': now },
    ),
  );
