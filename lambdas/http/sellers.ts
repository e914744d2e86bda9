import { sellerRoutes } from '../../lib/routes/sellers.js';
import { httpFunction } from '../platform/http.js';
import { myStore, publicStore, saveMyStore } from '../services/catalog.js';

export const handler = httpFunction(sellerRoutes, {
  'PUT /v1/sellers/me': async ({ principal, body }) => ({ body: await saveMyStore(principal, body) }),
  'GET /v1/sellers/me': async ({ principal }) => ({ body: await myStore(principal) }),
  'GET /v1/sellers/{sellerId}': async ({ path }) => ({ body: await publicStore(path.sellerId) }),
});
