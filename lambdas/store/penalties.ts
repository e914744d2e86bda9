/**
 * Penalty points in the seller's partition: the standing (points counting now, restriction ends) and one
 * item per entry, each with a PENALTY_EXPIRY timer written in the same transaction. PENALTIES and
 * PENALTY#… sort before PROFILE, so the seller's own view reads them with one Query and the profile's
 * range query never does. docs/architecture.md lists the keys.
 */
import * as z from 'zod/mini';
import type { PenaltyEntry, Standing } from '../domain/penalties.js';
import { defineEntity, nullableString, schemaOf } from './entity.js';
import { partitionItems } from './reads.js';
import { sellerProfileEntity } from './sellers.js';
import { setTimer, settleTimer, type Timer } from './timers.js';
import { conditionCheck, guarded, putNew, putVersioned, remove, update, type Guarded, type TransactItem, type Write } from './transactions.js';

declare module './transactions.js' {
  interface Guards {
    /** The standing is still at the version the penalty change was decided on. */
    standingVersion: true;
    /** No restriction on new listings (nor a closed store) is running now. */
    sellerMayList: true;
  }
}

export const standingEntity = defineEntity({
  name: 'sellerStanding',
  schema: schemaOf<Standing>()(
    z.object({
      sellerId: z.string(),
      points: z.int(),
      until: z.object({ NO_NEW_LISTINGS: nullableString, HIDDEN: nullableString, FROZEN: nullableString }),
      closedAt: nullableString,
      version: z.int(),
    }),
  ),
  patterns: { PK: 'SELLER#<sellerId>', SK: 'PENALTIES' },
  key: ({ sellerId }: { sellerId: string }) => ({ PK: `SELLER#${sellerId}`, SK: 'PENALTIES' }),
});

export const penaltyEntryEntity = defineEntity({
  name: 'penaltyEntry',
  schema: schemaOf<PenaltyEntry>()(
    z.object({
      sellerId: z.string(),
      entryId: z.string(),
      points: z.int(),
      reason: z.string(),
      source: z.discriminatedUnion('kind', [z.object({ kind: z.literal('ADMIN'), adminId: z.string() }), z.object({ kind: z.literal('LISTING_REJECTION'), productId: z.string() })]),
      createdAt: z.string(),
      expiresAt: z.string(),
    }),
  ),
  patterns: { PK: 'SELLER#<sellerId>', SK: 'PENALTY#<createdAt>#<entryId>' },
  key: ({ sellerId, createdAt, entryId }: { sellerId: string; createdAt: string; entryId: string }) => ({ PK: `SELLER#${sellerId}`, SK: `PENALTY#${createdAt}#${entryId}` }),
});

/** The timer that ends an entry's 365 days; its payload names the entry. */
const expiryTimer = (entry: PenaltyEntry): Timer => ({
  kind: 'PENALTY_EXPIRY',
  entityId: `${entry.sellerId}#${entry.entryId}`,
  dueAt: entry.expiresAt,
  payload: { sellerId: entry.sellerId, entryId: entry.entryId, createdAt: entry.createdAt },
});

export const ExpiryPayload = z.object({ sellerId: z.string(), entryId: z.string(), createdAt: z.string() });

/**
 * The timer that marks every listing of a store closed now (services/penalties.ts markClosedStore): due
 * at once, its payload the closure and, while it pages, where the next page starts.
 */
export const closureTimer = (sellerId: string, closedAt: string): Timer => ({ kind: 'STORE_CLOSURE', entityId: sellerId, dueAt: closedAt, payload: { closedAt } });

export const ClosurePayload = z.object({ closedAt: z.string(), cursor: z.optional(z.record(z.string(), z.unknown())) });

/** The standing and every entry still counting, in one Query. */
export async function getPenalties(sellerId: string): Promise<{ standing: Standing | undefined; entries: PenaltyEntry[] }> {
  const items = await partitionItems(standingEntity.key({ sellerId }).PK, { from: 'PENALTIES', to: 'PENALTY#~' });
  const standing = items.find((item) => item.SK === 'PENALTIES');
  return { standing: standing && standingEntity.parse(standing), entries: items.filter((item) => String(item.SK).startsWith('PENALTY#')).map(penaltyEntryEntity.parse) };
}

export async function getStanding(sellerId: string): Promise<Standing | undefined> {
  return (await getPenalties(sellerId)).standing;
}

/**
 * The shop profile's copy of the order restrictions, which the order placement's `sellerTakesOrders`
 * guard reads (store/sellers.ts): frozen until, closed at. Written only when the standing changes them.
 */
function profileRestrictions(before: Standing | undefined, after: Standing): TransactItem[] {
  const frozen = after.until.FROZEN !== (before?.until.FROZEN ?? null) ? after.until.FROZEN : undefined;
  const closed = after.closedAt !== (before?.closedAt ?? null) ? after.closedAt : undefined;
  if (!frozen && !closed) return [];
  const sets = [...(frozen ? ['ordersBlockedUntil = :frozen'] : []), ...(closed ? ['closedAt = :closed'] : [])];
  return [update(sellerProfileEntity.key({ sellerId: after.sellerId }), `SET ${sets.join(', ')}`, undefined, { ...(frozen && { ':frozen': frozen }), ...(closed && { ':closed': closed }) }, { expression: 'attribute_exists(PK)' })];
}

const standingWrite = (next: Standing, before: Standing | undefined): Write => putVersioned('standingVersion', standingEntity.item(next), before ? before.version : null);

/**
 * A new entry: the entry, its expiry timer, the standing it moved, and the profile's order restrictions;
 * a closure also sets the timer that marks all the store's listings.
 */
export const penaltyWrites = (entry: PenaltyEntry, before: Standing | undefined, after: Standing, now: string): Write[] => [
  putNew(penaltyEntryEntity.item(entry)),
  setTimer(expiryTimer(entry), now),
  standingWrite(after, before),
  ...profileRestrictions(before, after),
  ...(after.closedAt && !before?.closedAt ? [setTimer(closureTimer(after.sellerId, after.closedAt), now)] : []),
];

/** An entry's 365 days are over: the entry goes, its points stop counting, the timer is settled. */
export const expiryWrites = (entry: Pick<PenaltyEntry, 'sellerId' | 'entryId' | 'createdAt'>, before: Standing, after: Standing, timer: Timer): Write[] => [
  remove(penaltyEntryEntity.key(entry)),
  standingWrite(after, before),
  settleTimer(timer),
];

/** The write-time check for a new listing: no NO_NEW_LISTINGS restriction running and the store not closed. */
export const sellerMayList = (sellerId: string, now: string): Guarded =>
  guarded(
    'sellerMayList',
    conditionCheck(
      standingEntity.key({ sellerId }),
      'attribute_not_exists(PK) OR ((attribute_type(#until.#listings, :null) OR #until.#listings <= :now) AND attribute_type(closedAt, :null))',
      { '#until': 'until', '#listings': 'NO_NEW_LISTINGS' },
      { ':now': now, ':null': 'NULL' },
    ),
  );

