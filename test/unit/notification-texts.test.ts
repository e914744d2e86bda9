/**
 * Who is told what (lambdas/domain/notification-texts.ts): the right recipient per event, the deadline
 * when there is one, once per change, in plain words with no other user's private data.
 */
import { describe, expect, it } from 'vitest';
import * as appeals from '../../lambdas/domain/dispute-appeals.js';
import * as disputes from '../../lambdas/domain/disputes.js';
import type { Dispute, DisputeChange } from '../../lambdas/domain/disputes.js';
import type { NotificationDraft } from '../../lambdas/domain/notifications.js';
import { deadlineReminder, disputeNotifications, formatDate, formatMoney, orderNotifications, penaltyNotifications, protectionEndingNotification, refundNotification, reviewNotifications } from '../../lambdas/domain/notification-texts.js';
import * as orders from '../../lambdas/domain/orders.js';
import { requestRefund } from '../../lambdas/domain/refunds.js';
import type { Review } from '../../lambdas/domain/reviews.js';
import { anOrder, at } from './order-builder.js';

const BUYER = 'buyer-1';
const SELLER = 'seller-1';
const ADDRESS_WORDS = ['Jordan', '1 Main St', 'Springfield', 'pay_1'];
const noPrivateData = (drafts: readonly object[]) => {
  for (const secret of ADDRESS_WORDS) expect(JSON.stringify(drafts)).not.toContain(secret);
};

describe('amounts and dates in plain words', () => {
  it('formats minor units by the currency, and times in UTC', () => {
    expect(formatMoney(2450, 'USD')).toBe('$24.50');
    expect(formatMoney(1200, 'JPY')).toBe('¥1,200');
    expect(formatDate('2026-01-15T09:05:00.000Z')).toBe('15 Jan 2026, 09:05 UTC');
  });
});

describe('orders', () => {
  const placed = anOrder().build();
  const shipped = anOrder().shipped(1, 10).build();

  it('tells the buyer once when the order ships, with carrier and tracking, no deadline', () => {
    const drafts = orderNotifications(placed, shipped);
    expect(drafts).toEqual([expect.objectContaining({ userId: BUYER, type: 'ORDER_SHIPPED', subject: { kind: 'order', id: shipped.orderId }, dueAt: null })]);
    expect(drafts[0]?.body).toContain('UPS');
    expect(drafts[0]?.body).toContain('1Z999');
    noPrivateData(drafts);
    expect(orderNotifications(shipped, shipped)).toEqual([]);
  });

  it('tells the buyer of proof of delivery with the end of protection; a seller claim tells nobody', () => {
    const delivered = anOrder().shipped(1, 10).delivered(5).build();
    expect(orderNotifications(shipped, delivered)).toEqual([expect.objectContaining({ userId: BUYER, type: 'ORDER_DELIVERED', dueAt: delivered.protectionEndsAt })]);
    const claimed = orders.recordTrackingEvent(shipped, { status: 'DELIVERED', occurredAt: at(5) }, at(5), 'seller').order;
    expect(orderNotifications(shipped, claimed)).toEqual([]);
    // A late proof on a completed order: told, but there is no protection left to warn about.
    const completed = anOrder().shipped(1, 10).completed(6).build();
    const lateProof = orders.recordTrackingEvent(completed, { status: 'DELIVERED', occurredAt: at(5), signedBy: 'J. Doe' }, at(7), 'carrier').order;
    expect(orderNotifications(completed, lateProof)).toEqual([expect.objectContaining({ type: 'ORDER_DELIVERED', dueAt: null })]);
  });

  it('tells both parties of an automatic cancellation, and nobody of a party cancelling', () => {
    const auto = orders.autoCancelOrder(placed, 'rfd_1', orders.shipByOf(placed)).order;
    const drafts = orderNotifications(placed, auto);
    expect(drafts.map((draft) => [draft.userId, draft.type])).toEqual([
      [BUYER, 'ORDER_AUTO_CANCELLED'],
      [SELLER, 'ORDER_AUTO_CANCELLED'],
    ]);
    expect(drafts[0]?.body).toContain(formatMoney(placed.total.amount, 'USD'));
    noPrivateData(drafts);
    expect(orderNotifications(placed, anOrder().cancelled('seller').build())).toEqual([]);
  });

  it('warns the buyer 3 days before protection ends, with that end', () => {
    expect(protectionEndingNotification(shipped, shipped.protectionEndsAt as string)).toMatchObject({ userId: BUYER, type: 'PROTECTION_ENDING', dueAt: shipped.protectionEndsAt });
  });
});

describe('disputes', () => {
  const order = anOrder().shipped(1, 10).build();
  const REQUEST = { type: 'REFUND' as const, amount: 1000 };
  const opening = disputes.openDispute({ disputeId: 'dsp_1', order, reason: 'DAMAGED', request: REQUEST, description: 'Cracked lid.', evidence: [], now: at(3) });
  const open = opening.dispute;
  const told = (before: Dispute | null, change: DisputeChange) => disputeNotifications(before, change.dispute, change.timeline).map((draft) => [draft.userId, draft.type, draft.dueAt]);

  it('tells the seller of a new dispute with the response deadline, naming no buyer', () => {
    const drafts = disputeNotifications(null, open, opening.timeline);
    expect(told(null, opening)).toEqual([[SELLER, 'DISPUTE_OPENED', open.deadlines.sellerResponse]]);
    expect(drafts[0]?.body).toContain('$10.00');
    expect(JSON.stringify(drafts)).not.toContain(BUYER);
    noPrivateData(drafts);
  });

  it('tells the buyer of a counter-offer with the answer deadline', () => {
    const countered = disputes.sellerResponds(open, { action: 'COUNTER_OFFER', counterOffer: { type: 'REFUND', amount: 500 }, message: 'Half?', evidence: [] }, order, at(4));
    expect(told(open, countered)).toEqual([[BUYER, 'DISPUTE_COUNTER_OFFER', countered.dispute.deadlines.buyerResponse]]);
  });

  it('tells the party who did not act of a settlement, both of a deadline rule, and the buyer of a return to ship', () => {
    const accepted = disputes.sellerResponds(open, { action: 'ACCEPT', message: 'Sorry.', evidence: [] }, order, at(4));
    expect(told(open, accepted)).toEqual([[BUYER, 'DISPUTE_DECIDED', null]]);
    const withdrawn = disputes.buyerCancels(open, at(4));
    expect(told(open, withdrawn)).toEqual([[SELLER, 'DISPUTE_DECIDED', null]]);
    const lapsed = disputes.deadlinePassed(open, 'sellerResponse', order, at(9)) ?? expect.unreachable();
    expect(told(open, lapsed).map(([userId]) => userId)).toEqual([BUYER, SELLER]);
    const withReturn = disputes.sellerResponds({ ...open, request: { type: 'RETURN_AND_REFUND', amount: 1000 } }, { action: 'ACCEPT', message: 'Send it back.', evidence: [] }, order, at(4));
    expect(told(open, withReturn)).toEqual([[BUYER, 'DISPUTE_DECIDED', withReturn.dispute.deadlines.returnShipment]]);
  });

  it("tells both parties of the platform's decision, and the other party of an appeal", () => {
    const escalated = disputes.escalate(open, 'buyer', 'Please decide.', at(7)).dispute;
    const decided = disputes.adminDecides(escalated, { refundAmount: 800, returnRequired: false, rationale: 'Photos.' }, 'admin-1', order, at(8));
    expect(told(escalated, decided)).toEqual([
      [BUYER, 'DISPUTE_DECIDED', null],
      [SELLER, 'DISPUTE_DECIDED', null],
    ]);
    const appealed = appeals.appeal(decided.dispute, 'seller', { statement: 'Look again.', evidence: [{ uploadId: 'upl_01ARZ3NDEKTSV4RRFFQ69G5FB0', key: 'disputes/dsp_1/new.jpg', contentType: 'image/jpeg' }] }, at(9));
    expect(told(decided.dispute, appealed)).toEqual([[BUYER, 'DISPUTE_APPEALED', null]]);
    const final = appeals.decideAppeal(appealed.dispute, { refundAmount: 800, rationale: 'Upheld.' }, 'admin-2', order, at(10));
    expect(told(appealed.dispute, final).map(([userId, type]) => [userId, type])).toEqual([
      [BUYER, 'DISPUTE_DECIDED'],
      [SELLER, 'DISPUTE_DECIDED'],
    ]);
  });

  it('tells nobody of a change nobody has to act on (an escalation, a tracking update)', () => {
    expect(told(open, disputes.escalate(open, 'buyer', 'Please decide.', at(7)))).toEqual([]);
  });

  it('reminds whoever must act before each deadline, with it', () => {
    const due = at(8);
    expect(deadlineReminder(open, 'sellerResponse', due)).toMatchObject({ userId: SELLER, type: 'DEADLINE_REMINDER', dueAt: due });
    expect(deadlineReminder(open, 'buyerResponse', due)).toMatchObject({ userId: BUYER, dueAt: due });
    expect(deadlineReminder(open, 'returnShipment', due)).toMatchObject({ userId: BUYER, dueAt: due });
  });
});

describe('refunds', () => {
  const refund = requestRefund({ refundId: 'rfd_1', orderId: 'ord_1', disputeId: null, buyerId: BUYER, sellerId: SELLER, amount: { amount: 2450, currency: 'USD' }, paymentReference: 'pay_1' }, at(0));
  it('tells the buyer each status in plain words, about the refund', () => {
    const drafts = (['ISSUED', 'COMPLETED', 'FAILED'] as const).map((news) => refundNotification(refund, news));
    expect(new Set(drafts.map((draft) => draft.title)).size).toBe(3);
    for (const draft of drafts) expect(draft).toMatchObject({ userId: BUYER, type: 'REFUND_STATUS', subject: { kind: 'refund', id: 'rfd_1' } });
    expect(drafts[0]?.body).toContain('$24.50');
    noPrivateData(drafts);
  });
});

describe('reviews', () => {
  const pending = {
    reviewId: 'rev_1',
    orderId: 'ord_1',
    productId: 'prd_1',
    sellerId: SELLER,
    buyerId: BUYER,
    reviewerName: 'J***n',
    status: 'PENDING_MODERATION',
    latest: { revision: 1, status: 'PENDING_MODERATION', reasons: [], createdAt: at(0), decidedAt: null, decidedBy: null, rating: 5, text: 'Great.', media: [], sellerRatings: { itemAsDescribed: 5, communication: 5, shippingSpeed: 5 } },
    published: null,
    firstPublishedAt: null,
    statsMonth: null,
    helpfulCount: 0,
    reportCount: 0,
    reply: null,
    removal: null,
    createdAt: at(0),
    updatedAt: at(0),
    version: 1,
  } as Review;
  const published: Review = { ...pending, status: 'PUBLISHED', latest: { ...pending.latest, status: 'PUBLISHED' }, published: { ...pending.latest, status: 'PUBLISHED' } };

  /** What the seller's notifications of a review must never carry: who wrote it, or their order. */
  const noReviewer = (drafts: readonly NotificationDraft[]) => {
    for (const draft of drafts.filter((each) => each.userId === SELLER)) for (const secret of ['J***n', BUYER, 'ord_1']) expect(JSON.stringify(draft)).not.toContain(secret);
  };

  it('tells the author once when a revision is published or rejected, with the reasons', () => {
    expect(reviewNotifications(pending, published).map((draft) => [draft.userId, draft.type])).toEqual([
      [BUYER, 'REVIEW_PUBLISHED'],
      [SELLER, 'REVIEW_PUBLISHED'],
    ]);
    expect(reviewNotifications(published, published)).toEqual([]);
    const rejected: Review = { ...pending, status: 'REJECTED', latest: { ...pending.latest, status: 'REJECTED', reasons: [{ code: 'EXTERNAL_LINK', message: 'Links to other sites are not allowed.' }] } };
    const [draft, ...more] = reviewNotifications(pending, rejected);
    expect(draft).toMatchObject({ userId: BUYER, type: 'REVIEW_REJECTED' });
    expect(draft?.body).toContain('Links to other sites are not allowed.');
    // A review nobody can see is not the seller's news.
    expect(more).toEqual([]);
  });

  it('tells the seller a review of their product is published, with its rating and without who wrote it', () => {
    const drafts = reviewNotifications(pending, { ...published, latest: { ...published.latest, rating: 2 } });
    const seller = drafts.find((draft) => draft.userId === SELLER);
    expect(seller).toMatchObject({ type: 'REVIEW_PUBLISHED', title: 'A buyer reviewed your product', subject: { kind: 'review', id: 'rev_1' }, dueAt: null });
    expect(seller?.body).toContain('2 out of 5');
    noReviewer(drafts);
    const edited: Review = { ...published, latest: { ...published.latest, revision: 2, status: 'PENDING_MODERATION' } };
    const republished = reviewNotifications(edited, { ...edited, latest: { ...edited.latest, status: 'PUBLISHED' } });
    expect(republished.find((draft) => draft.userId === SELLER)?.title).toBe('A review of your product was updated');
    noReviewer(republished);
  });

  it("tells the author when the seller's reply is published, and the seller when it is published or rejected, naming no reviewer", () => {
    const replied: Review = { ...published, reply: { text: 'Thanks!', status: 'PUBLISHED', reasons: [], updatedAt: at(1), version: 1, published: { text: 'Thanks!', repliedAt: at(1) }, decidedAt: at(1), decidedBy: null } };
    const waiting: Review = { ...published, reply: { ...(replied.reply as NonNullable<Review['reply']>), status: 'PENDING_MODERATION', published: null } };
    const drafts = reviewNotifications(waiting, replied);
    expect(drafts.map((draft) => [draft.userId, draft.type, draft.title])).toEqual([
      [BUYER, 'SELLER_REPLIED', 'The seller replied to your review'],
      [SELLER, 'SELLER_REPLIED', 'Your reply is published'],
    ]);
    noReviewer(drafts);
    expect(reviewNotifications(replied, replied)).toEqual([]);
    const refused: Review = { ...waiting, reply: { ...(waiting.reply as NonNullable<Review['reply']>), status: 'REJECTED', reasons: [{ code: 'EXTERNAL_LINK', message: 'Links to other sites are not allowed.' }] } };
    const rejected = reviewNotifications(waiting, refused);
    expect(rejected.map((draft) => [draft.userId, draft.type, draft.title])).toEqual([[SELLER, 'REVIEW_REJECTED', 'Your reply was not published']]);
    expect(rejected[0]?.body).toContain('Links to other sites are not allowed.');
    noReviewer(rejected);
    expect(reviewNotifications(refused, refused)).toEqual([]);
  });
});

describe('penalties', () => {
  it('tells the seller of the points and of each restriction started', () => {
    const drafts = penaltyNotifications(SELLER, 12, 12, 'Misleading photos.', [{ restriction: 'NO_NEW_LISTINGS', until: at(7) }]);
    expect(drafts.map((draft) => [draft.userId, draft.type])).toEqual([
      [SELLER, 'PENALTY_POINTS'],
      [SELLER, 'SELLER_RESTRICTED'],
    ]);
    expect(drafts[1]?.body).toContain(formatDate(at(7)));
    expect(penaltyNotifications(SELLER, 2, 4, 'Rejected again.', [])).toHaveLength(1);
  });
});
