/**
 * The sellers function's routes. lib/manifest.ts gathers every group; the function imports only its own,
 * so its bundle carries only the schemas it validates.
 */
import * as sellers from '../../lambdas/contract/sellers.js';
import { seller } from './roles.js';
import type { RouteSpec } from './spec.js';

export const sellerRoutes = {
  'PUT /v1/sellers/me': { fn: 'sellers', tag: 'Sellers', summary: 'Create or update my store profile', auth: 'required', roles: seller, body: sellers.PutSellerProfile, success: { status: 200, body: sellers.OwnSellerProfile } },
  'GET /v1/sellers/me': { fn: 'sellers', tag: 'Sellers', summary: 'My store profile, stats and restrictions', auth: 'required', roles: seller, success: { status: 200, body: sellers.OwnSellerProfile } },
  'GET /v1/sellers/{sellerId}': { fn: 'sellers', tag: 'Sellers', summary: 'Public seller profile', auth: 'none', path: sellers.SellerPathParams, success: { status: 200, body: sellers.PublicSellerProfile } },
} as const satisfies Record<string, RouteSpec>;
