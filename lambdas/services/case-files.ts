/**
 * Case files for escalated disputes (the disputes queue's worker): gather the order, its tracking, its
 * escrow ledger and the evidence, and propose a decision by rule for the admin. Idempotent: a dispute
 * that already has its case file, or is no longer escalated, is left alone.
 */
import * as z from 'zod/mini';
import { proposeDecision } from '../domain/disputes.js';
import { clock } from '../platform/clock.js';
import { logger } from '../platform/logger.js';
import { disputeWrites, getDisputeWithTimeline } from '../store/disputes.js';
import { getOrder, listLedger, listTrackingEvents } from '../store/orders.js';
import { sendToQueue } from '../store/queue.js';
import { cancelTimer, setTimer, settleTimer, type Timer } from '../store/timers.js';
import { transact } from '../store/transactions.js';

export const CaseFileRequest = z.object({ disputeId: z.string() });

export async function buildCaseFile(disputeId: string): Promise<'built' | 'stale'> {
  const found = await getDisputeWithTimeline(disputeId);
  if (!found || found.dispute.status !== 'ESCALATED' || found.dispute.proposal) return 'stale';
  const { dispute, timeline } = found;
  const [order, tracking, ledger] = await Promise.all([getOrder(dispute.orderId), listTrackingEvents(dispute.orderId), listLedger(dispute.orderId)]);
  if (!order) return 'stale';
  const now = clock.nowIso();
  const evidence = [...dispute.evidence, ...timeline.flatMap((entry) => entry.evidence)];
  // Messaging is not part of the platform yet: a case file will carry the order's conversation once it is.
  const proposal = proposeDecision(dispute, { order, trackingStatuses: tracking.map((event) => event.status), evidenceCount: evidence.length, messageCount: 0 }, now);
  const caseFile = {
    builtAt: now,
    order: { status: order.status, total: order.total, escrow: order.escrow, shipment: order.shipment, deliveredAt: order.deliveredAt, completedAt: order.completedAt, protectionEndsAt: order.protectionEndsAt },
    tracking,
    ledger,
    evidence: evidence.map((item) => ({ uploadId: item.uploadId, contentType: item.contentType })),
    messages: [],
  };
  const next = { ...dispute, proposal, caseFile, updatedAt: now, version: dispute.version + 1 };
  const entry = { at: now, actor: 'system' as const, action: 'CASE_FILE_READY', message: proposal.rationale, evidence: [], amount: null, terms: null };
  await transact([...disputeWrites(dispute.version, next, [entry]), cancelTimer('CASE_FILE', disputeId)]);
  logger.info('Case file built', { disputeId, rule: proposal.rule });
  return 'built';
}

const MAX_SENDS = 5;

/** The outbox timer of an escalation: re-send the request while no case file exists. */
export async function retryCaseFile(timer: Timer): Promise<void> {
  const attempt = Number(timer.payload?.attempt ?? MAX_SENDS);
  const found = await getDisputeWithTimeline(timer.entityId);
  const waiting = found?.dispute.status === 'ESCALATED' && !found.dispute.proposal;
  if (!waiting || attempt >= MAX_SENDS) {
    if (waiting) logger.error('Case-file request gave up after retries', { timer });
    await transact([settleTimer(timer)]);
    return;
  }
  const now = clock.nowIso();
  await transact([setTimer({ ...timer, dueAt: new Date(new Date(now).getTime() + 10 * 60_000).toISOString(), payload: { ...timer.payload, attempt: attempt + 1 } }, now, { ifDueAt: timer.dueAt })]);
  await sendToQueue('disputes', { disputeId: timer.entityId });
}
