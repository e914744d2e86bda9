/**
 * The products function's routes. lib/manifest.ts gathers every group; the function imports only its own,
 * so its bundle carries only the schemas it validates.
 */
import * as products from '../../lambdas/contract/products.js';
import * as sellers from '../../lambdas/contract/sellers.js';
import { admin, seller } from './roles.js';
import type { RouteSpec } from './spec.js';

export const productRoutes = {
  'POST /v1/products': { fn: 'products', tag: 'Listings', summary: 'Create a listing', auth: 'required', roles: seller, body: products.ProductInput, idempotent: true, success: { status: 201, body: products.Product } },
  'PUT /v1/products/{productId}': { fn: 'products', tag: 'Listings', summary: 'Edit or resubmit my listing', auth: 'required', roles: seller, path: products.ProductPathParams, body: products.ProductInput, success: { status: 200, body: products.Product } },
  'GET /v1/products/{productId}': { fn: 'products', tag: 'Listings', summary: 'A listing with its rating summary', auth: 'optional', path: products.ProductPathParams, success: { status: 200, body: products.Product } },
  'GET /v1/sellers/{sellerId}/products': { fn: 'products', tag: 'Listings', summary: "A seller's listings (approved ones, or all for the owner)", auth: 'optional', path: sellers.SellerPathParams, query: products.SellerProductsQuery, success: { status: 200, body: products.ProductPage } },
  'GET /v1/admin/products': { fn: 'products', tag: 'Admin', summary: 'Listings waiting for a person, oldest first', auth: 'required', roles: admin, query: products.AdminProductsQuery, success: { status: 200, body: products.ProductPage } },
  'POST /v1/admin/products/{productId}/decision': { fn: 'products', tag: 'Admin', summary: 'Decide a listing the review left to a person', auth: 'required', roles: admin, path: products.ProductPathParams, body: products.ProductDecision, success: { status: 200, body: products.Product } },
} as const satisfies Record<string, RouteSpec>;
