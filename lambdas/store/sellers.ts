/**
 * Sellers: the shop profile and its monthly counters, in one partition so the owner's view is one Query.
 * The keys are in the entity definitions below; docs/architecture.md lists them.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { ResponseCounters } from '../domain/conversations.js';
import type { FeedbackDelta } from '../domain/reviews.js';
import type { SellerProfile, SellerStats } from '../domain/sellers.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import { defineEntity, schemaOf } from './entity.js';
import { partitionItems } from './reads.js';
import { conditionCheck, guarded, update, type Guarded, type TransactItem } from './transactions.js';

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

/** Counters start at nothing and are only ever ADDed to, so a month stores those that moved. */
const counter = () => z._default(z.number(), 0);

export const sellerStatsEntity = defineEntity({
  name: 'sellerStats',
  schema: schemaOf<SellerStats>()(z.object({ ordersPlaced: counter(), shipments: counter(), lateShipments: counter(), sellerCancellations: counter() })),
  patterns: { PK: 'SELLER#<sellerId>', SK: 'STATS#<yyyy-mm>' },
  key: ({ sellerId, month }: { sellerId: string; month: string }) => ({ PK: `SELLER#${sellerId}`, SK: `STATS#${month}` }),
});

/** Messaging's first-response counters are written here for reputation (domain/conversations.ts); nothing reads them yet. */
export type SellerCounter = keyof SellerStats | keyof FeedbackDelta | keyof ResponseCounters;

/** Adds to the counters of the month of `at` (an ISO time or a yyyy-mm month), inside the transaction of the event being counted. */
export function countForSeller(sellerId: string, at: string, counters: Partial<Record<SellerCounter, number>>): TransactItem[] {
  const entries = Object.entries(counters).filter(([, value]) => value !== 0);
  if (entries.length === 0) return [];
  const names = Object.fromEntries(entries.map(([name], index) => [`#c${index}`, name]));
  const values = Object.fromEntries(entries.map(([, value], index) => [`:c${index}`, value]));
  return [update(sellerStatsEntity.key({ sellerId, month: at.slice(0, 7) }), `ADD ${entries.map((_, index) => `#c${index} :c${index}`).join(', ')}`, names, values)];
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

/** Profile plus every month of counters in one Query (PROFILE sorts just before STATS#). */
export async function getSellerWithStats(sellerId: string): Promise<{ profile: SellerProfile; months: (SellerStats & { month: string })[] } | undefined> {
  const items = await partitionItems(sellerProfileEntity.key({ sellerId }).PK, { from: 'PROFILE', to: 'STATS#~' });
  const profile = items.find((item) => item.SK === 'PROFILE');
  if (!profile) return undefined;
  const months = items.filter((item) => String(item.SK).startsWith('STATS#')).map((item) => ({ month: String(item.SK).slice('STATS#'.length), ...sellerStatsEntity.parse(item) }));
  return { profile: sellerProfileEntity.parse(profile), months };
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
