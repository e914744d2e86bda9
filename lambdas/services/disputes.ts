/**
 * Dispute use cases. Every action is: read the dispute and its order (one BatchGetItem), let the domain
 * decide, write dispute + timeline + order (+ ledger, refund record, deadline timers) in one transaction.
 * A lost race is re-decided on fresh data, so of two simultaneous actions exactly one applies and the
 * other gets the rule's own answer.
 */
import { DomainError, notFound } from '../domain/errors.js';
import * as rules from '../domain/disputes.js';
import type { DeadlineName, Dispute, DisputeChange, DisputeReason, Terms, TimelineEntry } from '../domain/disputes.js';
import { money } from '../domain/money.js';
import * as orders from '../domain/orders.js';
import type { Order } from '../domain/orders.js';
import { requestRefund } from '../domain/refunds.js';
import type { Principal } from '../platform/auth.js';
import { clock } from '../platform/clock.js';
import { businessEvent } from '../platform/business-events.js';
import { decodeCursor, encodeCursor } from '../platform/cursor.js';
import { newId } from '../platform/ids.js';
import { logger } from '../platform/logger.js';
import { disputeWrites, getDisputeWithTimeline, getRefund, listDisputes, refundWrite } from '../store/disputes.js';
import { getOrder, transitionWrites } from '../store/orders.js';
import { sendToQueue } from '../store/queue.js';
import { cancelTimer, setTimer, settleTimer, type Timer } from '../store/timers.js';
import { ConflictError, transact, type TransactItem } from '../store/transactions.js';
import { disputeView, refundView } from './dispute-views.js';
import { resolveUploads } from './uploads.js';

type Party = 'buyer' | 'seller' | 'admin';
const MAX_ATTEMPTS = 3;
const DEADLINES: readonly DeadlineName[] = ['sellerResponse', 'buyerResponse', 'autoEscalate', 'returnShipment', 'returnReceipt'];

const asTerms = (terms: { type: Terms['type']; amount: { amount: number; currency: string } }, order: Order, path: string): Terms => {
  if (terms.amount.currency !== order.total.currency) {
    throw new DomainError('CURRENCY_MISMATCH', `Amounts on this order are in ${order.total.currency}.`, [{ path, message: `must be ${order.total.currency}` }]);
  }
  return { type: terms.type, amount: terms.amount.amount };
};

async function evidenceOf(userId: string, uploadIds: readonly string[]) {
  const uploads = uploadIds.length === 0 ? [] : await resolveUploads(userId, uploadIds, 'dispute-evidence', 'body.evidence');
  return uploads.map((upload) => ({ uploadId: upload.uploadId, key: upload.key, contentType: upload.contentType }));
}

/** Timers follow the dispute's deadlines: set the new or moved ones, remove the ones that went away. */
function deadlineTimers(before: Dispute | null, after: Dispute, now: string): TransactItem[] {
  return DEADLINES.flatMap((name) => {
    const was = before?.deadlines[name];
    const is = after.deadlines[name];
    const entityId = `${after.disputeId}#${name}`;
    if (is && is !== was) return [setTimer({ kind: 'DISPUTE_DEADLINE', entityId, dueAt: is, payload: { disputeId: after.disputeId, deadline: name } }, now)];
    if (!is && was) return [cancelTimer('DISPUTE_DEADLINE', entityId)];
    return [];
  });
}

/**
 * The order side of a dispute change: mirror the status, refund through escrow when the change says so
 * (with a tracked refund record), and once the dispute ends let a still-open order resume its normal path
 * — including auto-confirmation if its protection period ended meanwhile.
 */
function orderWrites(order: Order, change: DisputeChange, now: string): { writes: TransactItem[]; dispute: Dispute; refundId: string | null } {
  let dispute = change.dispute;
  const refundAmount = change.refund;
  const transition =
    refundAmount !== null
      ? orders.refundThroughDispute(order, refundAmount, dispute.status, `dispute ${dispute.disputeId}`, now)
      : orders.markDispute(order, dispute.disputeId, dispute.status, now);
  const writes = transitionWrites(order.version, transition);
  let refundId: string | null = null;
  if (refundAmount !== null) {
    refundId = newId('rfd');
    dispute = { ...dispute, resolution: dispute.resolution && { ...dispute.resolution, refundId } };
    const refund = requestRefund({ refundId, orderId: order.orderId, disputeId: dispute.disputeId, buyerId: order.buyerId, sellerId: order.sellerId, amount: money(refundAmount, order.total.currency), paymentReference: order.paymentReference }, now);
    writes.push(refundWrite(refund, null), setTimer({ kind: 'REFUND_PROGRESS', entityId: refundId, dueAt: now }, now));
  }
  const resumed = transition.order;
  if (rules.isClosed(dispute) && (resumed.status === 'SHIPPED' || resumed.status === 'DELIVERED') && resumed.protectionEndsAt) {
    const dueAt = resumed.protectionEndsAt > now ? resumed.protectionEndsAt : now;
    writes.push(setTimer({ kind: 'AUTO_CONFIRM', entityId: order.orderId, dueAt }, now));
  }
  return { writes, dispute, refundId };
}

function relation(dispute: Dispute, principal: Principal | 'system'): Party | 'system' | null {
  if (principal === 'system') return 'system';
  if (principal.roles.includes('admin')) return 'admin';
  if (principal.roles.includes('buyer') && principal.userId === dispute.buyerId) return 'buyer';
  if (principal.roles.includes('seller') && principal.userId === dispute.sellerId) return 'seller';
  return null;
}

/** The dispute with its timeline (one Query), then its order (a key lookup: its id is known only from the dispute). */
async function loadDisputeAndOrder(disputeId: string): Promise<{ dispute: Dispute; timeline: TimelineEntry[]; order: Order } | undefined> {
  const found = await getDisputeWithTimeline(disputeId);
  const order = found && (await getOrder(found.dispute.orderId));
  return found && order ? { ...found, order } : undefined;
}

/**
 * Load → check who → decide → one transaction; re-decided on a lost race. Returns the dispute with its
 * whole timeline after the change (so the caller answers without reading it again), or null when the
 * decision was that there is nothing to do.
 */
async function changeDispute(
  disputeId: string,
  principal: Principal | 'system',
  allowed: readonly (Party | 'system')[],
  decide: (dispute: Dispute, order: Order, now: string) => DisputeChange | null,
): Promise<{ dispute: Dispute; timeline: TimelineEntry[]; as: Party | 'system' } | null> {
  for (let attempt = 1; ; attempt++) {
    const found = await loadDisputeAndOrder(disputeId);
    const who = found && relation(found.dispute, principal);
    if (!found || !who || !allowed.includes(who)) throw notFound('Dispute', disputeId);
    const now = clock.nowIso();
    const change = decide(found.dispute, found.order, now);
    if (!change) return null;
    const { writes, dispute } = orderWrites(found.order, change, now);
    try {
      await transact([...disputeWrites(found.dispute.version, dispute, change.timeline), ...writes, ...deadlineTimers(found.dispute, dispute, now), ...escalationOutbox(found.dispute, dispute, now)]);
      await afterCommit(found.dispute, dispute);
      return { dispute, timeline: [...found.timeline, ...change.timeline], as: who };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (attempt >= MAX_ATTEMPTS) throw new DomainError('CONCURRENT_UPDATE', 'The dispute changed while we were updating it; reload and retry.');
    }
  }
}

const CASE_FILE_RETRY_MS = 10 * 60_000;
const justEscalated = (before: Dispute, after: Dispute) => before.status !== 'ESCALATED' && after.status === 'ESCALATED';

/** The case-file request rides an outbox timer written with the escalation, like moderation requests. */
function escalationOutbox(before: Dispute, after: Dispute, now: string): TransactItem[] {
  if (!justEscalated(before, after)) return [];
  return [setTimer({ kind: 'CASE_FILE', entityId: after.disputeId, dueAt: new Date(new Date(now).getTime() + CASE_FILE_RETRY_MS).toISOString(), payload: { disputeId: after.disputeId, attempt: 1 } }, now)];
}

async function afterCommit(before: Dispute, after: Dispute): Promise<void> {
  if (after.resolution?.refundId && !before.resolution?.refundId) {
    businessEvent('RefundIssued', { disputeId: after.disputeId, refundId: after.resolution.refundId, amount: after.resolution.refundAmount, currency: after.currency });
  }
  if (!justEscalated(before, after)) return;
  businessEvent('DisputeEscalated', { disputeId: after.disputeId, orderId: after.orderId });
  await sendToQueue('disputes', { disputeId: after.disputeId }).catch((error: unknown) => logger.warn('Case-file request not sent; the timer will retry', { disputeId: after.disputeId, error: String(error) }));
}

// ---- Routes ----

export async function openDispute(buyer: Principal, orderId: string, body: { reason: DisputeReason; request: { type: Terms['type']; amount: { amount: number; currency: string } }; description: string; evidence: string[] }) {
  const evidence = await evidenceOf(buyer.userId, body.evidence);
  for (let attempt = 1; ; attempt++) {
    const order = await getOrder(orderId);
    if (!order || order.buyerId !== buyer.userId) throw notFound('Order', orderId);
    const now = clock.nowIso();
    const change = rules.openDispute({ disputeId: newId('dsp'), order, reason: body.reason, request: asTerms(body.request, order, 'body.request.amount'), description: body.description, evidence, now });
    const { writes, dispute } = orderWrites(order, change, now);
    try {
      await transact([...disputeWrites(null, dispute, change.timeline), ...writes, ...deadlineTimers(null, dispute, now)]);
      businessEvent('DisputeOpened', { disputeId: dispute.disputeId, orderId, reason: dispute.reason });
      return disputeView(dispute, 'buyer', change.timeline);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (attempt >= MAX_ATTEMPTS) throw new DomainError('CONCURRENT_UPDATE', 'The order changed meanwhile; retry.');
    }
  }
}

async function viewAfter(disputeId: string, principal: Principal) {
  const found = await getDisputeWithTimeline(disputeId);
  const who = found && relation(found.dispute, principal);
  if (!found || !who || who === 'system') throw notFound('Dispute', disputeId);
  return disputeView(found.dispute, who, found.timeline);
}

export const viewDispute = (principal: Principal, disputeId: string) => viewAfter(disputeId, principal);

async function act(principal: Principal, disputeId: string, allowed: readonly Party[], decide: (dispute: Dispute, order: Order, now: string) => DisputeChange) {
  const changed = await changeDispute(disputeId, principal, allowed, decide);
  if (!changed || changed.as === 'system') throw notFound('Dispute', disputeId);
  return disputeView(changed.dispute, changed.as, changed.timeline);
}

export async function sellerResponds(seller: Principal, disputeId: string, body: { action: 'ACCEPT' | 'COUNTER_OFFER'; counterOffer?: { type: Terms['type']; amount: { amount: number; currency: string } } | undefined; message: string; evidence: string[] }) {
  const evidence = await evidenceOf(seller.userId, body.evidence);
  return act(seller, disputeId, ['seller'], (dispute, order, now) =>
    rules.sellerResponds(dispute, { action: body.action, counterOffer: body.counterOffer && asTerms(body.counterOffer, order, 'body.counterOffer.amount'), message: body.message, evidence }, order, now),
  );
}

export const acceptOffer = (buyer: Principal, disputeId: string) => act(buyer, disputeId, ['buyer'], (dispute, _order, now) => rules.buyerAcceptsOffer(dispute, now));

export function escalate(principal: Principal, disputeId: string, message: string) {
  return act(principal, disputeId, ['buyer', 'seller'], (dispute, _order, now) => rules.escalate(dispute, relation(dispute, principal) === 'seller' ? 'seller' : 'buyer', message, now));
}

export const cancelDispute = (buyer: Principal, disputeId: string) => act(buyer, disputeId, ['buyer'], (dispute, _order, now) => rules.buyerCancels(dispute, now));

export const shipReturn = (buyer: Principal, disputeId: string, shipment: { carrier: string; trackingNumber: string; estimatedDeliveryAt?: string | undefined }) =>
  act(buyer, disputeId, ['buyer'], (dispute, _order, now) => rules.buyerShipsReturn(dispute, shipment, now));

export const returnReceived = (seller: Principal, disputeId: string) => act(seller, disputeId, ['seller'], (dispute, _order, now) => rules.sellerReceivesReturn(dispute, now));

export function adminDecides(admin: Principal, disputeId: string, body: { refundAmount: { amount: number; currency: string }; returnRequired: boolean; rationale: string }) {
  return act(admin, disputeId, ['admin'], (dispute, order, now) =>
    rules.adminDecides(dispute, { refundAmount: asTerms({ type: 'REFUND', amount: body.refundAmount }, order, 'body.refundAmount').amount, returnRequired: body.returnRequired, rationale: body.rationale }, admin.userId, order, now),
  );
}

export async function listMyDisputes(principal: Principal, query: { limit: number; cursor?: string | undefined; status?: 'ESCALATED' | undefined }) {
  const admin = principal.roles.includes('admin');
  const role: Party = admin ? 'admin' : principal.roles.includes('seller') && !principal.roles.includes('buyer') ? 'seller' : 'buyer';
  const [index, partition] =
    role === 'admin' ? (['GSI3', 'DISPUTES#ESCALATED'] as const) : role === 'seller' ? (['GSI2', `SELLER#${principal.userId}#DISPUTES`] as const) : (['GSI1', `BUYER#${principal.userId}#DISPUTES`] as const);
  const scope = `disputes:${role}:${admin ? '' : principal.userId}`;
  const { disputes, lastKey } = await listDisputes(index, partition, query.limit, decodeCursor(query.cursor, scope));
  return { items: await Promise.all(disputes.map((dispute) => disputeView(dispute, role))), nextCursor: encodeCursor(lastKey, scope) };
}

export async function viewRefund(principal: Principal, refundId: string) {
  const refund = await getRefund(refundId);
  const allowed = refund && (principal.roles.includes('admin') || (principal.roles.includes('buyer') && refund.buyerId === principal.userId) || (principal.roles.includes('seller') && refund.sellerId === principal.userId));
  if (!refund || !allowed) throw notFound('Refund', refundId);
  return refundView(refund);
}

// ---- Timers ----

/** A dispute deadline passed: apply its rule, or retire the timer if the dispute moved on. */
export async function fireDeadline(timer: Timer): Promise<void> {
  const name = timer.payload?.deadline as DeadlineName;
  const disputeId = String(timer.payload?.disputeId);
  const changed = await changeDispute(disputeId, 'system', ['system'], (dispute, order, now) => rules.deadlinePassed(dispute, name, order, now));
  // Nothing to do (the deadline moved or no longer applies): retire this timer unless it was moved meanwhile.
  if (!changed) await transact([settleTimer(timer)]).catch((error: unknown) => {
    if (!(error instanceof ConflictError)) throw error;
  });
}

