/**
 * The disputes function's routes: what the parties do (admins read disputes and refunds here too; their
 * decisions are the arbitration function's, lib/routes/arbitration.ts). lib/manifest.ts gathers every
 * group; the function imports only its own, so its bundle carries only the schemas it validates.
 */
import * as disputes from '../../lambdas/contract/disputes.js';
import { buyer, seller, parties } from './roles.js';
import type { RouteSpec } from './spec.js';

export const disputeRoutes = {
  'POST /v1/orders/{orderId}/disputes': { fn: 'disputes', tag: 'Disputes', summary: 'Open a dispute (buyer protection)', auth: 'required', roles: buyer, path: disputes.OrderDisputePathParams, body: disputes.OpenDispute, idempotent: true, success: { status: 201, body: disputes.Dispute } },
  'GET /v1/disputes/{disputeId}': { fn: 'disputes', tag: 'Disputes', summary: 'A dispute with its timeline, deadlines and decision', auth: 'required', roles: parties, path: disputes.DisputePathParams, success: { status: 200, body: disputes.Dispute } },
  'GET /v1/disputes': { fn: 'disputes', tag: 'Disputes', summary: 'My disputes (buyer or seller), or the escalated ones (admin)', auth: 'required', roles: parties, query: disputes.ListDisputesQuery, success: { status: 200, body: disputes.DisputePage } },
  'POST /v1/disputes/{disputeId}/response': { fn: 'disputes', tag: 'Disputes', summary: 'Seller: accept, or make a counter-offer', auth: 'required', roles: seller, path: disputes.DisputePathParams, body: disputes.SellerResponse, success: { status: 200, body: disputes.Dispute } },
  'POST /v1/disputes/{disputeId}/accept-offer': { fn: 'disputes', tag: 'Disputes', summary: "Buyer: accept the seller's counter-offer", auth: 'required', roles: buyer, path: disputes.DisputePathParams, success: { status: 200, body: disputes.Dispute } },
  'POST /v1/disputes/{disputeId}/revise': { fn: 'disputes', tag: 'Disputes', summary: "Buyer: answer the seller's counter-offer with a new request (the seller has 5 days again)", auth: 'required', roles: buyer, path: disputes.DisputePathParams, body: disputes.Revise, success: { status: 200, body: disputes.Dispute } },
  'POST /v1/disputes/{disputeId}/escalate': { fn: 'disputes', tag: 'Disputes', summary: 'Ask the platform to decide', auth: 'required', roles: ['buyer', 'seller'], path: disputes.DisputePathParams, body: disputes.Escalate, success: { status: 200, body: disputes.Dispute } },
  'POST /v1/disputes/{disputeId}/cancel': { fn: 'disputes', tag: 'Disputes', summary: 'Buyer: withdraw the dispute', auth: 'required', roles: buyer, path: disputes.DisputePathParams, success: { status: 200, body: disputes.Dispute } },
  'POST /v1/disputes/{disputeId}/return-shipment': { fn: 'disputes', tag: 'Disputes', summary: 'Buyer: the return is on its way', auth: 'required', roles: buyer, path: disputes.DisputePathParams, body: disputes.ReturnShipment, success: { status: 200, body: disputes.Dispute } },
  'POST /v1/disputes/{disputeId}/return-received': { fn: 'disputes', tag: 'Disputes', summary: 'Seller: the return arrived (issues the refund)', auth: 'required', roles: seller, path: disputes.DisputePathParams, success: { status: 200, body: disputes.Dispute } },
  'POST /v1/disputes/{disputeId}/appeal': { fn: 'disputes', tag: 'Disputes', summary: "Appeal the platform's decision (once, within 30 days, with new evidence)", auth: 'required', roles: ['buyer', 'seller'], path: disputes.DisputePathParams, body: disputes.Appeal, success: { status: 200, body: disputes.Dispute } },
  'POST /v1/disputes/{disputeId}/return-problem': { fn: 'disputes', tag: 'Disputes', summary: 'Seller: the return did not arrive, or is not what was sent (→ ESCALATED)', auth: 'required', roles: seller, path: disputes.DisputePathParams, body: disputes.ReturnProblem, success: { status: 200, body: disputes.Dispute } },
  'GET /v1/refunds/{refundId}': { fn: 'disputes', tag: 'Disputes', summary: 'A refund and when to expect it', auth: 'required', roles: parties, path: disputes.RefundPathParams, success: { status: 200, body: disputes.Refund } },
} as const satisfies Record<string, RouteSpec>;
