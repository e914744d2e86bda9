/**
 * Who is told what, in which words (DOMAIN.md "Notifications"): for each event, the drafts for whoever
 * must act on it or loses something by not acting, with the deadline when there is one. Pure: each
 * function reads the state before and after a change and returns the drafts that change causes; the use
 * case writes them in its own transaction (services/notifications.ts `notify`).
 *
 * Plain words, and never another user's private data: no names, addresses, emails or payment
 * references — a seller is told "a buyer", never who reviewed or disputed.
 */
import type { DeadlineName, Dispute, TimelineEntry } from './disputes.js';
import type { Order } from './orders.js';
import type { NotificationDraft } from './notifications.js';
import type { Restriction } from './penalties.js';
import type { Product } from './products.js';
import type { Refund } from './refunds.js';
import type { Review } from './reviews.js';
import type { Verification } from './verification.js';

/** An amount in minor units as people read it: "$12.50", "¥1,200". */
export const formatMoney = (amount: number, currency: string): string => new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount / 10 ** decimalsOf(currency));
const decimalsOf = (currency: string): number => new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;

/** A date as people read it, in UTC (the platform's time): "5 Dec 2026, 14:00 UTC". */
export const formatDate = (iso: string): string => {
  const date = new Date(iso);
  const day = date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  const time = date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
  return `${day}, ${time} UTC`;
};

/** What an order is, in a few words: its first item, and how many more. */
const itemsOf = (order: Pick<Order, 'items'>): string => {
  const [first, ...rest] = order.items;
  const title = first ? `"${first.title}"` : 'your order';
  return rest.length === 0 ? title : `${title} and ${rest.length} more item${rest.length === 1 ? '' : 's'}`;
};

const orderSubject = (order: Pick<Order, 'orderId'>) => ({ kind: 'order' as const, id: order.orderId });
const disputeSubject = (dispute: Pick<Dispute, 'disputeId'>) => ({ kind: 'dispute' as const, id: dispute.disputeId });

// ---- Orders ----

/** What an order's change tells its parties: shipped, delivered with proof, cancelled by the platform. */
export function orderNotifications(before: Order, after: Order): NotificationDraft[] {
  const drafts: NotificationDraft[] = [];
  if (before.status === 'AWAITING_SHIPMENT' && after.status === 'SHIPPED' && after.shipment) {
    const { carrier, trackingNumber, estimatedDeliveryAt } = after.shipment;
    drafts.push({
      userId: after.buyerId,
      type: 'ORDER_SHIPPED',
      title: 'Your order has shipped',
      body: `${itemsOf(after)} is on its way with ${carrier} (tracking ${trackingNumber}), expected by ${formatDate(estimatedDeliveryAt)}.`,
      subject: orderSubject(after),
      dueAt: null,
    });
  }
  if (before.deliveredAt === null && after.deliveredAt !== null) {
    const open = after.status === 'SHIPPED' || after.status === 'DELIVERED';
    drafts.push({
      userId: after.buyerId,
      type: 'ORDER_DELIVERED',
      title: 'Your order was delivered',
      body:
        open && after.protectionEndsAt
          ? `The carrier shows ${itemsOf(after)} delivered. If something is wrong, open a dispute before your buyer protection ends on ${formatDate(after.protectionEndsAt)}; then the payment goes to the seller.`
          : `The carrier shows ${itemsOf(after)} delivered.`,
      subject: orderSubject(after),
      dueAt: open ? after.protectionEndsAt : null,
    });
  }
  if (before.status !== 'CANCELLED' && after.status === 'CANCELLED' && after.cancellation?.rule) {
    const refunded = formatMoney(after.escrow.refunded, after.total.currency);
    drafts.push(
      { userId: after.buyerId, type: 'ORDER_AUTO_CANCELLED', title: 'Your order was cancelled', body: `${itemsOf(after)} was not shipped in time, so we cancelled the order and are refunding ${refunded} in full.`, subject: orderSubject(after), dueAt: null },
      { userId: after.sellerId, type: 'ORDER_AUTO_CANCELLED', title: 'An order was cancelled: not shipped in time', body: `${itemsOf(after)} was not shipped by its ship-by date, so we cancelled the order and refunded the buyer. The cancellation counts against your store.`, subject: orderSubject(after), dueAt: null },
    );
  }
  return drafts;
}

/** The reminder 3 days before buyer protection ends (the buyer can still dispute). */
export const protectionEndingNotification = (order: Order, endsAt: string): NotificationDraft => ({
  userId: order.buyerId,
  type: 'PROTECTION_ENDING',
  title: 'Buyer protection ends in 3 days',
  body: `Buyer protection for ${itemsOf(order)} ends on ${formatDate(endsAt)}. If something is wrong, open a dispute before then; otherwise the payment goes to the seller.`,
  subject: orderSubject(order),
  dueAt: endsAt,
});

// ---- Disputes ----

const requestOf = (dispute: Dispute): string => `${dispute.request.type === 'RETURN_AND_REFUND' ? 'a return and refund of' : 'a refund of'} ${formatMoney(dispute.request.amount, dispute.currency)}`;
const reasonWords: Record<Dispute['reason'], string> = { NOT_RECEIVED: 'not received', NOT_AS_DESCRIBED: 'not as described', DAMAGED: 'damaged', WRONG_ITEM: 'wrong item', COUNTERFEIT: 'counterfeit', OTHER: 'other' };

/** How a dispute ended or where it stands after a decision, in one sentence. */
function outcomeOf(dispute: Dispute): string {
  const money = (amount: number) => formatMoney(amount, dispute.currency);
  if (dispute.status === 'AGREED' && dispute.agreement) return `Agreed: ${dispute.agreement.terms.type === 'RETURN_AND_REFUND' ? 'return the item for a refund of' : 'a refund of'} ${money(dispute.agreement.terms.amount)}.`;
  if (dispute.resolution?.outcome === 'WITHDRAWN') return 'The buyer withdrew the dispute.';
  if (dispute.resolution?.outcome === 'REFUNDED') return `Resolved with a refund of ${money(dispute.resolution.refundAmount)}.`;
  if (dispute.resolution?.outcome === 'NO_REFUND') return 'Resolved without a refund.';
  return `The dispute is now ${dispute.status.toLowerCase().replaceAll('_', ' ')}.`;
}

/** The buyer still has to ship the return: an agreement to return, no shipment yet. The reminders (domain/reminders.ts) ask the same. */
export const awaitingReturnShipment = (dispute: Dispute): boolean => dispute.status === 'AGREED' && dispute.returnShipment?.status === 'AWAITING_SHIPMENT';

const returnDue = (dispute: Dispute): string | null => (awaitingReturnShipment(dispute) ? (dispute.deadlines.returnShipment ?? null) : null);

/**
 * What a dispute's change tells its parties: the seller of a new dispute (with the response deadline),
 * the buyer of a counter-offer (with the answer deadline), both parties of every decision (the
 * platform's, an agreement, a deadline's rule; the party who made it is not told of their own act),
 * the other party of an appeal.
 */
export function disputeNotifications(before: Dispute | null, after: Dispute, timeline: readonly TimelineEntry[]): NotificationDraft[] {
  const subject = disputeSubject(after);
  const actions = new Set(timeline.map((entry) => entry.action));
  const actors = new Set(timeline.map((entry) => entry.actor));
  const drafts: NotificationDraft[] = [];
  if (before === null) {
    const due = after.deadlines.sellerResponse ?? null;
    drafts.push({
      userId: after.sellerId,
      type: 'DISPUTE_OPENED',
      title: 'A buyer opened a dispute',
      body: `A buyer disputes order ${after.orderId} (${reasonWords[after.reason]}) and asks for ${requestOf(after)}.${due ? ` Respond by ${formatDate(due)}, or the request applies.` : ''}`,
      subject,
      dueAt: due,
    });
    return drafts;
  }
  if (actions.has('COUNTER_OFFERED') && after.counterOffer) {
    const due = after.deadlines.buyerResponse ?? null;
    drafts.push({
      userId: after.buyerId,
      type: 'DISPUTE_COUNTER_OFFER',
      title: 'The seller made a counter-offer',
      body: `The seller offers ${after.counterOffer.type === 'RETURN_AND_REFUND' ? 'a return and refund of' : 'a refund of'} ${formatMoney(after.counterOffer.amount, after.currency)}.${due ? ` Accept it, revise your request or escalate by ${formatDate(due)}; after that the offer stands accepted.` : ''}`,
      subject,
      dueAt: due,
    });
  }
  if (actions.has('APPEALED') && after.appeal) {
    const other = after.appeal.by === 'buyer' ? after.sellerId : after.buyerId;
    drafts.push({ userId: other, type: 'DISPUTE_APPEALED', title: 'The decision was appealed', body: `The ${after.appeal.by} appealed the platform's decision on dispute ${after.disputeId}. Another arbiter decides it finally.`, subject, dueAt: null });
  }
  const decidedByPlatform = actions.has('DECIDED') || actions.has('APPEAL_DECIDED');
  const settled = before.status !== after.status && (after.status === 'AGREED' || after.status === 'RESOLVED' || after.status === 'CANCELLED');
  if (decidedByPlatform || settled) {
    const due = returnDue(after);
    const appealable = actions.has('DECIDED') ? ' Either side may appeal within 30 days.' : '';
    const parties = [
      { userId: after.buyerId, side: 'buyer' as const },
      { userId: after.sellerId, side: 'seller' as const },
    ].filter(({ side }) => decidedByPlatform || !actors.has(side));
    for (const { userId, side } of parties) {
      const mustReturn = side === 'buyer' && due !== null;
      drafts.push({
        userId,
        type: 'DISPUTE_DECIDED',
        title: decidedByPlatform ? 'The platform decided your dispute' : 'Your dispute was settled',
        body: `${outcomeOf(after)}${mustReturn ? ` Ship the item back by ${formatDate(due)} to get the refund.` : ''}${appealable}`,
        subject,
        dueAt: mustReturn ? due : null,
      });
    }
  }
  return drafts;
}

/** The deadlines a reminder warns about 48 h ahead, and who must act before each. */
export const REMINDED_DEADLINES = ['sellerResponse', 'buyerResponse', 'returnShipment'] as const satisfies readonly DeadlineName[];
export type RemindedDeadline = (typeof REMINDED_DEADLINES)[number];

export function deadlineReminder(dispute: Dispute, name: RemindedDeadline, due: string): NotificationDraft {
  const subject = disputeSubject(dispute);
  const when = formatDate(due);
  switch (name) {
    case 'sellerResponse':
      return { userId: dispute.sellerId, type: 'DEADLINE_REMINDER', title: '48 hours left to respond to a dispute', body: `Respond to the dispute on order ${dispute.orderId} by ${when}, or the buyer's request applies.`, subject, dueAt: due };
    case 'buyerResponse':
      return { userId: dispute.buyerId, type: 'DEADLINE_REMINDER', title: "48 hours left to answer the seller's offer", body: `Answer the counter-offer on your dispute by ${when}; after that it stands accepted.`, subject, dueAt: due };
    case 'returnShipment':
      return { userId: dispute.buyerId, type: 'DEADLINE_REMINDER', title: '48 hours left to ship your return', body: `Ship the item back and add its tracking number by ${when}, or the dispute closes without a refund.`, subject, dueAt: due };
  }
}

// ---- Refunds ----

export type RefundNews = 'ISSUED' | 'COMPLETED' | 'FAILED';

/** The buyer follows their refund: issued, paid out, or failed (an admin takes it over). */
export function refundNotification(refund: Refund, news: RefundNews): NotificationDraft {
  const amount = formatMoney(refund.amount.amount, refund.amount.currency);
  const texts: Record<RefundNews, { title: string; body: string }> = {
    ISSUED: { title: 'A refund is on its way', body: `We are refunding ${amount} for order ${refund.orderId}; expect it by ${formatDate(refund.expectedBy)}.` },
    COMPLETED: { title: 'Your refund was paid', body: `The refund of ${amount} for order ${refund.orderId} was paid to your original payment method.` },
    FAILED: { title: 'Your refund is delayed', body: `The payment provider could not pay the refund of ${amount} for order ${refund.orderId}. Our team is on it; nothing is needed from you.` },
  };
  return { userId: refund.buyerId, type: 'REFUND_STATUS', ...texts[news], subject: { kind: 'refund', id: refund.refundId }, dueAt: null };
}

// ---- Reviews ----

/**
 * What a review's change tells its author: a revision published or rejected (by moderation or a
 * moderator), the review removed, or the seller's reply published. And what it tells the seller: a
 * review of their product published (its rating, never who wrote it: no reviewer name, buyer or order),
 * and their own reply published or rejected.
 */
export function reviewNotifications(before: Review | null, after: Review): NotificationDraft[] {
  const drafts: NotificationDraft[] = [];
  const subject = { kind: 'review' as const, id: after.reviewId };
  const latestDecided = (status: Review['status']) => after.latest.status === status && (before?.latest.revision !== after.latest.revision || before.latest.status !== status);
  if (latestDecided('PUBLISHED')) {
    drafts.push({ userId: after.buyerId, type: 'REVIEW_PUBLISHED', title: 'Your review is published', body: 'Your review passed moderation and is now public.', subject, dueAt: null });
    const updated = before !== null && before.published !== null;
    drafts.push({
      userId: after.sellerId,
      type: 'REVIEW_PUBLISHED',
      title: updated ? 'A review of your product was updated' : 'A buyer reviewed your product',
      body: `A review rating your product ${after.latest.rating} out of 5 is ${updated ? 'updated' : 'now public'}. You can reply to it publicly.`,
      subject,
      dueAt: null,
    });
  }
  if (latestDecided('REJECTED')) {
    const reasons = after.latest.reasons.map((reason) => reason.message).join(' ');
    drafts.push({ userId: after.buyerId, type: 'REVIEW_REJECTED', title: 'Your review was not published', body: `Your review was not published.${reasons ? ` ${reasons}` : ''} You can edit it and submit it again.`, subject, dueAt: null });
  }
  if (after.status === 'REMOVED' && before?.status !== 'REMOVED') {
    drafts.push({ userId: after.buyerId, type: 'REVIEW_REJECTED', title: 'Your review was removed', body: `A moderator removed your review.${after.removal ? ` Reason: ${after.removal.reason}` : ''}`, subject, dueAt: null });
  }
  const reply = after.reply;
  const replyDecided = (status: Review['status']) => reply !== null && reply.status === status && (before?.reply?.status !== status || before.reply.version !== reply.version);
  if (reply?.published && replyDecided('PUBLISHED')) {
    drafts.push({ userId: after.buyerId, type: 'SELLER_REPLIED', title: 'The seller replied to your review', body: 'The seller published a reply to your review.', subject, dueAt: null });
    drafts.push({ userId: after.sellerId, type: 'SELLER_REPLIED', title: 'Your reply is published', body: 'Your reply to a review of your product passed moderation and is now public.', subject, dueAt: null });
  }
  if (reply && replyDecided('REJECTED')) {
    const reasons = reply.reasons.map((reason) => reason.message).join(' ');
    drafts.push({ userId: after.sellerId, type: 'REVIEW_REJECTED', title: 'Your reply was not published', body: `Your reply to a review of your product was not published.${reasons ? ` ${reasons}` : ''} You can edit it and submit it again.`, subject, dueAt: null });
  }
  return drafts;
}

// ---- Messages ----

export const newMessageNotification = (conversation: { conversationId: string; buyerId: string; sellerId: string }, from: 'buyer' | 'seller'): NotificationDraft => ({
  userId: from === 'buyer' ? conversation.sellerId : conversation.buyerId,
  type: 'NEW_MESSAGE',
  title: from === 'buyer' ? 'New message from a buyer' : 'New message from the seller',
  body: from === 'buyer' ? 'A buyer sent you a message. Answering within 24 hours keeps them from asking support.' : 'The seller answered your message.',
  subject: { kind: 'conversation', id: conversation.conversationId },
  dueAt: null,
});

// ---- Sellers: verification, listings, penalties ----

export function verificationNotification(after: Verification): NotificationDraft[] {
  if (after.status === 'PENDING') return [];
  const approved = after.status === 'APPROVED';
  return [
    {
      userId: after.sellerId,
      type: 'VERIFICATION_DECIDED',
      title: approved ? 'Your identity is verified' : 'Your identity verification was rejected',
      body: approved ? 'Your store now shows the VERIFIED badge.' : `Reasons: ${after.reasons.join(' ')} You can submit new documents.`,
      subject: { kind: 'seller', id: after.sellerId },
      dueAt: null,
    },
  ];
}

/** A listing's review decided (by the automated review or an admin): approved or rejected, with the reasons. */
export function listingNotifications(before: Product, after: Product): NotificationDraft[] {
  const decided = (after.status === 'APPROVED' || after.status === 'REJECTED') && (before.status !== after.status || before.version !== after.version);
  if (!decided) return [];
  const approved = after.status === 'APPROVED';
  const reasons = after.reviewReasons.map((reason) => reason.message).join(' ');
  return [
    {
      userId: after.sellerId,
      type: 'LISTING_DECIDED',
      title: approved ? 'Your listing is approved' : 'Your listing was rejected',
      body: approved ? `"${after.title}" is approved and visible to buyers.` : `"${after.title}" was rejected.${reasons ? ` ${reasons}` : ''} Edit it and submit it again.`,
      subject: { kind: 'product', id: after.productId },
      dueAt: null,
    },
  ];
}

const restrictionWords: Record<Restriction, string> = {
  NO_NEW_LISTINGS: 'You cannot create new listings',
  HIDDEN: 'Your store and its listings are hidden from public lists',
  FROZEN: 'Your store takes no new orders (open orders run to their end)',
  CLOSED: 'Your store is closed',
};

/** Points added to a seller's standing, and each restriction they started (with its end, if it has one). */
export function penaltyNotifications(sellerId: string, points: number, total: number, reason: string, started: readonly { restriction: Restriction; until: string | null }[]): NotificationDraft[] {
  const subject = { kind: 'seller' as const, id: sellerId };
  return [
    { userId: sellerId, type: 'PENALTY_POINTS', title: `${points} penalty point${points === 1 ? '' : 's'} added`, body: `${reason} Your store now has ${total} points; each expires after 365 days.`, subject, dueAt: null },
    ...started.map(({ restriction, until }): NotificationDraft => ({
      userId: sellerId,
      type: 'SELLER_RESTRICTED',
      title: 'A restriction started on your store',
      body: `${restrictionWords[restriction]}${until ? ` until ${formatDate(until)}` : ''}, because your store reached ${total} penalty points.`,
      subject,
      dueAt: null,
    })),
  ];
}
