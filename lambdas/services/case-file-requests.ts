/**
 * How an escalation asks for its case file (services/case-files.ts builds it): the outbox the disputes
 * use cases write with the escalation. Apart from the builder so the disputes functions bundle none of
 * what a case file is made from (the order's conversation, tracking, ledger).
 */
import * as z from 'zod/mini';
import type { Dispute } from '../domain/disputes.js';
import { getDisputeWithTimeline } from '../store/disputes.js';
import { outbox } from './outbox.js';

export const CaseFileRequest = z.object({ disputeId: z.string() });

export const awaitsCaseFile = (dispute: Dispute | undefined): dispute is Dispute => dispute?.status === 'ESCALATED' && !dispute.proposal;

/** An escalation asks for its case file through this outbox: sent after the commit, re-sent by its timer. */
export const caseFileRequests = outbox({
  kind: 'CASE_FILE',
  queue: 'disputes',
  message: CaseFileRequest,
  entityId: (request) => request.disputeId,
  stillWaiting: async (request) => awaitsCaseFile((await getDisputeWithTimeline(request.disputeId))?.dispute),
});
