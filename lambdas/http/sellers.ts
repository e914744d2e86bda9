import { sellerRoutes } from '../../lib/routes/sellers.js';
import { httpFunction } from '../platform/http.js';
import { myShop, publicShop, saveMyShop } from '../services/catalog.js';

export const handler = httpFunction(sellerRoutes, {
  'PUT /v1/sellers/me': async ({ principal, body }) => ({ body: await saveMyShop(principal, body) }),
  'GET /v1/sellers/me': async ({ principal }) => ({ body: await myShop(principal) }),
  'GET /v1/sellers/{sellerId}': async ({ path }) => ({ body: await publicShop(path.sellerId) }),
});
