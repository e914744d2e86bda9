/**
 * The arbitration function's routes: the admins' decisions on escalated and appealed disputes and their
 * answer to failed refunds. They were the disputes function's; apart, neither bundle carries the other's
 * rules (decision 024). The admins' queue of escalated disputes stays `GET /v1/disputes` (one route for
 * every role), so it is the disputes function's.
 */
import * as disputes from '../../lambdas/contract/disputes.js';
import * as refunds from '../../lambdas/contract/refunds.js';
import { admin } from './roles.js';
import type { RouteSpec } from './spec.js';

export const arbitrationRoutes = {
  'POST /v1/admin/disputes/{disputeId}/decision': { fn: 'arbitration', tag: 'Admin', summary: 'Decide an escalated dispute, or (another admin) an appealed one', auth: 'required', roles: admin, path: disputes.DisputePathParams, body: disputes.AdminDisputeDecision, success: { status: 200, body: disputes.Dispute } },
  'GET /v1/admin/refunds': { fn: 'arbitration', tag: 'Admin', summary: 'Refunds the payment provider failed to pay (FAILED), oldest first', auth: 'required', roles: admin, query: refunds.AdminRefundsQuery, success: { status: 200, body: refunds.AdminRefundPage } },
  'POST /v1/admin/refunds/{refundId}/retry': { fn: 'arbitration', tag: 'Admin', summary: 'A FAILED refund: another round of attempts, or marked paid by hand', auth: 'required', roles: admin, path: disputes.RefundPathParams, body: refunds.RetryRefund, success: { status: 200, body: refunds.AdminRefund } },
} as const satisfies Record<string, RouteSpec>;
