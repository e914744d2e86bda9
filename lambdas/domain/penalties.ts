/**
 * Penalty points and the restrictions they bring (DOMAIN.md "Listings and seller verification"): points
 * count over a rolling 365 days (each entry expires on its own), and crossing a threshold starts its
 * restriction for its stated days from that moment — later expiry of points does not lift it early.
 */
import { addMs } from './time.js';

const DAY_MS = 24 * 60 * 60 * 1000;
export const PENALTY_LIFETIME_MS = 365 * DAY_MS;

/** The third and every later rejection of the same listing costs this many points. */
export const REJECTION_PENALTY_POINTS = 2;
const FREE_REJECTIONS = 2;

export const RESTRICTIONS = ['NO_NEW_LISTINGS', 'HIDDEN', 'FROZEN', 'CLOSED'] as const;
export type Restriction = (typeof RESTRICTIONS)[number];

/** At this many points the restriction starts, for this many days (null: for good). */
export const THRESHOLDS: readonly { points: number; restriction: Restriction; days: number | null; means: string }[] = [
  { points: 12, restriction: 'NO_NEW_LISTINGS', days: 7, means: 'You cannot create new listings.' },
  { points: 24, restriction: 'HIDDEN', days: 14, means: 'Your store and its listings are hidden from public lists.' },
  { points: 36, restriction: 'FROZEN', days: 30, means: 'Your store takes no new orders; open orders run to their end.' },
  { points: 48, restriction: 'CLOSED', days: null, means: 'Your store is closed: no new orders, listings hidden; open orders run to their end.' },
];

export type PenaltySource = { kind: 'ADMIN'; adminId: string } | { kind: 'LISTING_REJECTION'; productId: string };

export interface PenaltyEntry {
  sellerId: string;
  entryId: string;
  points: number;
  reason: string;
  source: PenaltySource;
  createdAt: string;
  expiresAt: string;
}

/** The seller's points still counting and when each restriction ends (null: not restricted). */
export interface Standing {
  sellerId: string;
  points: number;
  until: Record<Exclude<Restriction, 'CLOSED'>, string | null>;
  closedAt: string | null;
  version: number;
}

export const emptyStanding = (sellerId: string): Standing => ({ sellerId, points: 0, until: { NO_NEW_LISTINGS: null, HIDDEN: null, FROZEN: null }, closedAt: null, version: 0 });

/** Points a rejection costs, given how many times the listing has been rejected with it included. */
export const rejectionPenalty = (rejections: number): number => (rejections > FREE_REJECTIONS ? REJECTION_PENALTY_POINTS : 0);

export function penaltyEntry(sellerId: string, entryId: string, points: number, reason: string, source: PenaltySource, now: string): PenaltyEntry {
  return { sellerId, entryId, points, reason, source, createdAt: now, expiresAt: addMs(now, PENALTY_LIFETIME_MS) };
}

const later = (a: string | null, b: string): string => (a !== null && a > b ? a : b);

/** Adds an entry's points; each threshold crossed now starts its restriction from now. */
export function addPoints(standing: Standing, points: number, now: string): { standing: Standing; started: Restriction[] } {
  const total = standing.points + points;
  const crossed = THRESHOLDS.filter((threshold) => standing.points < threshold.points && total >= threshold.points);
  const until = { ...standing.until };
  let closedAt = standing.closedAt;
  for (const { restriction, days } of crossed) {
    if (restriction === 'CLOSED') closedAt ??= now;
    else if (days !== null) until[restriction] = later(until[restriction], addMs(now, days * DAY_MS));
  }
  return { standing: { ...standing, points: total, until, closedAt, version: standing.version + 1 }, started: crossed.map((threshold) => threshold.restriction) };
}

/** An entry's points stop counting after 365 days; restrictions already started run their course. */
export const expirePoints = (standing: Standing, points: number): Standing => ({ ...standing, points: Math.max(0, standing.points - points), version: standing.version + 1 });

export interface ActiveRestriction {
  code: Restriction;
  /** When it ends; null for a closed store. */
  until: string | null;
  means: string;
}

export function activeRestrictions(standing: Standing | undefined, now: string): ActiveRestriction[] {
  if (!standing) return [];
  return THRESHOLDS.flatMap(({ restriction, means }): ActiveRestriction[] => {
    if (restriction === 'CLOSED') return standing.closedAt ? [{ code: restriction, until: null, means }] : [];
    const until = standing.until[restriction];
    return until !== null && until > now ? [{ code: restriction, until, means }] : [];
  });
}

export const isRestricted = (standing: Standing | undefined, restriction: Restriction, now: string): ActiveRestriction | undefined =>
  activeRestrictions(standing, now).find((active) => active.code === restriction || active.code === 'CLOSED');
