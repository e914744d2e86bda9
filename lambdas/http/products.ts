import { productRoutes } from '../../lib/routes/products.js';
import { verifyBearerToken } from '../platform/bearer-tokens.js';
import { httpFunction } from '../platform/http.js';
import { idempotencyStore } from '../store/idempotency.js';
import { createMyListing, decideListing, editMyListing, listingsForReview, listShopListings, viewListing } from '../services/listings.js';

export const handler = httpFunction(productRoutes, {
  'POST /v1/products': async ({ principal, body }) => {
    const product = await createMyListing(principal, body);
    return { body: product, location: `/v1/products/${product.productId}` };
  },
  'PUT /v1/products/{productId}': async ({ principal, path, body }) => ({ body: await editMyListing(principal, path.productId, body) }),
  'GET /v1/products/{productId}': async ({ principal, path }) => ({ body: await viewListing(principal, path.productId) }),
  'GET /v1/sellers/{sellerId}/products': async ({ principal, path, query }) => ({ body: await listShopListings(principal, path.sellerId, query) }),
  'GET /v1/admin/products': async ({ query }) => ({ body: await listingsForReview(query) }),
  'POST /v1/admin/products/{productId}/decision': async ({ principal, path, body }) => ({ body: await decideListing(principal, path.productId, body) }),
}, { idempotency: idempotencyStore, verifyBearer: verifyBearerToken });
