/**
 * The products function's routes. lib/manifest.ts gathers every group; the function imports only its own,
 * so its bundle carries only the schemas it validates.
 */
import * as products from '../../lambdas/contract/products.js';
import * as sellers from '../../lambdas/contract/sellers.js';
import { seller } from './roles.js';
import type { RouteSpec } from './spec.js';

export const productRoutes = {
  'POST /v1/products': { fn: 'products', tag: 'Listings', summary: 'Create a listing', auth: 'required', roles: seller, body: products.ProductInput, idempotent: true, success: { status: 201, body: products.Product } },
  'PUT /v1/products/{productId}': { fn: 'products', tag: 'Listings', summary: 'Edit or resubmit my listing', auth: 'required', roles: seller, path: products.ProductPathParams, body: products.ProductInput, success: { status: 200, body: products.Product } },
  'GET /v1/products/{productId}': { fn: 'products', tag: 'Listings', summary: 'A listing with its rating summary', auth: 'optional', path: products.ProductPathParams, success: { status: 200, body: products.Product } },
  'GET /v1/sellers/{sellerId}/products': { fn: 'products', tag: 'Listings', summary: "A seller's listings (approved ones, or all for the owner)", auth: 'optional', path: sellers.SellerPathParams, query: products.SellerProductsQuery, success: { status: 200, body: products.ProductPage } },
} as const satisfies Record<string, RouteSpec>;
