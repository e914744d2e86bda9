/**
 * The sellers function's routes. lib/manifest.ts gathers every group; the function imports only its own,
 * so its bundle carries only the schemas it validates.
 */
import { PublicReviewPage } from '../../lambdas/contract/reviews.js';
import * as balance from '../../lambdas/contract/balance.js';
import * as sellers from '../../lambdas/contract/sellers.js';
import { ListQuery } from '../../lambdas/contract/shared.js';
import { admin, seller } from './roles.js';
import type { RouteSpec } from './spec.js';

export const sellerRoutes = {
  'PUT /v1/sellers/me': { fn: 'sellers', tag: 'Sellers', summary: 'Create or update my store profile', auth: 'required', roles: seller, body: sellers.PutSellerProfile, success: { status: 200, body: sellers.OwnSellerProfile } },
  'GET /v1/sellers/me': { fn: 'sellers', tag: 'Sellers', summary: 'My store profile, stats, verification and restrictions', auth: 'required', roles: seller, success: { status: 200, body: sellers.OwnSellerProfile } },
  'GET /v1/sellers/me/balance': { fn: 'sellers', tag: 'Sellers', summary: 'My balance (RELEASE, REVERSAL, COMPENSATION entries), newest first', auth: 'required', roles: seller, query: balance.BalanceQuery, success: { status: 200, body: balance.SellerBalance } },
  'POST /v1/sellers/me/verification': { fn: 'sellers', tag: 'Sellers', summary: 'Submit my identity for verification', auth: 'required', roles: seller, body: sellers.SubmitVerification, success: { status: 202, body: sellers.Verification } },
  'GET /v1/sellers/{sellerId}': { fn: 'sellers', tag: 'Sellers', summary: 'Public seller profile', auth: 'none', path: sellers.SellerPathParams, success: { status: 200, body: sellers.PublicSellerProfile } },
  'GET /v1/sellers/{sellerId}/reviews': { fn: 'sellers', tag: 'Sellers', summary: "A store's published reviews, newest first (reviewers masked)", auth: 'none', path: sellers.SellerPathParams, query: ListQuery, success: { status: 200, body: PublicReviewPage } },
  'GET /v1/admin/sellers': { fn: 'sellers', tag: 'Admin', summary: 'Identity verifications waiting for a decision, oldest first', auth: 'required', roles: admin, query: sellers.AdminSellersQuery, success: { status: 200, body: sellers.PendingVerificationPage } },
  'POST /v1/admin/sellers/{sellerId}/verification': { fn: 'sellers', tag: 'Admin', summary: "Decide a seller's identity verification", auth: 'required', roles: admin, path: sellers.SellerPathParams, body: sellers.VerificationDecision, success: { status: 200, body: sellers.Verification } },
  'POST /v1/admin/sellers/{sellerId}/penalties': { fn: 'sellers', tag: 'Admin', summary: 'Add penalty points to a seller', auth: 'required', roles: admin, path: sellers.SellerPathParams, body: sellers.PenaltyInput, success: { status: 200, body: sellers.SellerPenalties } },
} as const satisfies Record<string, RouteSpec>;
