import { describe, expect, it } from 'vitest';
import * as reviews from '../../lambdas/domain/reviews.js';
import type { Review, RevisionContent } from '../../lambdas/domain/reviews.js';
import { anOrder, at } from './order-builder.js';
import { refusal } from './refusal.js';
import * as store from '../../lambdas/store/reviews.js';

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
const published = (overrides: Partial<RevisionContent> = {}): Review => reviews.applyModeration(written(overrides), 1, 'PUBLISHED', [], at(7.1)) as Review;
const reportedThreeTimes = (review: Review): reviews.ReportOutcome => {
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

  it('refuses a review of an order its seller placed on its own store with OWN_PRODUCT (no "verified" self-review)', () => {
    const selfDealt = { ...completed, buyerId: completed.sellerId };
    expect(refusal(() => reviews.createReview({ reviewId: 'r', order: selfDealt, productId: completed.items[0]?.productId as string, reviewerName: 'x', content: content(), now: at(7) }))).toBe('OWN_PRODUCT');
  });

  it('never stores the real name, only the masked one', () => {
    expect(JSON.stringify(written())).not.toContain('Quintessa');
  });
});

describe('moderation outcomes', () => {
  it('publishes the revision it was asked about, once', () => {
    const review = written();
    const result = reviews.applyModeration(review, 1, 'PUBLISHED', [], at(7.1)) as Review;
    expect(result).toMatchObject({ status: 'PUBLISHED', published: result.latest, latest: { decidedAt: at(7.1), decidedBy: null } });
    expect(reviews.applyModeration(result, 1, 'PUBLISHED', [], at(7.2))).toBeNull();
  });

  it('ignores a decision about a revision an edit has replaced', () => {
    const edited = reviews.editReview(published(), { rating: 2 }, at(8));
    expect(reviews.applyModeration(edited, 1, 'REJECTED', [], at(8.1))).toBeNull();
  });
});

const remove = (review: Review, now = at(10)) => reviews.moderatorDecides(review, { decision: 'REMOVE', reason: 'spam', target: 'REVIEW' }, 'admin-1', now);
const moderatorPublishes = (review: Review, now: string) => reviews.moderatorDecides(review, { decision: 'PUBLISH', target: 'REVIEW' }, 'admin-1', now);
const moderatorRejects = (review: Review, now: string) => reviews.moderatorDecides(review, { decision: 'REJECT', reason: 'insulting', target: 'REVIEW' }, 'admin-1', now);

describe('aggregates move by the change in what is published', () => {
  it('counts a first publication, moves a re-rated one and takes back an unpublished one', () => {
    const pending = written({ rating: 4, media: [{ uploadId: 'u', key: 'k', contentType: 'image/png' }] });
    const first = reviews.applyModeration(pending, 1, 'PUBLISHED', [], at(7.1)) as Review;
    expect(reviews.reviewChange(pending, first).aggregates).toMatchObject({ productId: first.productId, sellerId: first.sellerId, month: at(7.1).slice(0, 7) });
    expect(reviews.reviewChange(pending, first).aggregates?.rating).toEqual({ count: 1, sum: 4, histogram: { 1: 0, 2: 0, 3: 0, 4: 1, 5: 0 }, withMedia: 1 });
    const pendingEdit = reviews.editReview(first, { rating: 2, media: [] }, at(9));
    const edited = reviews.applyModeration(pendingEdit, 2, 'PUBLISHED', [], at(9.1)) as Review;
    const reRated = reviews.reviewChange(pendingEdit, edited).aggregates;
    expect(reRated?.rating).toEqual({ count: 0, sum: -2, histogram: { 1: 0, 2: 1, 3: 0, 4: -1, 5: 0 }, withMedia: -1 });
    expect(reviews.reviewChange(edited, remove(edited)).aggregates?.rating).toMatchObject({ count: -1, sum: -2 });
  });

  it('leave aggregates and the public projection alone when what is published does not change', () => {
    const review = published();
    const edit = reviews.editReview(review, { rating: 1 }, at(8));
    expect(reviews.reviewChange(review, edit)).toMatchObject({ aggregates: null, projection: null, revisions: [edit.latest] });
    const reported = reviews.recordReport(review, at(8)).review;
    expect(reviews.reviewChange(review, reported)).toMatchObject({ aggregates: null, projection: null, revisions: [] });
  });

  it('write the public projection on publication and take it away on removal', () => {
    const pending = written();
    const first = reviews.applyModeration(pending, 1, 'PUBLISHED', [], at(7.1)) as Review;
    expect(reviews.reviewChange(pending, first).projection).toEqual({ before: null, after: reviews.publicReviewOf(first) });
    expect(reviews.reviewChange(first, remove(first)).projection).toEqual({ before: reviews.publicReviewOf(first), after: null });
  });
});

describe('admin decisions', () => {
  it("record the admin's id and the time on the revision a moderator publishes or rejects", () => {
    const held = reportedThreeTimes(published()).review;
    expect(moderatorRejects(held, at(9)).latest).toMatchObject({ status: 'REJECTED', decidedAt: at(9), decidedBy: 'admin-1' });
    expect(moderatorPublishes(held, at(9)).latest).toMatchObject({ status: 'PUBLISHED', decidedAt: at(9), decidedBy: 'admin-1' });
  });

  it("record the admin's id and the time on a removal", () => {
    expect(remove(published(), at(10)).removal).toEqual({ reason: 'spam', at: at(10), by: 'admin-1' });
  });

  it("record the admin's id and the time on a reply decision, and not on an automated one", () => {
    const replied = reviews.setReply(published(), 'Thank you for the kind words.', at(8));
    const escalated = reviews.applyReplyModeration(replied, 1, 'NEEDS_HUMAN', [], at(8.1)) as Review;
    expect(escalated.reply).toMatchObject({ status: 'NEEDS_HUMAN', decidedAt: at(8.1), decidedBy: null });
    const decided = reviews.moderatorDecides(escalated, { decision: 'PUBLISH', target: 'REPLY' }, 'admin-2', at(9));
    expect(decided.reply).toMatchObject({ status: 'PUBLISHED', decidedAt: at(9), decidedBy: 'admin-2', published: { text: 'Thank you for the kind words.', repliedAt: at(9) } });
  });
});

describe("the product's own seller", () => {
  it('may neither vote on nor report reviews of its products (OWN_PRODUCT); anyone else may', () => {
    const review = published();
    expect(refusal(() => reviews.assertCanVote(review, review.reviewId, review.sellerId))).toBe('OWN_PRODUCT');
    expect(refusal(() => reviews.assertCanReport(review, review.reviewId, review.sellerId))).toBe('OWN_PRODUCT');
    expect(() => reviews.assertCanVote(review, review.reviewId, 'someone-else')).not.toThrow();
    expect(() => reviews.assertCanReport(review, review.reviewId, 'someone-else')).not.toThrow();
  });
});

describe('abuse reports', () => {
  it('send a published review to a moderator, unpublished, on the third report', () => {
    const result = reportedThreeTimes(published());
    expect(result.review).toMatchObject({ status: 'NEEDS_HUMAN', published: null, heldForModerator: true, reportCount: 3 });
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
    const rejected = moderatorRejects(edit, at(10));
    expect(rejected).toMatchObject({ status: 'REJECTED', reportCount: 0, heldForModerator: true });
    expect(reviews.editReview(rejected, { rating: 3 }, at(11)).status).toBe('NEEDS_HUMAN');
    const again = moderatorPublishes(reviews.editReview(rejected, { rating: 3 }, at(11)), at(12));
    expect(again).toMatchObject({ status: 'PUBLISHED', heldForModerator: false, reportCount: 0 });
    expect(reviews.editReview(again, { rating: 4 }, at(13)).status).toBe('PENDING_MODERATION');
  });
});

describe('edits', () => {
  it('are accepted for 180 days after writing, never after a removal', () => {
    const review = published();
    expect(reviews.editReview(review, { rating: 4 }, at(7 + 180)).status).toBe('PENDING_MODERATION');
    expect(refusal(() => reviews.editReview(review, { rating: 4 }, at(7 + 180.001)))).toBe('EDIT_WINDOW_CLOSED');
    expect(refusal(() => reviews.editReview(remove(review, at(8)), { rating: 4 }, at(9)))).toBe('REVIEW_REMOVED');
  });

  it('keep the entry a review already has for a file it names again (the checked copy), and take new files as named', () => {
    const photo = { uploadId: 'upl_photo', key: 'incoming/review-media/upl_photo', contentType: 'image/png' };
    const checked = { ...photo, key: 'owned/review-media/upl_photo.0a1b2c3d4e5f' };
    // Moderation published the revision with its checked copy; a later edit is still pending with the form's key.
    const review = reviews.editReview(published({ media: [checked] }), { media: [photo] }, at(8));
    const video = { uploadId: 'upl_video', key: 'incoming/review-media/upl_video', contentType: 'video/mp4' };
    expect(reviews.keepKnownMedia(review, [video, photo])).toEqual([video, checked]);
    expect(reviews.keepKnownMedia(written({ media: [photo] }), [photo])).toEqual([photo]);
  });
});

/** What DynamoDB gives back: the item as written, minus attributes the client drops (undefined values). */
const stored = (item: Record<string, unknown>): Record<string, unknown> => JSON.parse(JSON.stringify(item)) as Record<string, unknown>;

describe('the review entities', () => {
  const withEverything = (): Review => {
    const replied = reviews.setReply(published({ media: [{ uploadId: 'upl_1', key: 'review-media/upl_1', contentType: 'image/png' }] }), 'Thanks for the photo.', at(8));
    const held = reportedThreeTimes(reviews.applyReplyModeration(replied, 1, 'PUBLISHED', [], at(8.1)) as Review).review;
    return { ...remove(moderatorRejects(held, at(9)), at(10)), editWindowClosed: true };
  };

  it.each([
    ['pending', () => written()],
    ['published', () => published()],
    ['replied, reported, rejected and removed by admins', withEverything],
  ])('reads back a %s review exactly as it was written', (_state, make) => {
    const review = make();
    expect(store.reviewEntity.parse(stored(store.reviewEntity.item(review)))).toEqual(review);
  });

  it('indexes a review by buyer, by shop once published, and in the moderation queue only while it or its reply waits', () => {
    const pending = store.reviewEntity.item(written());
    expect(pending).toMatchObject({ PK: 'REVIEW#rev_1', SK: 'REVIEW', entity: 'review', GSI1PK: `BUYER#${completed.buyerId}#REVIEWS`, GSI3PK: 'REVIEWS#PENDING_MODERATION' });
    expect(pending).not.toHaveProperty('GSI2PK');
    const live = store.reviewEntity.item(published());
    expect(live).toMatchObject({ GSI2PK: `SELLER#${completed.sellerId}#REVIEWS`, GSI2SK: `${at(7.1)}#rev_1` });
    expect(live).not.toHaveProperty('GSI3PK');
    const escalatedReply = reviews.applyReplyModeration(reviews.setReply(published(), 'Thanks, you idiot.', at(8)), 1, 'NEEDS_HUMAN', [], at(8.1)) as Review;
    expect(store.reviewEntity.item(escalatedReply)).toMatchObject({ GSI3PK: 'REVIEWS#NEEDS_HUMAN' });
  });

  it('reads a review decided before admins were recorded as decided by nobody in particular', () => {
    const review = remove(published(), at(10));
    const item = stored(store.reviewEntity.item(review));
    const legacy = { ...item, latest: { ...(item.latest as object), decidedBy: undefined }, removal: { reason: 'spam', at: at(10) } };
    expect(store.reviewEntity.parse(stored(legacy))).toMatchObject({ latest: { decidedBy: null }, removal: { reason: 'spam', at: at(10), by: null } });
  });

  it('refuses a stored review whose fields do not match, naming the field', () => {
    const { reportCount, ...renamed } = stored(store.reviewEntity.item(published()));
    expect(() => store.reviewEntity.parse({ ...renamed, reports: reportCount })).toThrow(/review REVIEW#rev_1 \/ REVIEW[\s\S]*reportCount/);
  });

  it('keys the public projection, its media copy and the child items of a review', () => {
    const review = published({ media: [{ uploadId: 'upl_1', key: 'review-media/upl_1', contentType: 'image/png' }] });
    const record = reviews.publicReviewOf(review) as reviews.PublicReview;
    const partition = `PRODUCT#${review.productId}#REVIEWS`;
    expect(store.publicReviewEntity.item(record)).toMatchObject({ SK: 'PUBLIC', GSI1PK: partition, GSI2SK: `R#5#${at(7.1)}#rev_1`, GSI3SK: `H#0000000000#${at(7.1)}#rev_1` });
    expect(store.publicReviewMediaEntity.item(record)).toMatchObject({ SK: 'PUBLIC#MEDIA', GSI1PK: `${partition}#MEDIA` });
    expect(store.publicReviewEntity.parse(stored(store.publicReviewEntity.item(record)))).toEqual(record);
    expect(store.revisionEntity.item(review.latest, { reviewId: 'rev_1' })).toMatchObject({ PK: 'REVIEW#rev_1', SK: 'REV#000001', entity: 'revision' });
    expect(store.voteEntity.key({ reviewId: 'rev_1', userId: 'u1' })).toEqual({ PK: 'REVIEW#rev_1', SK: 'VOTE#u1' });
    expect(store.reportEntity.key({ reviewId: 'rev_1', userId: 'u1' })).toEqual({ PK: 'REVIEW#rev_1', SK: 'REPORT#u1' });
    expect(store.reviewGuardEntity.item({ reviewId: 'rev_1' }, { orderId: 'ord_1', productId: 'prd_1' })).toEqual({ PK: 'ORDER#ord_1', SK: 'REVIEW#prd_1', entity: 'reviewGuard', reviewId: 'rev_1' });
    expect(store.textClaimEntity.key({ fingerprint: 'abc' })).toEqual({ PK: 'REVIEWTEXT#abc', SK: 'TEXT' });
  });
});
