/**
 * Seller reputation (DOMAIN.md "Seller reputation"): the one feedback of an order, and the figures the
 * public profile shows, from the seller's monthly counters. Pure: no I/O, the time is passed in.
 */
import type { ResponseCounters } from './conversations.js';
import type { FeedbackDelta, Review } from './reviews.js';
import { feedbackClass } from './reviews.js';

/** One published review line of an order, as its feedback counts it. */
export interface FeedbackLine {
  rating: number;
  sellerRatings: { itemAsDescribed: number; communication: number; shippingSpeed: number };
  /** When the review was first published: the first one gives the order its detailed seller ratings. */
  firstPublishedAt: string;
}

/**
 * What an order's feedback is and what was counted for it: kept per order so that a change of one review
 * line moves the order's class in the seller's counters exactly once.
 */
export interface OrderFeedback {
  orderId: string;
  sellerId: string;
  /** Month of the order's first publication: its feedback is counted there, whatever happens later. */
  month: string;
  /** Published lines by review id. */
  lines: Record<string, FeedbackLine>;
  /** Set when the buyer lost the order's dispute in arbitration: the reviews still show, the feedback does not count. */
  excluded: boolean;
  version: number;
}

const NONE: FeedbackDelta = { feedbackPositive: 0, feedbackNeutral: 0, feedbackNegative: 0, dsrCount: 0, dsrItemAsDescribed: 0, dsrCommunication: 0, dsrShippingSpeed: 0 };

/** What an order's feedback adds to its month: the lowest line's class and the first published review's seller ratings. */
export function feedbackCounts(feedback: OrderFeedback | null): FeedbackDelta {
  const lines = Object.entries(feedback?.lines ?? {});
  if (!feedback || feedback.excluded || lines.length === 0) return { ...NONE };
  const lowest = Math.min(...lines.map(([, line]) => line.rating));
  const [, first] = lines.sort(([idA, a], [idB, b]) => a.firstPublishedAt.localeCompare(b.firstPublishedAt) || idA.localeCompare(idB))[0]!;
  const cls = feedbackClass(lowest);
  return {
    feedbackPositive: cls === 'positive' ? 1 : 0,
    feedbackNeutral: cls === 'neutral' ? 1 : 0,
    feedbackNegative: cls === 'negative' ? 1 : 0,
    dsrCount: 1,
    dsrItemAsDescribed: first.sellerRatings.itemAsDescribed,
    dsrCommunication: first.sellerRatings.communication,
    dsrShippingSpeed: first.sellerRatings.shippingSpeed,
  };
}

export const feedbackDifference = (before: OrderFeedback | null, after: OrderFeedback | null): FeedbackDelta => {
  const [b, a] = [feedbackCounts(before), feedbackCounts(after)];
  return Object.fromEntries(Object.keys(NONE).map((key) => [key, a[key as keyof FeedbackDelta] - b[key as keyof FeedbackDelta]])) as unknown as FeedbackDelta;
};

/** The order's feedback once `review` is as given: its line set or removed; null when nothing was ever published. */
export function withReview(before: OrderFeedback | null, review: Review, now: string): OrderFeedback | null {
  const lines = { ...(before?.lines ?? {}) };
  if (review.published) {
    lines[review.reviewId] = { rating: review.published.rating, sellerRatings: review.published.sellerRatings, firstPublishedAt: review.firstPublishedAt ?? now };
  } else {
    delete lines[review.reviewId];
  }
  if (!before && Object.keys(lines).length === 0) return null;
  return {
    orderId: review.orderId,
    sellerId: review.sellerId,
    month: before?.month ?? (review.firstPublishedAt ?? now).slice(0, 7),
    lines,
    excluded: before?.excluded ?? false,
    version: before?.version ?? 0,
  };
}

/** The buyer lost the order's dispute in arbitration: its feedback stops counting, now and later. */
export const excludeFeedback = (before: OrderFeedback | null, order: { orderId: string; sellerId: string }, now: string): OrderFeedback => ({
  orderId: order.orderId,
  sellerId: order.sellerId,
  month: before?.month ?? now.slice(0, 7),
  lines: before?.lines ?? {},
  excluded: true,
  version: before?.version ?? 0,
});

// ---- Figures ----

/** A month of a seller's counters: feedback, orders and shipments, and messaging's first responses. */
export interface ReputationMonth extends FeedbackDelta, ResponseCounters {
  month: string;
  ordersPlaced: number;
  ordersDisputed: number;
  shipments: number;
  lateShipments: number;
}

/** `yyyy-mm` of the month `back` months before the month of `now`. */
export function monthBefore(now: string, back: number): string {
  const date = new Date(now);
  const index = date.getUTCFullYear() * 12 + date.getUTCMonth() - back;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The months of the last `count` calendar months, the current one included. */
const window = (months: readonly ReputationMonth[], now: string, count: number) => {
  const from = monthBefore(now, count - 1);
  const to = monthBefore(now, 0);
  return months.filter((month) => month.month >= from && month.month <= to);
};

const sum = (months: readonly ReputationMonth[], field: keyof Omit<ReputationMonth, 'month'>): number => months.reduce((total, month) => total + month[field], 0);

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);
const mean = (total: number, count: number): number | null => (count === 0 ? null : Math.round((total / count) * 100) / 100);

export interface PositiveRate {
  months: number;
  /** positive ÷ (positive + negative), in percent with one decimal; null with no such feedback. */
  positiveRate: number | null;
  positive: number;
  neutral: number;
  negative: number;
  /** Orders with feedback in the window. */
  count: number;
}

export function positiveRate(months: readonly ReputationMonth[], now: string, count: number): PositiveRate {
  const inWindow = window(months, now, count);
  const [positive, neutral, negative] = [sum(inWindow, 'feedbackPositive'), sum(inWindow, 'feedbackNeutral'), sum(inWindow, 'feedbackNegative')];
  return { months: count, positiveRate: ratio(positive, positive + negative), positive, neutral, negative, count: positive + neutral + negative };
}

/** The window of the rates: 6 calendar months, the current one included (DOMAIN.md). */
export const REPUTATION_MONTHS = 6;
export const HISTORY_MONTHS = [1, 3, 6, 12] as const;

/**
 * Messaging counts first responses per month, so "the last 30 days" is read as the current and the
 * previous calendar month (at least 30 days, at most 61); the median first response time is taken from
 * the bucketed counts (within 1 h, 4 h, 24 h, later) as the upper bound of the bucket holding the median.
 */
export function responseFigures(months: readonly ReputationMonth[], now: string) {
  const inWindow = window(months, now, 2);
  const conversations = sum(inWindow, 'buyerConversations');
  const responses = sum(inWindow, 'firstResponses');
  const buckets = [
    { upTo: 'PT1H', count: sum(inWindow, 'firstResponsesWithin1h') },
    { upTo: 'PT4H', count: sum(inWindow, 'firstResponsesWithin4h') },
    { upTo: 'PT24H', count: sum(inWindow, 'firstResponsesWithin24h') },
  ] as const;
  // Buckets are cumulative: within 1 h ⊂ within 4 h ⊂ within 24 h.
  const median = responses === 0 ? null : (buckets.find((bucket) => bucket.count * 2 >= responses)?.upTo ?? 'P1D+');
  return { conversations, responseRate: ratio(sum(inWindow, 'firstResponsesWithin24h'), conversations), medianFirstResponse: median };
}

export function reputationOf(months: readonly ReputationMonth[], now: string) {
  const inWindow = window(months, now, REPUTATION_MONTHS);
  const dsrCount = sum(inWindow, 'dsrCount');
  const shipments = sum(inWindow, 'shipments');
  const orders = sum(inWindow, 'ordersPlaced');
  return {
    feedback: positiveRate(months, now, REPUTATION_MONTHS),
    sellerRatings: {
      count: dsrCount,
      itemAsDescribed: mean(sum(inWindow, 'dsrItemAsDescribed'), dsrCount),
      communication: mean(sum(inWindow, 'dsrCommunication'), dsrCount),
      shippingSpeed: mean(sum(inWindow, 'dsrShippingSpeed'), dsrCount),
    },
    responses: responseFigures(months, now),
    disputes: { orders, disputed: sum(inWindow, 'ordersDisputed'), disputeRate: ratio(sum(inWindow, 'ordersDisputed'), orders) },
    shipping: { shipments, onTime: shipments - sum(inWindow, 'lateShipments'), onTimeRate: ratio(shipments - sum(inWindow, 'lateShipments'), shipments) },
    history: HISTORY_MONTHS.map((count) => positiveRate(months, now, count)),
  };
}

export type Reputation = ReturnType<typeof reputationOf>;

// ---- Badges (recomputed by the daily badge job, lambdas/jobs/badges.ts; see decision 022) ----

export type BadgeCode = 'TOP_RATED' | 'FAST_SHIPPER' | 'RESPONSIVE' | 'VERIFIED';
export interface Badge {
  code: BadgeCode;
  reason: string;
}

export const BADGE_RULES = { topRatedRate: 95, topRatedCount: 50, topRatedDisputeRate: 2, fastShipperRate: 95, fastShipperShipments: 20, responsiveRate: 90 } as const;

export function reputationBadges(reputation: Reputation): Badge[] {
  const badges: Badge[] = [];
  const { feedback, disputes, shipping, responses } = reputation;
  const rated = feedback.positive + feedback.negative;
  if (feedback.positiveRate !== null && feedback.positiveRate >= BADGE_RULES.topRatedRate && rated >= BADGE_RULES.topRatedCount && (disputes.disputeRate ?? 0) <= BADGE_RULES.topRatedDisputeRate) {
    badges.push({ code: 'TOP_RATED', reason: `${feedback.positiveRate} % positive over ${rated} ratings and ${disputes.disputeRate ?? 0} % disputes in the last ${REPUTATION_MONTHS} months` });
  }
  if (shipping.onTimeRate !== null && shipping.onTimeRate >= BADGE_RULES.fastShipperRate && shipping.shipments >= BADGE_RULES.fastShipperShipments) {
    badges.push({ code: 'FAST_SHIPPER', reason: `${shipping.onTimeRate} % of ${shipping.shipments} shipments on time in the last ${REPUTATION_MONTHS} months` });
  }
  if (responses.responseRate !== null && responses.responseRate >= BADGE_RULES.responsiveRate) {
    badges.push({ code: 'RESPONSIVE', reason: `answered ${responses.responseRate} % of ${responses.conversations} buyer conversations within 24 h` });
  }
  return badges;
}

export const VERIFIED_BADGE: Badge = { code: 'VERIFIED', reason: 'identity verified by the platform' };

/** Every badge the seller holds now: the reputation's, and VERIFIED once the identity is verified. */
export const badgesOf = (reputation: Reputation, verified: boolean): Badge[] => [...reputationBadges(reputation), ...(verified ? [VERIFIED_BADGE] : [])];

/** A seller's badges as the badge job last stored them; the public profile shows these. */
export interface SellerBadges {
  sellerId: string;
  badges: Badge[];
  computedAt: string;
  /** When the figures' window next moves (a month boundary), if anything is in it: the job recomputes then. */
  windowMovesAt: string | null;
  version: number;
}

/**
 * The next instant the badges' figures can change with no new event: the next calendar month boundary,
 * when the oldest month leaves the 6-month window (and the response window moves). None when no month
 * in the window counted anything: moving an empty window changes nothing.
 */
export function windowMovesAt(months: readonly ReputationMonth[], now: string): string | null {
  const counted = window(months, now, REPUTATION_MONTHS).some((month) => Object.entries(month).some(([field, value]) => field !== 'month' && value !== 0));
  if (!counted) return null;
  const date = new Date(now);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1)).toISOString();
}

/** Whether the stored badges must be rewritten: a badge or a reason changed, or the window's next move. */
export const badgesChanged = (stored: SellerBadges | null, badges: readonly Badge[], movesAt: string | null): boolean =>
  !stored || stored.windowMovesAt !== movesAt || JSON.stringify(stored.badges) !== JSON.stringify(badges);
