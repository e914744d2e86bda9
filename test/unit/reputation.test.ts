import { describe, expect, it } from 'vitest';
import * as reputation from '../../lambdas/domain/reputation.js';
import type { OrderFeedback, ReputationMonth } from '../../lambdas/domain/reputation.js';
import * as reviews from '../../lambdas/domain/reviews.js';
import type { Review } from '../../lambdas/domain/reviews.js';
import { anOrder, at } from './order-builder.js';

const order = anOrder().shipped(1).completed(6).build();
const publishedReview = (reviewId: string, rating: number, now: string, itemAsDescribed = 5): Review => {
  const written = reviews.createReview({ reviewId, order, productId: order.items[0]?.productId as string, reviewerName: 'Jordan', content: { rating, text: 'Pours evenly and cleans up in seconds.', media: [], sellerRatings: { itemAsDescribed, communication: 4, shippingSpeed: 3 } }, now });
  return reviews.applyModeration(written, 1, 'PUBLISHED', [], now) as Review;
};

describe('one feedback per order', () => {
  it('is the class of the lowest published line, with the seller ratings of the first published review', () => {
    const first = reputation.withReview(null, publishedReview('rev_a', 5, at(7), 2), at(7));
    expect(reputation.feedbackCounts(first)).toMatchObject({ feedbackPositive: 1, feedbackNegative: 0, dsrCount: 1, dsrItemAsDescribed: 2 });
    const both = reputation.withReview(first, publishedReview('rev_b', 2, at(8), 5), at(8));
    expect(reputation.feedbackCounts(both)).toMatchObject({ feedbackPositive: 0, feedbackNegative: 1, dsrCount: 1, dsrItemAsDescribed: 2 });
    // The change moves the order's class once: −1 positive, +1 negative, the ratings unchanged.
    expect(reputation.feedbackDifference(first, both)).toEqual({ feedbackPositive: -1, feedbackNeutral: 0, feedbackNegative: 1, dsrCount: 0, dsrItemAsDescribed: 0, dsrCommunication: 0, dsrShippingSpeed: 0 });
    expect(both?.month).toBe(at(7).slice(0, 7));
  });

  it('takes a line back when its review is no longer published, and keeps the month of the first publication', () => {
    const review = publishedReview('rev_a', 3, at(7));
    const counted = reputation.withReview(null, review, at(7));
    const removed = reviews.moderatorDecides(review, { decision: 'REMOVE', reason: 'spam', target: 'REVIEW' }, 'admin-1', at(40));
    const after = reputation.withReview(counted, removed, at(40));
    expect(after).toMatchObject({ lines: {}, month: at(7).slice(0, 7) });
    expect(reputation.feedbackDifference(counted, after)).toMatchObject({ feedbackNeutral: -1, dsrCount: -1 });
  });

  it('counts nothing for an order the buyer lost in arbitration, then or later', () => {
    const counted = reputation.withReview(null, publishedReview('rev_a', 1, at(7)), at(7));
    const excluded = reputation.excludeFeedback(counted, order, at(20));
    expect(reputation.feedbackDifference(counted, excluded)).toMatchObject({ feedbackNegative: -1, dsrCount: -1 });
    const later = reputation.withReview(excluded, publishedReview('rev_b', 5, at(21)), at(21));
    expect(reputation.feedbackCounts(later)).toEqual(reputation.feedbackCounts(null));
  });
});

const month = (name: string, counts: Partial<ReputationMonth>): ReputationMonth => ({
  month: name,
  feedbackPositive: 0,
  feedbackNeutral: 0,
  feedbackNegative: 0,
  dsrCount: 0,
  dsrItemAsDescribed: 0,
  dsrCommunication: 0,
  dsrShippingSpeed: 0,
  ordersPlaced: 0,
  ordersDisputed: 0,
  shipments: 0,
  lateShipments: 0,
  buyerConversations: 0,
  firstResponses: 0,
  firstResponsesWithin24h: 0,
  firstResponseMinutes: 0,
  firstResponsesWithin1h: 0,
  firstResponsesWithin4h: 0,
  ...counts,
});

describe('figures', () => {
  const now = '2026-07-15T12:00:00.000Z';

  it('rates positive ÷ (positive + negative) over the last 6 calendar months, the current one included', () => {
    const months = [month('2026-07', { feedbackPositive: 2, feedbackNeutral: 1 }), month('2026-02', { feedbackNegative: 1 }), month('2026-01', { feedbackNegative: 5 })];
    expect(reputation.positiveRate(months, now, 6)).toEqual({ months: 6, positiveRate: 66.7, positive: 2, neutral: 1, negative: 1, count: 4 });
    expect(reputation.reputationOf(months, now).history.map((window) => [window.months, window.count])).toEqual([
      [1, 3],
      [3, 3],
      [6, 4],
      [12, 9],
    ]);
    expect(reputation.positiveRate([], now, 6).positiveRate).toBeNull();
  });

  it('counts responses within 24 h over this month and the last, with the median from the buckets', () => {
    const months = [month('2026-07', { buyerConversations: 6, firstResponses: 5, firstResponsesWithin24h: 4, firstResponsesWithin4h: 3, firstResponsesWithin1h: 1 }), month('2026-05', { buyerConversations: 10 })];
    expect(reputation.responseFigures(months, now)).toEqual({ conversations: 6, responseRate: 66.7, medianFirstResponse: 'PT4H' });
    expect(reputation.responseFigures([], now)).toEqual({ conversations: 0, responseRate: null, medianFirstResponse: null });
  });

  it('crosses a year boundary when it counts months back', () => {
    expect(reputation.monthBefore('2026-02-01T00:00:00.000Z', 2)).toBe('2025-12');
    expect(reputation.monthBefore('2026-02-01T00:00:00.000Z', 0)).toBe('2026-02');
  });
});

describe('badges', () => {
  const now = '2026-07-15T12:00:00.000Z';
  const badgesOf = (counts: Partial<ReputationMonth>) => reputation.reputationBadges(reputation.reputationOf([month('2026-07', counts)], now)).map((badge) => badge.code);

  it('grants TOP_RATED at ≥ 95 % positive over ≥ 50 ratings with ≤ 2 % disputes, and says why', () => {
    const [badge] = reputation.reputationBadges(reputation.reputationOf([month('2026-07', { feedbackPositive: 48, feedbackNegative: 2, ordersPlaced: 100, ordersDisputed: 2 })], now));
    expect(badge).toEqual({ code: 'TOP_RATED', reason: '96 % positive over 50 ratings and 2 % disputes in the last 6 months' });
    expect(badgesOf({ feedbackPositive: 47, feedbackNegative: 2 })).toEqual([]);
    expect(badgesOf({ feedbackPositive: 47, feedbackNegative: 3 })).toEqual([]);
    expect(badgesOf({ feedbackPositive: 48, feedbackNegative: 2, ordersPlaced: 100, ordersDisputed: 3 })).toEqual([]);
  });

  it('grants FAST_SHIPPER at ≥ 95 % on time over ≥ 20 shipments, RESPONSIVE at ≥ 90 % answered within 24 h', () => {
    expect(badgesOf({ shipments: 20, lateShipments: 1 })).toEqual(['FAST_SHIPPER']);
    expect(badgesOf({ shipments: 19 })).toEqual([]);
    expect(badgesOf({ shipments: 20, lateShipments: 2 })).toEqual([]);
    expect(badgesOf({ buyerConversations: 10, firstResponses: 10, firstResponsesWithin24h: 9 })).toEqual(['RESPONSIVE']);
    expect(badgesOf({ buyerConversations: 10, firstResponses: 10, firstResponsesWithin24h: 8 })).toEqual([]);
  });
});

// Keeps the stored shape honest: an excluded order without lines still names its seller and month.
it('excludes an order with no feedback yet, so that later reviews do not count', () => {
  const excluded: OrderFeedback = reputation.excludeFeedback(null, order, at(20));
  expect(excluded).toMatchObject({ orderId: order.orderId, sellerId: order.sellerId, excluded: true, lines: {} });
});

describe('the badge job’s rules', () => {
  const now = '2026-07-14T09:30:00.000Z';

  it('moves the window at the next month boundary while a month of the last six counted anything, and never for an empty window', () => {
    expect(reputation.windowMovesAt([month('2026-02', { shipments: 1 })], now)).toBe('2026-08-01T00:00:00.000Z');
    expect(reputation.windowMovesAt([month('2026-01', { shipments: 40 })], now)).toBeNull();
    expect(reputation.windowMovesAt([month('2026-07', {})], now)).toBeNull();
    expect(reputation.windowMovesAt([month('2026-12', { ordersPlaced: 1 })], '2026-12-31T23:59:59.000Z')).toBe('2027-01-01T00:00:00.000Z');
  });

  it('adds VERIFIED with its reason to the reputation’s badges for a verified seller', () => {
    const fast = reputation.reputationOf([month('2026-07', { shipments: 20, lateShipments: 1 })], now);
    expect(reputation.badgesOf(fast, true).map((badge) => badge.code)).toEqual(['FAST_SHIPPER', 'VERIFIED']);
    expect(reputation.badgesOf(fast, false).map((badge) => badge.code)).toEqual(['FAST_SHIPPER']);
  });

  it('rewrites stored badges only when a badge, a reason or the window’s next move changed', () => {
    const badges = [reputation.VERIFIED_BADGE];
    const stored = { sellerId: 'seller-1', badges, computedAt: now, windowMovesAt: '2026-08-01T00:00:00.000Z', version: 3 };
    expect(reputation.badgesChanged(stored, [{ ...reputation.VERIFIED_BADGE }], '2026-08-01T00:00:00.000Z')).toBe(false);
    expect(reputation.badgesChanged(stored, [], '2026-08-01T00:00:00.000Z')).toBe(true);
    expect(reputation.badgesChanged(stored, [{ code: 'VERIFIED', reason: 'another reason' }], '2026-08-01T00:00:00.000Z')).toBe(true);
    expect(reputation.badgesChanged(stored, badges, null)).toBe(true);
    expect(reputation.badgesChanged(null, [], null)).toBe(true);
  });
});
