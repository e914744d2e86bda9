/**
 * Sellers: the store profile and monthly counters, in one partition so the owner's view is one Query.
 *   SELLER#<id> / PROFILE          store profile
 *   SELLER#<id> / STATS#<yyyy-mm>  counters for reputation (orders, shipments, late shipments, cancellations)
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { FeedbackDelta } from '../domain/reviews.js';
import type { SellerProfile, SellerStats } from '../domain/sellers.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import { partitionItems } from './reads.js';
import { conditionCheck, guarded, update, type Guarded, type TransactItem } from './transactions.js';

export const sellerProfileKey = (sellerId: string) => ({ PK: `SELLER#${sellerId}`, SK: 'PROFILE' });
const statsKey = (sellerId: string, month: string) => ({ PK: `SELLER#${sellerId}`, SK: `STATS#${month}` });

export type SellerCounter = keyof SellerStats | keyof FeedbackDelta;

/** Adds to the counters of the month of `at` (an ISO time or a yyyy-mm month), inside the transaction of the event being counted. */
export function countForSeller(sellerId: string, at: string, counters: Partial<Record<SellerCounter, number>>): TransactItem[] {
  const entries = Object.entries(counters).filter(([, value]) => value !== 0);
  if (entries.length === 0) return [];
  const names = Object.fromEntries(entries.map(([name], index) => [`#c${index}`, name]));
  const values = Object.fromEntries(entries.map(([, value], index) => [`:c${index}`, value]));
  return [update(statsKey(sellerId, at.slice(0, 7)), `ADD ${entries.map((_, index) => `#c${index} :c${index}`).join(', ')}`, names, values)];
}

export async function saveSellerProfile(sellerId: string, profile: { storeName: string; country: string }, now: string): Promise<SellerProfile> {
  const { Attributes } = await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: sellerProfileKey(sellerId),
      UpdateExpression: 'SET sellerId = :id, storeName = :storeName, country = :country, updatedAt = :now, createdAt = if_not_exists(createdAt, :now), entity = :entity',
      ExpressionAttributeValues: { ':id': sellerId, ':storeName': profile.storeName, ':country': profile.country, ':now': now, ':entity': 'seller' },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return toProfile(Attributes ?? {});
}

function toProfile(item: Record<string, unknown>): SellerProfile {
  return {
    sellerId: String(item.sellerId),
    storeName: String(item.storeName),
    country: String(item.country),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    ordersBlockedUntil: typeof item.ordersBlockedUntil === 'string' ? item.ordersBlockedUntil : null,
    closedAt: typeof item.closedAt === 'string' ? item.closedAt : null,
  };
}

export const profileFromItem = (item: Record<string, unknown> | undefined): SellerProfile | undefined => (item ? toProfile(item) : undefined);

export async function getSellerProfile(sellerId: string): Promise<SellerProfile | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: sellerProfileKey(sellerId) }));
  return profileFromItem(Item);
}

/** Profile plus every month of counters in one Query (PROFILE sorts just before STATS#). */
export async function getSellerWithStats(sellerId: string): Promise<{ profile: SellerProfile; months: (SellerStats & { month: string })[] } | undefined> {
  const items = await partitionItems(`SELLER#${sellerId}`, { from: 'PROFILE', to: 'STATS#~' });
  const profileItem = items.find((item) => item.SK === 'PROFILE');
  if (!profileItem) return undefined;
  const months = items.filter((item) => String(item.SK).startsWith('STATS#')).map((item) => ({
    month: String(item.SK).slice('STATS#'.length),
    ordersPlaced: Number(item.ordersPlaced ?? 0),
    shipments: Number(item.shipments ?? 0),
    lateShipments: Number(item.lateShipments ?? 0),
    sellerCancellations: Number(item.sellerCancellations ?? 0),
  }));
  return { profile: toProfile(profileItem), months };
}

declare module './transactions.js' {
  interface Guards {
    /** The seller has a shop that is neither closed nor frozen now. */
    sellerTakesOrders: true;
  }
}

/** The write-time guard for "a frozen or closed shop takes no new orders" (see domain/sellers.ts). */
export const sellerTakesOrders = (sellerId: string, now: string): Guarded =>
  guarded(
    'sellerTakesOrders',
    conditionCheck(
      sellerProfileKey(sellerId),
      'attribute_exists(PK) AND attribute_not_exists(closedAt) AND (attribute_not_exists(ordersBlockedUntil) OR ordersBlockedUntil <= :now)',
      undefined,
      { ':now': now },
    ),
  );
