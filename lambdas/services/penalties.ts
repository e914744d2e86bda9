/**
 * Penalty points: an admin's penalty, the points a repeatedly rejected listing costs, their expiry by the
 * timers job, and the seller's own view of points and restrictions (DOMAIN.md "Listings and seller
 * verification"). Every change writes the entry, its expiry timer and the standing in one transaction.
 */
import { DomainError, notFound } from '../domain/errors.js';
import { penaltyNotifications } from '../domain/notification-texts.js';
import { activeRestrictions, addPoints, emptyStanding, expirePoints, penaltyEntry, rejectionPenalty, type PenaltyEntry, type PenaltySource, type Standing } from '../domain/penalties.js';
import type { Product } from '../domain/products.js';
import type { Principal } from '../platform/auth.js';
import { clock } from '../platform/clock.js';
import { logger } from '../platform/logger.js';
import { newId } from '../platform/ids.js';
import { ClosurePayload, ExpiryPayload, expiryWrites, getPenalties, penaltyWrites } from '../store/penalties.js';
import { sellerListingIds, storeClosedMark } from '../store/products.js';
import { getSellerProfile } from '../store/sellers.js';
import { setTimer, settleTimer, type Timer } from '../store/timers.js';
import { guarded, type Write } from '../store/transactions.js';
import { runCommand, type AfterCommit } from './command.js';
import { notify } from './notifications.js';
import { retireTimer } from './outbox.js';

/**
 * The writes of a new penalty entry over the standing as it is now (read here with the entries, in one
 * Query; the write is guarded by the standing's version) with the seller's notifications, and the
 * standing and entries it leaves.
 */
async function pointsWrites(sellerId: string, points: number, reason: string, source: PenaltySource, now: string): Promise<{ writes: Write[]; afterCommit: AfterCommit[]; standing: Standing; entries: PenaltyEntry[] }> {
  const { standing: before, entries } = await getPenalties(sellerId);
  const entry = penaltyEntry(sellerId, newId('pen'), points, reason, source, now);
  const { standing, started } = addPoints(before ?? emptyStanding(sellerId), points, now);
  if (started.length > 0) logger.info('Seller restrictions started', { sellerId, started, points: standing.points });
  // The seller is told of the points and of each restriction they start, in the same transaction.
  const restrictions = started.map((restriction) => ({ restriction, until: restriction === 'CLOSED' ? null : standing.until[restriction] }));
  const told = notify(penaltyNotifications(sellerId, points, standing.points, reason, restrictions), now);
  const closedNow = standing.closedAt !== null && !before?.closedAt ? await closureMarks(sellerId, standing.closedAt) : [];
  return { writes: [...penaltyWrites(entry, before, standing, now), ...closedNow, ...told.writes], afterCommit: told.afterCommit, standing, entries: [...entries, entry] };
}

/** Listings marked per transaction: a page of the seller's listings, well inside a transaction's 100 items. */
export const CLOSURE_PAGE = 25;
/** Pages one firing of a closure's timer marks before it leaves the rest to the next sweep. */
const CLOSURE_PAGES_PER_FIRING = 40;

/**
 * A closing store's newest listings are marked in the closure's own transaction, so a typical store's
 * listings leave public view with it; the closure's timer (store/penalties.ts penaltyWrites) then marks
 * every listing, these again included, from the newest: a listing created while the closure was being
 * decided (its creation checks the standing, which was not closed yet) is among the newest, and is marked.
 */
async function closureMarks(sellerId: string, closedAt: string): Promise<Write[]> {
  const { productIds } = await sellerListingIds(sellerId, CLOSURE_PAGE);
  return productIds.map((productId) => storeClosedMark({ productId, sellerId, closedAt }));
}

/**
 * The STORE_CLOSURE timer fired: mark the store's listings a page per transaction, each moving the timer
 * on to the next page (so a sweep that stops midway resumes there), and settle it after the last page.
 * Marks are plain puts, so a page marked twice (a redelivery, a concurrent firing) changes nothing; of
 * two firings, the timer's guard lets one go on.
 */
export async function markClosedStore(timer: Timer): Promise<void> {
  const payload = ClosurePayload.safeParse(timer.payload);
  if (!payload.success) {
    logger.error('Store closure timer without its closure', { timer });
    await retireTimer(timer);
    return;
  }
  const sellerId = timer.entityId;
  const { closedAt } = payload.data;
  let current: Timer | null = timer;
  for (let page = 0; current && page < CLOSURE_PAGES_PER_FIRING; page++) {
    const firing: Timer = current;
    current = await runCommand({
      subject: 'store closure',
      load: () => sellerListingIds(sellerId, CLOSURE_PAGE, ClosurePayload.parse(firing.payload).cursor),
      decide: ({ productIds, lastKey }, now) => {
        const next: Timer | null = lastKey ? { ...firing, dueAt: now, payload: { closedAt, cursor: lastKey } } : null;
        return {
          writes: [...productIds.map((productId) => storeClosedMark({ productId, sellerId, closedAt })), guarded('timerUnmoved', next ? setTimer(next, now, { ifDueAt: firing.dueAt }) : settleTimer(firing))],
          result: next,
        };
      },
      // Another firing moved or settled the timer first: it goes on from there.
      alreadyDone: { guards: ['timerUnmoved'], result: null },
    });
  }
}

/** Written with a listing's rejection: the third and every later one costs points (none before). */
export async function rejectionPenaltyWrites(before: Product, after: Product, now: string): Promise<{ writes: Write[]; afterCommit: AfterCommit[] }> {
  if (after.status !== 'REJECTED' || after.rejections === before.rejections) return { writes: [], afterCommit: [] };
  const points = rejectionPenalty(after.rejections);
  if (points === 0) return { writes: [], afterCommit: [] };
  const { writes, afterCommit } = await pointsWrites(after.sellerId, points, `Listing ${after.productId} was rejected ${after.rejections} times.`, { kind: 'LISTING_REJECTION', productId: after.productId }, now);
  return { writes, afterCommit };
}

export async function addPenalty(admin: Principal, sellerId: string, penalty: { points: number; reason: string }) {
  const { standing, entries } = await runCommand({
    subject: 'seller standing',
    load: async () => {
      if (!(await getSellerProfile(sellerId))) throw notFound('Seller', sellerId);
    },
    decide: async (_nothing, now) => {
      const { writes, afterCommit, ...result } = await pointsWrites(sellerId, penalty.points, penalty.reason, { kind: 'ADMIN', adminId: admin.userId }, now);
      return { writes, result, afterCommit };
    },
  });
  return viewOf(standing, entries);
}

/** The PENALTY_EXPIRY timer fired: the entry's points stop counting (once: the entry goes with them). */
export async function expirePenalty(timer: Timer): Promise<void> {
  const payload = ExpiryPayload.safeParse(timer.payload);
  if (!payload.success) {
    logger.error('Penalty expiry timer without its entry', { timer });
    await retireTimer(timer);
    return;
  }
  const { sellerId, entryId } = payload.data;
  await runCommand({
    subject: 'seller standing',
    load: () => getPenalties(sellerId),
    decide: ({ standing, entries }) => {
      const entry = entries.find((candidate) => candidate.entryId === entryId);
      // Already expired by an earlier firing: only the timer is left to settle.
      if (!entry || !standing) return { writes: [], result: 'gone' as const, afterCommit: [() => retireTimer(timer)] };
      return { writes: expiryWrites(entry, standing, expirePoints(standing, entry.points), timer), result: 'expired' as const };
    },
  });
}

const viewOf = (standing: Standing | undefined, entries: readonly PenaltyEntry[]) => ({
  points: standing?.points ?? 0,
  entries: entries.map(({ entryId, points, reason, source, createdAt, expiresAt }) => ({ entryId, points, reason, source, createdAt, expiresAt })),
  restrictions: activeRestrictions(standing, clock.nowIso()),
});

/** Points still counting (each entry with its reason and expiry) and the restrictions running now. */
export async function penaltiesView(sellerId: string) {
  const { standing, entries } = await getPenalties(sellerId);
  return viewOf(standing, entries);
}

/** The answer to a seller whose restriction forbids what they asked. */
export const restrictedError = (what: string, until: string | null): DomainError =>
  new DomainError('SELLER_RESTRICTED', until ? `${what} until ${until} (penalty points; see GET /v1/sellers/me).` : `${what}: this store is closed (penalty points; see GET /v1/sellers/me).`);

