import { disputeRoutes } from '../../lib/routes/disputes.js';
import { httpFunction } from '../platform/http.js';
import { created, idempotentRequest, recordedByUseCase, replayed } from '../store/idempotency.js';
import * as returns from '../services/dispute-returns.js';
import * as disputes from '../services/disputes.js';

export const handler = httpFunction(disputeRoutes, {
  'POST /v1/orders/{orderId}/disputes': async ({ principal, path, body, event }) => {
    const request = idempotentRequest(event, principal.userId, 'POST /v1/orders/{orderId}/disputes', path, body);
    const opened = await disputes.openDispute(principal, path.orderId, body, request && { request, respond: (dispute) => created(dispute, `/v1/disputes/${dispute.disputeId}`) });
    return opened.replay ? replayed(opened.replay) : { body: opened.dispute, location: `/v1/disputes/${opened.dispute.disputeId}` };
  },
  'GET /v1/disputes/{disputeId}': async ({ principal, path }) => ({ body: await disputes.viewDispute(principal, path.disputeId) }),
  'GET /v1/disputes': async ({ principal, query }) => ({ body: await disputes.listMyDisputes(principal, query) }),
  'POST /v1/disputes/{disputeId}/response': async ({ principal, path, body }) => ({ body: await disputes.sellerResponds(principal, path.disputeId, body) }),
  'POST /v1/disputes/{disputeId}/accept-offer': async ({ principal, path }) => ({ body: await disputes.acceptOffer(principal, path.disputeId) }),
  'POST /v1/disputes/{disputeId}/revise': async ({ principal, path, body }) => ({ body: await disputes.revise(principal, path.disputeId, body) }),
  'POST /v1/disputes/{disputeId}/escalate': async ({ principal, path, body }) => ({ body: await disputes.escalate(principal, path.disputeId, body.message) }),
  'POST /v1/disputes/{disputeId}/cancel': async ({ principal, path }) => ({ body: await disputes.cancelDispute(principal, path.disputeId) }),
  'POST /v1/disputes/{disputeId}/return-shipment': async ({ principal, path, body }) => ({ body: await returns.shipReturn(principal, path.disputeId, body) }),
  'POST /v1/disputes/{disputeId}/return-received': async ({ principal, path }) => ({ body: await returns.returnReceived(principal, path.disputeId) }),
  'POST /v1/disputes/{disputeId}/return-problem': async ({ principal, path, body }) => ({ body: await returns.reportReturnProblem(principal, path.disputeId, body) }),
  'POST /v1/disputes/{disputeId}/appeal': async ({ principal, path, body }) => ({ body: await disputes.appealDispute(principal, path.disputeId, body) }),
  'GET /v1/refunds/{refundId}': async ({ principal, path }) => ({ body: await disputes.viewRefund(principal, path.refundId) }),
}, { idempotency: recordedByUseCase });
