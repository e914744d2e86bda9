import { sellerRoutes } from '../../lib/routes/sellers.js';
import { httpFunction } from '../platform/http.js';
import { myBalance } from '../services/balance.js';
import { myShop, publicShop, saveMyShop } from '../services/catalog.js';
import { addPenalty } from '../services/penalties.js';
import { storeReviews } from '../services/reputation.js';
import { decideSellerVerification, pendingVerifications, submitMyVerification } from '../services/verification.js';

export const handler = httpFunction(sellerRoutes, {
  'PUT /v1/sellers/me': async ({ principal, body }) => ({ body: await saveMyShop(principal, body) }),
  'GET /v1/sellers/me': async ({ principal }) => ({ body: await myShop(principal) }),
  'GET /v1/sellers/me/balance': async ({ principal, query }) => ({ body: await myBalance(principal, query) }),
  'POST /v1/sellers/me/verification': async ({ principal, body }) => ({ body: await submitMyVerification(principal, body) }),
  'GET /v1/sellers/{sellerId}': async ({ path }) => ({ body: await publicShop(path.sellerId) }),
  'GET /v1/sellers/{sellerId}/reviews': async ({ path, query }) => ({ body: await storeReviews(path.sellerId, query) }),
  'GET /v1/admin/sellers': async ({ query }) => ({ body: await pendingVerifications(query) }),
  'POST /v1/admin/sellers/{sellerId}/verification': async ({ principal, path, body }) => ({ body: await decideSellerVerification(principal, path.sellerId, body) }),
  'POST /v1/admin/sellers/{sellerId}/penalties': async ({ principal, path, body }) => ({ body: await addPenalty(principal, path.sellerId, body) }),
});
