import { arbitrationRoutes } from '../../lib/routes/arbitration.js';
import { httpFunction } from '../platform/http.js';
import { adminDecides } from '../services/disputes.js';
import * as refunds from '../services/refunds.js';

export const handler = httpFunction(arbitrationRoutes, {
  'POST /v1/admin/disputes/{disputeId}/decision': async ({ principal, path, body }) => ({ body: await adminDecides(principal, path.disputeId, body) }),
  'GET /v1/admin/refunds': async ({ query }) => ({ body: await refunds.failedRefunds(query) }),
  'POST /v1/admin/refunds/{refundId}/retry': async ({ principal, path, body }) => ({ body: await refunds.retryRefund(principal, path.refundId, body) }),
});
