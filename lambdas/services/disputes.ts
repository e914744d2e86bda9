/**
 * Dispute use cases, each one command of the kernel (services/command.ts): read the dispute with its
 * timeline (one Query) and its order (one GetItem), let the domain decide, write dispute + timeline +
 * order (+ ledger, the seller-balance entries of a reversal or an appeal's compensation, refund record,
 * deadline timers, reminders, the parties' notifications, case-file request) in one transaction. While the
 * order's chargeback is open no refund is paid through a dispute (409 CHARGEBACK_OPEN, deadlines wait);
 * once the buyer's bank won it, a refund is clamped to what it left (domain/disputes.ts withinRefundable).
 */
import { compensationEntry } from '../domain/balance.js';
import { chargebackBlocksRefund, chargebackOpen } from '../domain/chargebacks.js';
import { addMs } from '../domain/time.js';
import { DAY_MS } from '../platform/config.js';
import { clock } from '../platform/clock.js';
import { DomainError, notFound } from '../domain/errors.js';
import { orderAfterDispute, type DisputeLine } from '../domain/dispute-lines.js';
import * as appeals from '../domain/dispute-appeals.js';
import * as returns from '../domain/dispute-returns.js';
import * as rules from '../domain/disputes.js';
import type { DeadlineName, Dispute, DisputeChange, DisputeReason, Terms, TimelineEntry } from '../domain/disputes.js';
import { money } from '../domain/money.js';
import { disputeNotifications, refundNotification } from '../domain/notification-texts.js';
import * as orders from '../domain/orders.js';
import type { Order } from '../domain/orders.js';
import { requestRefund } from '../domain/refunds.js';
import type { Principal } from '../platform/auth.js';
import { businessEvent } from '../platform/business-events.js';
import { decodeCursor, encodeCursor } from '../platform/cursor.js';
import { newId } from '../platform/ids.js';
import { disputeWrites, getDisputeWithTimeline, getRefund, listDisputes, refundWrite, type DisputeList } from '../store/disputes.js';
import { keyRecordWrites, type IdempotentCreate, type StoredResponse } from '../store/idempotency.js';
import { getOrder, transitionWrites } from '../store/orders.js';
import { countForSeller } from '../store/sellers.js';
import { cancelTimer, setTimer, type Timer } from '../store/timers.js';
import type { GuardName, Write } from '../store/transactions.js';
import { claimUploads } from '../store/uploads.js';
import { caseFileRequests } from './case-file-requests.js';
import { runCommand, type AfterCommit, type Command, type Decision } from './command.js';
import { buyersOrderForCreate } from './creates.js';
import { disputeView, refundView } from './dispute-views.js';
import { postponeTimer, retireTimer } from './outbox.js';
import { notify } from './notifications.js';
import { disputeReminderTimers, protectionReminderTimers } from './reminders.js';
import { claimRefusals, resolveUploads } from './uploads.js';

type Party = orders.Viewer['role'];

const asTerms = (terms: { type: Terms['type']; amount: { amount: number; currency: string } }, order: Order, path: string): Terms => {
  if (terms.amount.currency !== order.total.currency) {
    throw new DomainError('CURRENCY_MISMATCH', `Amounts on this order are in ${order.total.currency}.`, [{ path, message: `must be ${order.total.currency}` }]);
  }
  return { type: terms.type, amount: terms.amount.amount };
};

const EVIDENCE_PATH = 'body.evidence';

/** The caller's evidence uploads, adopted for the dispute: its transaction claims them (`evidenceClaim`). */
export const evidenceOf = (userId: string, uploadIds: readonly string[], disputeId: string) => resolveUploads(userId, uploadIds, 'dispute-evidence', EVIDENCE_PATH, disputeId);

/**
 * Evidence is used by one dispute only: the change's transaction marks it used, and a request that lost
 * an upload to another one meanwhile is refused naming the file (after the rule: a change whose dispute
 * or order moved meanwhile is decided again first).
 */
const evidenceClaim = (uploadIds: readonly string[], disputeId: string) => ({
  writes: claimUploads(uploadIds, disputeId),
  refusals: claimRefusals(uploadIds, disputeId, EVIDENCE_PATH, ['disputeVersion', 'orderVersion']),
});

/** Timers follow the dispute's deadlines: set the new or moved ones, remove the ones that went away. */
function deadlineTimers(before: Dispute | null, after: Dispute, now: string): Write[] {
  return rules.DEADLINE_NAMES.flatMap((name) => {
    const was = before?.deadlines[name];
    const is = after.deadlines[name];
    const entityId = `${after.disputeId}#${name}`;
    if (is && is !== was) return [setTimer({ kind: 'DISPUTE_DEADLINE', entityId, dueAt: is, payload: { disputeId: after.disputeId, deadline: name } }, now)];
    if (!is && was) return [cancelTimer('DISPUTE_DEADLINE', entityId)];
    return [];
  });
}

/**
 * Everything one dispute change writes, in one transaction: the dispute and its timeline, the order side
 * (mirror the status, refund through escrow when the change says so, with a tracked refund record; once
 * the dispute ends, let a still-open order resume its path — auto-confirmation included, at once if its
 * protection ended meanwhile), the deadline timers, and the case-file request of an escalation.
 */
function disputeDecision(before: Dispute | null, order: Order, decided: DisputeChange, now: string): { writes: Write[]; dispute: Dispute; afterCommit: AfterCommit[] } {
  // The buyer's bank may give the money back itself: nothing is paid through a dispute until it decides.
  if (decided.refund !== null && chargebackOpen(order)) throw chargebackBlocksRefund(order);
  // Once it decided, what it returned is not refunded again: terms set before are clamped to what is left.
  const change = before ? rules.withinRefundable(before, decided, order, now) : decided;
  const refundAmount = change.refund;
  const refund =
    refundAmount === null
      ? null
      : requestRefund({ refundId: newId('rfd'), orderId: order.orderId, disputeId: change.dispute.disputeId, buyerId: order.buyerId, sellerId: order.sellerId, amount: money(refundAmount, order.total.currency), paymentReference: order.paymentReference }, now);
  const dispute = refund ? { ...change.dispute, resolution: change.dispute.resolution && { ...change.dispute.resolution, refundId: refund.refundId } } : change.dispute;
  const transition = orderAfterDispute(order, before, dispute, refund && refund.amount.amount, now);
  const resumed = transition.order;
  const resumes = rules.isClosed(dispute) && (resumed.status === 'SHIPPED' || resumed.status === 'DELIVERED') && resumed.protectionEndsAt;
  const escalated = before !== null && before.status !== 'ESCALATED' && dispute.status === 'ESCALATED';
  const overdue = change.timeline.some((item) => item.action === 'DECISION_OVERDUE');
  // A seller's appeal decided with a compensation credits the seller's balance, in this same transaction.
  const compensation = before?.appeal?.decision ? null : compensationEntry(dispute, dispute.appeal?.decision?.compensation ?? 0, now);
  const caseFile = escalated ? caseFileRequests.send({ disputeId: dispute.disputeId }, now) : null;
  // Whoever must act or was decided for is told in this transaction; a refund's buyer follows it from here.
  const told = notify([...disputeNotifications(before, dispute, change.timeline), ...(refund ? [refundNotification(refund, 'ISSUED')] : [])], now);
  return {
    dispute,
    writes: [
      ...disputeWrites(before?.version ?? null, dispute, change.timeline),
      ...transitionWrites(order.version, transition, compensation ? [compensation] : [], { disputeId: dispute.disputeId }),
      ...(refund ? [refundWrite(refund, null), setTimer({ kind: 'REFUND_PROGRESS', entityId: refund.refundId, dueAt: now }, now)] : []),
      ...(resumes ? [setTimer({ kind: 'AUTO_CONFIRM', entityId: order.orderId, dueAt: resumes > now ? resumes : now }, now)] : []),
      ...deadlineTimers(before, dispute, now),
      ...appealWindowTimer(before, dispute, now),
      ...(caseFile ? [caseFile.write] : []),
      ...(lostInArbitration(before, dispute) ? [lostArbitrationTimer(order.orderId, now)] : []),
      ...told.writes,
      // Reminders follow the deadlines someone must meet; protection's waits while a dispute runs.
      ...disputeReminderTimers(before, dispute, now),
      ...protectionReminderTimers(order, resumed, now),
    ],
    afterCommit: [
      ...(refund ? [() => businessEvent('RefundIssued', { disputeId: dispute.disputeId, refundId: refund.refundId, amount: refund.amount.amount, currency: dispute.currency })] : []),
      ...(caseFile ? [() => businessEvent('DisputeEscalated', { disputeId: dispute.disputeId, orderId: dispute.orderId }), caseFile.afterCommit] : []),
      // Counted by a metric filter and alarmed (lib/api-stack.ts alarmingEvents): a person must decide now.
      ...(overdue ? [() => businessEvent('ArbitrationOverdue', { disputeId: dispute.disputeId, status: dispute.status, decisionDueBy: before?.decisionDueBy ?? null })] : []),
      ...told.afterCommit,
    ],
  };
}

/**
 * The order's feedback stops counting (services/reputation.ts excludeLostArbitration): its item is not
 * read here, so the exclusion follows at once by timer, retried like any timer until done.
 */
const lostArbitrationTimer = (orderId: string, now: string): Write => setTimer({ kind: 'FEEDBACK_EXCLUSION', entityId: orderId, dueAt: now }, now);

/** The platform decided (on escalation or appeal) that the buyer gets nothing: the order's feedback stops counting (reputation). */
const lostInArbitration = (before: Dispute | null, after: Dispute): boolean =>
  (before?.status === 'ESCALATED' || before?.status === 'APPEALED') && after.status === 'RESOLVED' && after.resolution?.outcome === 'NO_REFUND';

const APPEAL_WINDOW = 'appeal';

/**
 * The appeal window's timer: set when the platform decides (it closes 30 days later), removed by an appeal.
 * It lives outside `deadlines`, which the return steps after a decision replace.
 */
function appealWindowTimer(before: Dispute | null, after: Dispute, now: string): Write[] {
  const entityId = `${after.disputeId}#${APPEAL_WINDOW}`;
  const until = appeals.appealableUntil(after);
  if (until && !before?.decision) return [setTimer({ kind: 'DISPUTE_DEADLINE', entityId, dueAt: until, payload: { disputeId: after.disputeId, deadline: APPEAL_WINDOW } }, now)];
  if (after.appeal && !before?.appeal) return [cancelTimer('DISPUTE_DEADLINE', entityId)];
  return [];
}

/** Which side of the dispute the caller is on (the order's parties, and admins), or the system itself. */
const partyOf = (dispute: Dispute, principal: Principal | 'system'): Party | 'system' | null => (principal === 'system' ? 'system' : orders.relationTo(dispute, principal));

/** The dispute with its timeline (one Query), then its order (a key lookup: its id is known only from the dispute). */
async function loadDisputeAndOrder(disputeId: string): Promise<{ dispute: Dispute; timeline: TimelineEntry[]; order: Order } | undefined> {
  const found = await getDisputeWithTimeline(disputeId);
  const order = found && (await getOrder(found.dispute.orderId));
  return found && order ? { ...found, order } : undefined;
}

interface Changed {
  dispute: Dispute;
  timeline: TimelineEntry[];
  as: Party | 'system';
}

/**
 * A change of one dispute, on the kernel: its writes are guarded by the dispute's and the order's
 * versions, so of two simultaneous actions exactly one applies and the other is decided again and gets
 * the rule's own answer. Returns the dispute with its whole timeline after the change (so the caller
 * answers without reading it again), or null when the decision was that there is nothing to do.
 */
export function changeDispute<Done = never>(
  disputeId: string,
  principal: Principal | 'system',
  allowed: readonly (Party | 'system')[],
  decide: (dispute: Dispute, order: Order, now: string) => DisputeChange | null,
  evidence: readonly string[] = [],
  more: ChangeExtras<Done> = {},
): Promise<Changed | null | Done> {
  const claim = evidenceClaim(evidence, disputeId);
  return runCommand<{ dispute: Dispute; timeline: TimelineEntry[]; order: Order; as: Party | 'system' }, Changed | null | Done>({
    subject: 'dispute',
    load: async () => {
      const found = await loadDisputeAndOrder(disputeId);
      const as = found && partyOf(found.dispute, principal);
      if (!found || !as || !allowed.includes(as)) throw notFound('Dispute', disputeId);
      return { ...found, as };
    },
    decide: ({ dispute, timeline, order, as }, now) => {
      const change = decide(dispute, order, now);
      if (!change) return { writes: [], result: null };
      const decided = disputeDecision(dispute, order, change, now);
      return {
        writes: [...decided.writes, ...claim.writes, ...(more.writes?.(dispute) ?? [])],
        result: { dispute: decided.dispute, timeline: [...timeline, ...change.timeline], as },
        afterCommit: decided.afterCommit,
      };
    },
    refusals: { ...claim.refusals, ...more.refusals },
    ...(more.alreadyDone && { alreadyDone: more.alreadyDone }),
  });
}

/** What a caller adds to a dispute change: more writes in its transaction, and what their guards mean. */
export interface ChangeExtras<Done = never> {
  writes?: (dispute: Dispute) => Write[];
  refusals?: Command<unknown, unknown>['refusals'];
  /** Guards whose failure means this work was done before (a carrier event seen twice): answer `result`. */
  alreadyDone?: { guards: readonly GuardName[]; result: Done };
}

// ---- Routes ----

export type DisputeView = Awaited<ReturnType<typeof disputeView>>;

/** What opening answers: the new dispute, or the response kept for a retry with the same Idempotency-Key. */
type Opened = { dispute: DisputeView; replay?: never } | { replay: StoredResponse };

/**
 * Opens a dispute: the order (with the Idempotency-Key's record, if any) in one read, everything written
 * in one transaction — the key's record included, so no dispute commits without it, and a retry with the
 * key gets the first response before anything is adopted or written.
 */
export async function openDispute(
  buyer: Principal,
  orderId: string,
  body: { reason: DisputeReason; lines?: DisputeLine[] | undefined; request: { type: Terms['type']; amount: { amount: number; currency: string } }; description: string; evidence: string[] },
  idempotency?: IdempotentCreate<DisputeView>,
): Promise<Opened> {
  // One id for every attempt: the evidence is adopted (once) and claimed for this dispute.
  const disputeId = newId('dsp');
  let adoption: ReturnType<typeof evidenceOf> | undefined;
  const claim = evidenceClaim(body.evidence, disputeId);
  return runCommand({
    subject: 'order',
    load: async () => {
      const { order, replay } = await buyersOrderForCreate(buyer, orderId, idempotency);
      if (replay) return { order, replay, evidence: [] };
      adoption ??= evidenceOf(buyer.userId, body.evidence, disputeId);
      return { order, evidence: await adoption };
    },
    decide: async ({ order, replay, evidence }, now): Promise<Decision<Opened>> => {
      if (replay) return { writes: [], result: { replay } };
      const change = rules.openDispute({ disputeId, order, reason: body.reason, lines: body.lines, request: asTerms(body.request, order, 'body.request.amount'), description: body.description, evidence, now });
      const { writes, dispute, afterCommit } = disputeDecision(null, order, change, now);
      const view = await disputeView(dispute, 'buyer', change.timeline);
      return {
        // A concurrent request with the same key loses on the record's guard, and its retry replays this one.
        writes: [...writes, ...claim.writes, ...keyRecordWrites(idempotency, view), ...firstDisputeCounted(order, now)],
        result: { dispute: view },
        afterCommit: [...afterCommit, () => businessEvent('DisputeOpened', { disputeId, orderId, reason: dispute.reason })],
      };
    },
    refusals: { idempotencyKeyUnused: () => 'retry' as const, ...claim.refusals },
  });
}

/** The seller's dispute rate counts orders, not disputes: only an order's first dispute is counted (reputation). */
const firstDisputeCounted = (order: Order, now: string): Write[] => (order.disputeId ? [] : countForSeller(order.sellerId, now, { ordersDisputed: 1 }, order.orderId));

async function viewAfter(disputeId: string, principal: Principal) {
  const found = await getDisputeWithTimeline(disputeId);
  const as = found && partyOf(found.dispute, principal);
  if (!found || !as || as === 'system') throw notFound('Dispute', disputeId);
  return disputeView(found.dispute, as, found.timeline);
}

export const viewDispute = (principal: Principal, disputeId: string) => viewAfter(disputeId, principal);

export async function act(principal: Principal, disputeId: string, allowed: readonly Party[], decide: (dispute: Dispute, order: Order, now: string) => DisputeChange, evidence: readonly string[] = [], more: ChangeExtras = {}) {
  const changed = await changeDispute(disputeId, principal, allowed, decide, evidence, more);
  if (!changed || changed.as === 'system') throw notFound('Dispute', disputeId);
  return disputeView(changed.dispute, changed.as, changed.timeline);
}

export async function sellerResponds(seller: Principal, disputeId: string, body: { action: 'ACCEPT' | 'COUNTER_OFFER'; counterOffer?: { type: Terms['type']; amount: { amount: number; currency: string } } | undefined; message: string; evidence: string[] }) {
  const evidence = await evidenceOf(seller.userId, body.evidence, disputeId);
  return act(
    seller,
    disputeId,
    ['seller'],
    (dispute, order, now) => rules.sellerResponds(dispute, { action: body.action, counterOffer: body.counterOffer && asTerms(body.counterOffer, order, 'body.counterOffer.amount'), message: body.message, evidence }, order, now),
    body.evidence,
  );
}

export const acceptOffer = (buyer: Principal, disputeId: string) => act(buyer, disputeId, ['buyer'], (dispute, _order, now) => rules.buyerAcceptsOffer(dispute, now));

export function revise(buyer: Principal, disputeId: string, body: { request: { type: Terms['type']; amount: { amount: number; currency: string } }; message: string }) {
  return act(buyer, disputeId, ['buyer'], (dispute, order, now) => rules.buyerRevises(dispute, { request: asTerms(body.request, order, 'body.request.amount'), message: body.message }, order, now));
}

export function escalate(principal: Principal, disputeId: string, message: string) {
  return act(principal, disputeId, ['buyer', 'seller'], (dispute, _order, now) => rules.escalate(dispute, partyOf(dispute, principal) === 'seller' ? 'seller' : 'buyer', message, now));
}

export const cancelDispute = (buyer: Principal, disputeId: string) => act(buyer, disputeId, ['buyer'], (dispute, _order, now) => rules.buyerCancels(dispute, now));

type Cash = { amount: number; currency: string };

/** An admin decides an escalated dispute, or (another admin) an appealed one, finally. */
export function adminDecides(admin: Principal, disputeId: string, body: { refundAmount?: Cash | undefined; returnRequired?: boolean | undefined; compensation?: Cash | undefined; rationale: string }) {
  return act(admin, disputeId, ['admin'], (dispute, order, now) => {
    const amount = (value: Cash | undefined, path: string) => value && asTerms({ type: 'REFUND', amount: value }, order, path).amount;
    if (dispute.status === 'APPEALED') {
      return appeals.decideAppeal(dispute, { refundAmount: amount(body.refundAmount, 'body.refundAmount'), compensation: amount(body.compensation, 'body.compensation'), rationale: body.rationale }, admin.userId, order, now);
    }
    const refundAmount = amount(body.refundAmount, 'body.refundAmount');
    // The state answers first (a closed or unescalated dispute), then what an escalated one needs.
    if (dispute.status !== 'ESCALATED') return rules.adminDecides(dispute, { refundAmount: refundAmount ?? 0, returnRequired: false, rationale: body.rationale }, admin.userId, order, now);
    if (refundAmount === undefined || body.returnRequired === undefined || body.compensation !== undefined) {
      const errors = [
        ...(refundAmount === undefined ? [{ path: 'body.refundAmount', message: 'required' }] : []),
        ...(body.returnRequired === undefined ? [{ path: 'body.returnRequired', message: 'required' }] : []),
        ...(body.compensation !== undefined ? [{ path: 'body.compensation', message: 'only on an appealed dispute' }] : []),
      ];
      throw new DomainError('VALIDATION_FAILED', 'A decision on an escalated dispute names the refund and whether a return is required.', errors);
    }
    return rules.adminDecides(dispute, { refundAmount, returnRequired: body.returnRequired, rationale: body.rationale }, admin.userId, order, now);
  });
}

/**
 * Either side appeals the platform's decision with a statement and new evidence: the party is checked
 * first (someone else's dispute is 404 whatever the files), then the files are adopted for the dispute
 * and claimed by the change's transaction, like other evidence.
 */
export async function appealDispute(principal: Principal, disputeId: string, body: { statement: string; evidence: string[] }) {
  const found = await getDisputeWithTimeline(disputeId);
  const side = found && partyOf(found.dispute, principal);
  if (side !== 'buyer' && side !== 'seller') throw notFound('Dispute', disputeId);
  const evidence = await evidenceOf(principal.userId, body.evidence, disputeId);
  return act(principal, disputeId, [side], (dispute, _order, now) => appeals.appeal(dispute, side, { statement: body.statement, evidence }, now), body.evidence);
}

export async function listMyDisputes(principal: Principal, query: { limit: number; cursor?: string | undefined; status?: 'ESCALATED' | 'APPEALED' | undefined }) {
  const role: Party = principal.roles.includes('admin') ? 'admin' : orders.listSide(principal);
  const queue = query.status ?? 'ESCALATED';
  const scope = `disputes:${role}:${role === 'admin' ? queue : principal.userId}`;
  const list: DisputeList = role === 'admin' ? { party: 'admin', queue } : { party: role, userId: principal.userId };
  const { disputes, lastKey } = await listDisputes(list, query.limit, decodeCursor(query.cursor, scope));
  return { items: await Promise.all(disputes.map((dispute) => disputeView(dispute, role))), nextCursor: encodeCursor(lastKey, scope) };
}

export async function viewRefund(principal: Principal, refundId: string) {
  const refund = await getRefund(refundId);
  if (!refund || !orders.relationTo(refund, principal)) throw notFound('Refund', refundId);
  return refundView(refund);
}

// ---- Timers ----

/** A dispute deadline passed: apply its rule, or retire the timer if the dispute moved on. */
export async function fireDeadline(timer: Timer): Promise<void> {
  const name = timer.payload?.deadline as DeadlineName | typeof APPEAL_WINDOW;
  const disputeId = String(timer.payload?.disputeId);
  let changed: Changed | null;
  try {
    changed = await changeDispute(disputeId, 'system', ['system'], (dispute, order, now) =>
      name === APPEAL_WINDOW ? appeals.appealWindowPassed(dispute, now) : returns.isReturnDeadline(name) ? returns.returnDeadlinePassed(dispute, name, now) : rules.deadlinePassed(dispute, name, order, now),
    );
  } catch (error) {
    if (!(error instanceof DomainError && error.code === 'CHARGEBACK_OPEN')) throw error;
    // The deadline's automatic refund waits for the bank: the same rule applies a day later, on fresh data.
    const now = clock.nowIso();
    await postponeTimer(timer, addMs(now, DAY_MS), now);
    return;
  }
  // Nothing to do (the deadline moved or no longer applies): retire this timer unless it was moved meanwhile.
  if (!changed) await retireTimer(timer);
}
