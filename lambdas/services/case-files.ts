/**
 * Case files for escalated disputes (the disputes queue's worker): gather the order, its tracking, its
 * escrow ledger, the evidence and the order's conversation, and propose a decision by rule for the admin. Idempotent: a dispute
 * that already has its case file, or is no longer escalated, is left alone.
 */
import { proposeDecision } from '../domain/disputes.js';
import { logger } from '../platform/logger.js';
import { disputeWrites, getDisputeWithTimeline } from '../store/disputes.js';
import { getOrder, listLedger, listTrackingEvents } from '../store/orders.js';
import type { Timer } from '../store/timers.js';
import { runCommand } from './command.js';
import { awaitsCaseFile, caseFileRequests, CaseFileRequest } from './case-file-requests.js';
import { orderConversationExcerpt } from './conversations-case-file.js';

export { CaseFileRequest };

/** What a case file is built from; undefined when the dispute needs none (any more). */
async function caseFileSources(disputeId: string) {
  const found = await getDisputeWithTimeline(disputeId);
  if (!found || !awaitsCaseFile(found.dispute)) return undefined;
  const orderId = found.dispute.orderId;
  const [order, tracking, ledger] = await Promise.all([getOrder(orderId), listTrackingEvents(orderId), listLedger(orderId)]);
  return order && { ...found, order, tracking, ledger, conversation: await orderConversationExcerpt(order) };
}

export function buildCaseFile(disputeId: string): Promise<'built' | 'stale'> {
  return runCommand({
    subject: 'dispute',
    load: () => caseFileSources(disputeId),
    decide: (sources, now) => {
      if (!sources) return { writes: [], result: 'stale' as const };
      const { dispute, timeline, order, tracking, ledger, conversation } = sources;
      const evidence = [...dispute.evidence, ...timeline.flatMap((entry) => entry.evidence)];
      const proposal = proposeDecision(dispute, { order, trackingStatuses: tracking.map((event) => event.status), evidenceCount: evidence.length, messageCount: conversation.messageCount }, now);
      const caseFile = {
        builtAt: now,
        order: { status: order.status, total: order.total, escrow: order.escrow, shipment: order.shipment, deliveredAt: order.deliveredAt, deliveryClaimedAt: order.deliveryClaimedAt ?? null, completedAt: order.completedAt, protectionEndsAt: order.protectionEndsAt },
        tracking,
        ledger,
        evidence: evidence.map((item) => ({ uploadId: item.uploadId, contentType: item.contentType })),
        // The order's conversation: its latest messages (CASE_FILE_MESSAGES), oldest first, and how many it has in all.
        conversation: { conversationId: conversation.conversationId, messageCount: conversation.messageCount },
        messages: conversation.messages,
      };
      const next = { ...dispute, proposal, caseFile, updatedAt: now, version: dispute.version + 1 };
      const entry = { at: now, actor: 'system' as const, action: 'CASE_FILE_READY', message: proposal.rationale, evidence: [], amount: null, terms: null };
      return {
        writes: [...disputeWrites(dispute.version, next, [entry]), caseFileRequests.done({ disputeId })],
        result: 'built' as const,
        afterCommit: [() => logger.info('Case file built', { disputeId, rule: proposal.rule })],
      };
    },
  });
}

/** The outbox timer of an escalation: re-send the request while no case file exists. */
export const retryCaseFile = (timer: Timer): Promise<void> => caseFileRequests.retry(timer);
