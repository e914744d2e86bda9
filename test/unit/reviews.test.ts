import { describe, expect, it } from 'vitest';
import * as reviews from '../../lambdas/domain/reviews.js';
import type { Review, RevisionContent } from '../../lambdas/domain/reviews.js';
import { anOrder, at } from './order-builder.js';
import { refusal } from './refusal.js';

const content = (overrides: Partial<RevisionContent> = {}): RevisionContent => ({
  rating: 5,
  text: 'Pours evenly and cleans up in seconds.',
  media: [],
  sellerRatings: { itemAsDescribed: 5, communication: 4, shippingSpeed: 3 },
  ...overrides,
});

const completed = anOrder().shipped(1).completed(6).build();
const written = (overrides: Partial<RevisionContent> = {}, now = at(7)): Review =>
  reviews.createReview({ reviewId: 'rev_1', order: completed, productId: completed.items[0]?.productId as string, reviewerName: 'Jordan Quintessa', content: content(overrides), now });
const published = (overrides: Partial<RevisionContent> = {}): Review => reviews.applyModeration(written(overrides), 1, 'PUBLISHED', [], at(7.1))?.review as Review;
const reportedThreeTimes = (review: Review): reviews.ModerationResult => {
  let result = reviews.recordReport(review, at(8));
  result = reviews.recordReport(result.review, at(8));
  return reviews.recordReport(result.review, at(8));
};

describe('masked names', () => {
  it.each([
    ['Jordan Quintessa', 'J***a'],
    ['Li', 'L***'],
    ['Ann', 'A***'],
    ['Anna', 'A***a'],
    ['', 'a***r'],
  ])('shows %j as %j', (name, masked) => {
    expect(reviews.maskName(name)).toBe(masked);
  });
});

describe('who may review', () => {
  it('accepts the buyer of a completed order until 30 days after completion', () => {
    expect(written({}, at(36)).status).toBe('PENDING_MODERATION');
    expect(refusal(() => written({}, at(36.001)))).toBe('REVIEW_WINDOW_CLOSED');
  });

  it('refuses orders that are not completed, with a precise code', () => {
    const make = (order: ReturnType<typeof anOrder>) => () => reviews.createReview({ reviewId: 'r', order: order.build(), productId: completed.items[0]?.productId as string, reviewerName: 'x', content: content(), now: at(7) });
    expect(refusal(make(anOrder().shipped()))).toBe('ORDER_NOT_COMPLETED');
    expect(refusal(make(anOrder().cancelled()))).toBe('ORDER_CANCELLED');
  });

  it('never stores the real name, only the masked one', () => {
    expect(JSON.stringify(written())).not.toContain('Quintessa');
  });
});

describe('moderation outcomes', () => {
  it('publishes the revision it was asked about, once', () => {
    const review = written();
    const result = reviews.applyModeration(review, 1, 'PUBLISHED', [], at(7.1));
    expect(result?.publication).toEqual({ before: null, after: result?.review.latest });
    expect(reviews.applyModeration(result?.review as Review, 1, 'PUBLISHED', [], at(7.2))).toBeNull();
  });

  it('ignores a decision about a revision an edit has replaced', () => {
    const edited = reviews.editReview(published(), { rating: 2 }, at(8));
    expect(reviews.applyModeration(edited, 1, 'REJECTED', [], at(8.1))).toBeNull();
  });
});

describe('aggregates move by the change in what is published', () => {
  it('counts a first publication, moves a re-rated one and takes back an unpublished one', () => {
    const first = published({ rating: 4, media: [{ uploadId: 'u', key: 'k', contentType: 'image/png' }] });
    expect(reviews.ratingDelta({ before: null, after: first.published })).toEqual({ count: 1, sum: 4, histogram: { 1: 0, 2: 0, 3: 0, 4: 1, 5: 0 }, withMedia: 1 });
    const edited = reviews.applyModeration(reviews.editReview(first, { rating: 2, media: [] }, at(9)), 2, 'PUBLISHED', [], at(9.1)) as reviews.ModerationResult;
    expect(reviews.ratingDelta(edited.publication)).toEqual({ count: 0, sum: -2, histogram: { 1: 0, 2: 1, 3: 0, 4: -1, 5: 0 }, withMedia: -1 });
    expect(reviews.feedbackDelta(edited.publication)).toMatchObject({ feedbackPositive: -1, feedbackNegative: 1, dsrCount: 0 });
    const removed = reviews.adminDecision(edited.review, 'REMOVE', 'spam', at(10));
    expect(reviews.ratingDelta(removed.publication)).toMatchObject({ count: -1, sum: -2 });
  });
});

describe('abuse reports', () => {
  it('send a published review to a moderator, unpublished, on the third report', () => {
    const result = reportedThreeTimes(published());
    expect(result.review).toMatchObject({ status: 'NEEDS_HUMAN', published: null, heldForModerator: true, reportCount: 3 });
    expect(result.publication.after).toBeNull();
  });

  it('close a pending edit they overtake, telling the author why, and put the reported text before the moderator', () => {
    const edited = reviews.editReview(published({ rating: 5 }), { rating: 3 }, at(7.5));
    const result = reportedThreeTimes(edited);
    expect(result.superseded).toMatchObject({ revision: 2, rating: 3, status: 'REJECTED', reasons: [{ code: 'SUPERSEDED_BY_REPORTS' }] });
    expect(result.review.latest).toMatchObject({ revision: 3, rating: 5, status: 'NEEDS_HUMAN' });
  });

  it('keep edits with the moderator until a moderator publishes the review again', () => {
    const held = reportedThreeTimes(published()).review;
    const edit = reviews.editReview(held, { rating: 4 }, at(9));
    expect(edit).toMatchObject({ status: 'NEEDS_HUMAN', latest: { status: 'NEEDS_HUMAN', reasons: [{ code: 'HELD_FOR_MODERATOR' }] } });
    const rejected = reviews.adminDecision(edit, 'REJECT', 'insulting', at(10)).review;
    expect(rejected).toMatchObject({ status: 'REJECTED', reportCount: 0, heldForModerator: true });
    expect(reviews.editReview(rejected, { rating: 3 }, at(11)).status).toBe('NEEDS_HUMAN');
    const again = reviews.adminDecision(reviews.editReview(rejected, { rating: 3 }, at(11)), 'PUBLISH', undefined, at(12)).review;
    expect(again).toMatchObject({ status: 'PUBLISHED', heldForModerator: false, reportCount: 0 });
    expect(reviews.editReview(again, { rating: 4 }, at(13)).status).toBe('PENDING_MODERATION');
  });
});

describe('edits', () => {
  it('are accepted for 180 days after writing, never after a removal', () => {
    const review = published();
    expect(reviews.editReview(review, { rating: 4 }, at(7 + 180)).status).toBe('PENDING_MODERATION');
    expect(refusal(() => reviews.editReview(review, { rating: 4 }, at(7 + 180.001)))).toBe('EDIT_WINDOW_CLOSED');
    expect(refusal(() => reviews.editReview(reviews.adminDecision(review, 'REMOVE', 'spam', at(8)).review, { rating: 4 }, at(9)))).toBe('REVIEW_REMOVED');
  });
});
