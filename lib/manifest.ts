/**
 * The single declaration of what Aftersale runs: HTTP routes, queue workers and scheduled jobs.
 * The CDK stacks (lib/api-stack.ts), the local host (lib/local/) and the OpenAPI document all read it,
 * so a route exists in every host or in none. It is plain data plus zod schemas: no AWS code.
 */
import type * as z from 'zod';
import * as disputes from '../lambdas/contract/disputes.js';
import * as orders from '../lambdas/contract/orders.js';
import * as products from '../lambdas/contract/products.js';
import { ListQuery } from '../lambdas/contract/shared.js';
import * as reviews from '../lambdas/contract/reviews.js';
import * as sellers from '../lambdas/contract/sellers.js';
import * as uploads from '../lambdas/contract/uploads.js';

export type Role = 'buyer' | 'seller' | 'admin';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** `required`: the gateway's JWT authorizer must pass. `optional`: public, richer when signed in. `none`: public. */
export type AuthMode = 'required' | 'optional' | 'none';

export interface RouteSpec {
  fn: FunctionName;
  summary: string;
  tag: string;
  auth: AuthMode;
  roles?: readonly Role[];
  path?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Success status and body schema; `null` body means the route answers something that is not JSON. */
  success: { status: 200 | 201 | 202 | 204; body: z.ZodType | null; contentType?: string };
  /** Creating POSTs honour the Idempotency-Key header. */
  idempotent?: boolean;
}

/** What a function may touch; the AWS host turns this into IAM grants, nothing more. */
export interface FunctionSpec {
  entry: string;
  description: string;
  table: 'read' | 'readWrite' | 'none';
  bucket?: 'read' | 'readWrite';
  sendsTo?: readonly QueueName[];
  memoryMb?: number;
  timeoutSeconds?: number;
}

export const functions = {
  operations: { entry: 'lambdas/http/operations.ts', description: 'Health, OpenAPI document and reference page', table: 'none' },
  sellers: { entry: 'lambdas/http/sellers.ts', description: 'Seller store profiles', table: 'readWrite' },
  products: { entry: 'lambdas/http/products.ts', description: 'Listings', table: 'readWrite' },
  orders: { entry: 'lambdas/http/orders.ts', description: 'Orders, shipment, tracking, escrow', table: 'readWrite' },
  uploads: { entry: 'lambdas/http/uploads.ts', description: 'Presigned S3 uploads', table: 'readWrite', bucket: 'readWrite' },
  reviews: { entry: 'lambdas/http/reviews.ts', description: 'Reviews, replies, votes, reports and their moderation queue', table: 'readWrite', bucket: 'read', sendsTo: ['moderation'] },
  moderationWorker: { entry: 'lambdas/workers/moderation.ts', description: 'Moderates review revisions and seller replies', table: 'readWrite', bucket: 'read', timeoutSeconds: 30 },
  disputes: { entry: 'lambdas/http/disputes.ts', description: 'Disputes, returns, arbitration and refunds', table: 'readWrite', bucket: 'read', sendsTo: ['disputes'] },
  caseFileWorker: { entry: 'lambdas/workers/case-file.ts', description: 'Builds the case file of an escalated dispute and proposes a decision', table: 'readWrite', timeoutSeconds: 30 },
  timersJob: { entry: 'lambdas/jobs/timers.ts', description: 'Fires due timers: auto-confirm, windows, dispute deadlines, refunds, outbox retries', table: 'readWrite', sendsTo: ['moderation', 'disputes'], timeoutSeconds: 300 },
} as const satisfies Record<string, FunctionSpec>;
export type FunctionName = keyof typeof functions;

export const queues = {
  moderation: { description: 'Reviews and replies awaiting automated moderation', visibilityTimeoutSeconds: 60, maxReceiveCount: 5 },
  disputes: { description: 'Escalated disputes awaiting a case file', visibilityTimeoutSeconds: 60, maxReceiveCount: 5 },
} as const;
export type QueueName = keyof typeof queues;

export interface WorkerSpec {
  queue: QueueName;
  fn: FunctionName;
  batchSize: number;
}
/** Queue consumers. Each reports partial batch failures; a poisoned message ends in the queue's DLQ. */
export const workers: readonly WorkerSpec[] = [
  { queue: 'moderation', fn: 'moderationWorker', batchSize: 10 },
  { queue: 'disputes', fn: 'caseFileWorker', batchSize: 5 },
];

export interface JobSpec {
  fn: FunctionName;
  /** EventBridge schedule expression. */
  schedule: string;
  /** How often the local host fires it. */
  localEveryMs: number;
}
export const jobs = {
  timers: { fn: 'timersJob', schedule: 'rate(5 minutes)', localEveryMs: 60_000 },
} as const satisfies Record<string, JobSpec>;
export type JobName = keyof typeof jobs;

const buyer = ['buyer'] as const;
const seller = ['seller'] as const;
const parties = ['buyer', 'seller', 'admin'] as const;
const admin = ['admin'] as const;

export const routes = {
  'GET /v1/health': { fn: 'operations', tag: 'Operations', summary: 'Liveness', auth: 'none', success: { status: 200, body: null } },
  'GET /v1/openapi.json': { fn: 'operations', tag: 'Operations', summary: 'This OpenAPI 3.1 document', auth: 'none', success: { status: 200, body: null } },
  'GET /docs': { fn: 'operations', tag: 'Operations', summary: 'API reference page', auth: 'none', success: { status: 200, body: null, contentType: 'text/html' } },

  'PUT /v1/sellers/me': { fn: 'sellers', tag: 'Sellers', summary: 'Create or update my store profile', auth: 'required', roles: seller, body: sellers.PutSellerProfile, success: { status: 200, body: sellers.OwnSellerProfile } },
  'GET /v1/sellers/me': { fn: 'sellers', tag: 'Sellers', summary: 'My store profile, stats and restrictions', auth: 'required', roles: seller, success: { status: 200, body: sellers.OwnSellerProfile } },
  'GET /v1/sellers/{sellerId}': { fn: 'sellers', tag: 'Sellers', summary: 'Public seller profile', auth: 'none', path: sellers.SellerPathParams, success: { status: 200, body: sellers.PublicSellerProfile } },

  'POST /v1/products': { fn: 'products', tag: 'Listings', summary: 'Create a listing', auth: 'required', roles: seller, body: products.ProductInput, idempotent: true, success: { status: 201, body: products.Product } },
  'PUT /v1/products/{productId}': { fn: 'products', tag: 'Listings', summary: 'Edit or resubmit my listing', auth: 'required', roles: seller, path: products.ProductPathParams, body: products.ProductInput, success: { status: 200, body: products.Product } },
  'GET /v1/products/{productId}': { fn: 'products', tag: 'Listings', summary: 'A listing with its rating summary', auth: 'optional', path: products.ProductPathParams, success: { status: 200, body: products.Product } },
  'GET /v1/sellers/{sellerId}/products': { fn: 'products', tag: 'Listings', summary: "A seller's listings (approved ones, or all for the owner)", auth: 'optional', path: sellers.SellerPathParams, query: products.SellerProductsQuery, success: { status: 200, body: products.ProductPage } },

  'POST /v1/orders': { fn: 'orders', tag: 'Orders', summary: 'Place an order (holds the total in escrow)', auth: 'required', roles: buyer, body: orders.PlaceOrder, idempotent: true, success: { status: 201, body: orders.Order } },
  'GET /v1/orders': { fn: 'orders', tag: 'Orders', summary: 'My orders (buyer) or my store’s orders (seller)', auth: 'required', roles: ['buyer', 'seller'], query: orders.ListOrdersQuery, success: { status: 200, body: orders.OrderPage } },
  'GET /v1/orders/{orderId}': { fn: 'orders', tag: 'Orders', summary: 'An order with its escrow balance', auth: 'required', roles: parties, path: orders.OrderPathParams, success: { status: 200, body: orders.Order } },
  'POST /v1/orders/{orderId}/cancel': { fn: 'orders', tag: 'Orders', summary: 'Cancel before shipment (full refund)', auth: 'required', roles: ['buyer', 'seller'], path: orders.OrderPathParams, body: orders.CancelOrder, success: { status: 200, body: orders.Order } },
  'POST /v1/orders/{orderId}/shipment': { fn: 'orders', tag: 'Orders', summary: 'Ship (starts the protection period)', auth: 'required', roles: seller, path: orders.OrderPathParams, body: orders.ShipOrder, success: { status: 200, body: orders.Order } },
  'POST /v1/orders/{orderId}/tracking-events': { fn: 'orders', tag: 'Orders', summary: 'Record a carrier tracking event', auth: 'required', roles: ['seller', 'admin'], path: orders.OrderPathParams, body: orders.AddTrackingEvent, success: { status: 201, body: orders.TrackingEvent } },
  'GET /v1/orders/{orderId}/tracking': { fn: 'orders', tag: 'Orders', summary: 'Tracking events, oldest first', auth: 'required', roles: parties, path: orders.OrderPathParams, success: { status: 200, body: orders.TrackingList } },
  'POST /v1/orders/{orderId}/confirm-receipt': { fn: 'orders', tag: 'Orders', summary: 'Confirm goods received (releases escrow)', auth: 'required', roles: buyer, path: orders.OrderPathParams, success: { status: 200, body: orders.Order } },
  'POST /v1/orders/{orderId}/extend-protection': { fn: 'orders', tag: 'Orders', summary: 'Extend buyer protection by 15 days, once', auth: 'required', roles: buyer, path: orders.OrderPathParams, success: { status: 200, body: orders.Order } },
  'GET /v1/orders/{orderId}/ledger': { fn: 'orders', tag: 'Orders', summary: 'Escrow ledger: HOLD, RELEASE and REFUND entries', auth: 'required', roles: parties, path: orders.OrderPathParams, success: { status: 200, body: orders.Ledger } },

  'POST /v1/uploads': { fn: 'uploads', tag: 'Uploads', summary: 'Get a presigned S3 POST for one file', auth: 'required', roles: parties, body: uploads.CreateUpload, idempotent: true, success: { status: 201, body: uploads.UploadTicket } },

  'POST /v1/orders/{orderId}/reviews': { fn: 'reviews', tag: 'Reviews', summary: 'Review a product of a completed order', auth: 'required', roles: buyer, path: reviews.OrderReviewPathParams, body: reviews.CreateReview, idempotent: true, success: { status: 201, body: reviews.AuthorReview } },
  'PATCH /v1/reviews/{reviewId}': { fn: 'reviews', tag: 'Reviews', summary: 'Edit my review (a new revision, moderated again)', auth: 'required', roles: buyer, path: reviews.ReviewPathParams, body: reviews.EditReview, success: { status: 200, body: reviews.AuthorReview } },
  'GET /v1/reviews/{reviewId}': { fn: 'reviews', tag: 'Reviews', summary: 'A review (published, or mine, or any for admins)', auth: 'optional', path: reviews.ReviewPathParams, success: { status: 200, body: reviews.ReviewResponse } },
  'GET /v1/products/{productId}/reviews': { fn: 'reviews', tag: 'Reviews', summary: "A product's published reviews", auth: 'none', path: reviews.ProductReviewsPathParams, query: reviews.ProductReviewsQuery, success: { status: 200, body: reviews.PublicReviewPage } },
  'GET /v1/me/reviews': { fn: 'reviews', tag: 'Reviews', summary: 'My reviews in every status, with moderation reasons', auth: 'required', roles: buyer, query: ListQuery, success: { status: 200, body: reviews.AuthorReviewPage } },
  'GET /v1/sellers/me/reviews': { fn: 'reviews', tag: 'Reviews', summary: "Published reviews of my store's products (reviewers masked)", auth: 'required', roles: seller, query: ListQuery, success: { status: 200, body: reviews.SellerReviewPage } },
  'PUT /v1/reviews/{reviewId}/reply': { fn: 'reviews', tag: 'Reviews', summary: 'Reply to a review of my product (moderated)', auth: 'required', roles: seller, path: reviews.ReviewPathParams, body: reviews.ReplyToReview, success: { status: 200, body: reviews.SellerReview } },
  'PUT /v1/reviews/{reviewId}/vote': { fn: 'reviews', tag: 'Reviews', summary: 'Mark a review helpful (once per user)', auth: 'required', roles: parties, path: reviews.ReviewPathParams, body: reviews.Vote, success: { status: 200, body: reviews.VoteResult } },
  'DELETE /v1/reviews/{reviewId}/vote': { fn: 'reviews', tag: 'Reviews', summary: 'Withdraw my helpful vote', auth: 'required', roles: parties, path: reviews.ReviewPathParams, success: { status: 200, body: reviews.VoteResult } },
  'POST /v1/reviews/{reviewId}/reports': { fn: 'reviews', tag: 'Reviews', summary: 'Report a review as abusive', auth: 'required', roles: parties, path: reviews.ReviewPathParams, body: reviews.ReportReview, success: { status: 201, body: reviews.ReportResult } },
  'GET /v1/admin/reviews': { fn: 'reviews', tag: 'Admin', summary: 'Reviews waiting for a human', auth: 'required', roles: admin, query: reviews.AdminReviewsQuery, success: { status: 200, body: reviews.AuthorReviewPage } },
  'POST /v1/admin/reviews/{reviewId}/decision': { fn: 'reviews', tag: 'Admin', summary: 'Publish, reject or remove a review (or its reply)', auth: 'required', roles: admin, path: reviews.ReviewPathParams, body: reviews.AdminReviewDecision, success: { status: 200, body: reviews.AuthorReview } },

  'POST /v1/orders/{orderId}/disputes': { fn: 'disputes', tag: 'Disputes', summary: 'Open a dispute (buyer protection)', auth: 'required', roles: buyer, path: disputes.OrderDisputePathParams, body: disputes.OpenDispute, idempotent: true, success: { status: 201, body: disputes.Dispute } },
  'GET /v1/disputes/{disputeId}': { fn: 'disputes', tag: 'Disputes', summary: 'A dispute with its timeline, deadlines and decision', auth: 'required', roles: parties, path: disputes.DisputePathParams, success: { status: 200, body: disputes.Dispute } },
  'GET /v1/disputes': { fn: 'disputes', tag: 'Disputes', summary: 'My disputes (buyer or seller), or the escalated ones (admin)', auth: 'required', roles: parties, query: disputes.ListDisputesQuery, success: { status: 200, body: disputes.DisputePage } },
  'POST /v1/disputes/{disputeId}/response': { fn: 'disputes', tag: 'Disputes', summary: 'Seller: accept, or make a counter-offer', auth: 'required', roles: seller, path: disputes.DisputePathParams, body: disputes.SellerResponse, success: { status: 200, body: disputes.Dispute } },
  'POST /v1/disputes/{disputeId}/accept-offer': { fn: 'disputes', tag: 'Disputes', summary: "Buyer: accept the seller's counter-offer", auth: 'required', roles: buyer, path: disputes.DisputePathParams, success: { status: 200, body: disputes.Dispute } },
  'POST /v1/disputes/{disputeId}/escalate': { fn: 'disputes', tag: 'Disputes', summary: 'Ask the platform to decide', auth: 'required', roles: ['buyer', 'seller'], path: disputes.DisputePathParams, body: disputes.Escalate, success: { status: 200, body: disputes.Dispute } },
  'POST /v1/disputes/{disputeId}/cancel': { fn: 'disputes', tag: 'Disputes', summary: 'Buyer: withdraw the dispute', auth: 'required', roles: buyer, path: disputes.DisputePathParams, success: { status: 200, body: disputes.Dispute } },
  'POST /v1/disputes/{disputeId}/return-shipment': { fn: 'disputes', tag: 'Disputes', summary: 'Buyer: the return is on its way', auth: 'required', roles: buyer, path: disputes.DisputePathParams, body: disputes.ReturnShipment, success: { status: 200, body: disputes.Dispute } },
  'POST /v1/disputes/{disputeId}/return-received': { fn: 'disputes', tag: 'Disputes', summary: 'Seller: the return arrived (issues the refund)', auth: 'required', roles: seller, path: disputes.DisputePathParams, success: { status: 200, body: disputes.Dispute } },
  'POST /v1/admin/disputes/{disputeId}/decision': { fn: 'disputes', tag: 'Admin', summary: 'Decide an escalated dispute', auth: 'required', roles: admin, path: disputes.DisputePathParams, body: disputes.AdminDisputeDecision, success: { status: 200, body: disputes.Dispute } },
  'GET /v1/refunds/{refundId}': { fn: 'disputes', tag: 'Disputes', summary: 'A refund and when to expect it', auth: 'required', roles: parties, path: disputes.RefundPathParams, success: { status: 200, body: disputes.Refund } },
} as const satisfies Record<string, RouteSpec>;

export type RouteKey = keyof typeof routes;
export type Routes = typeof routes;

export function splitRouteKey(key: string): { method: HttpMethod; path: string } {
  const [method, path] = key.split(' ') as [HttpMethod, string];
  return { method, path };
}

export function routesOf(fn: FunctionName): RouteKey[] {
  return (Object.keys(routes) as RouteKey[]).filter((key) => routes[key].fn === fn);
}
