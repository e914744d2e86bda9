/**
 * The single declaration of what Aftersale runs: HTTP routes, queue workers and scheduled jobs.
 * The CDK stacks (lib/api-stack.ts), the local host (lib/local/) and the OpenAPI document all read it,
 * so a route exists in every host or in none. It is plain data plus zod schemas: no AWS code.
 */
import { disputeRoutes } from './routes/disputes.js';
import { operationRoutes } from './routes/operations.js';
import { orderRoutes } from './routes/orders.js';
import { productRoutes } from './routes/products.js';
import { reviewRoutes } from './routes/reviews.js';
import { sellerRoutes } from './routes/sellers.js';
import { uploadRoutes } from './routes/uploads.js';

import type { HttpMethod } from './routes/spec.js';

export type { AuthMode, HttpMethod, Role, RouteSpec, Schema } from './routes/spec.js';

/** Business events a function logs (platform/business-events.ts); the AWS host turns them into CloudWatch metrics. */
export const businessEvents = ['OrderPlaced', 'ReceiptConfirmed', 'ReviewPublished', 'DisputeOpened', 'DisputeEscalated', 'RefundIssued'] as const;
export type BusinessEvent = (typeof businessEvents)[number];

/** What a function may touch; the AWS host turns this into IAM grants, nothing more. */
export interface FunctionSpec {
  entry: string;
  description: string;
  table: 'read' | 'readWrite' | 'none';
  bucket?: 'read' | 'readWrite';
  sendsTo?: readonly QueueName[];
  emits?: readonly BusinessEvent[];
  memoryMb?: number;
  timeoutSeconds?: number;
}

export const functions = {
  operations: { entry: 'lambdas/http/operations.ts', description: 'Health, OpenAPI document and reference page', table: 'none' },
  sellers: { entry: 'lambdas/http/sellers.ts', description: 'Seller store profiles', table: 'readWrite' },
  products: { entry: 'lambdas/http/products.ts', description: 'Listings', table: 'readWrite' },
  orders: { entry: 'lambdas/http/orders.ts', description: 'Orders, shipment, tracking, escrow', table: 'readWrite', emits: ['OrderPlaced', 'ReceiptConfirmed'] },
  uploads: { entry: 'lambdas/http/uploads.ts', description: 'Presigned S3 uploads', table: 'readWrite', bucket: 'readWrite' },
  reviews: { entry: 'lambdas/http/reviews.ts', description: 'Reviews, replies, votes, reports and their moderation queue', table: 'readWrite', bucket: 'read', sendsTo: ['moderation'], emits: ['ReviewPublished'] },
  moderationWorker: { entry: 'lambdas/workers/moderation.ts', description: 'Moderates review revisions and seller replies', table: 'readWrite', bucket: 'readWrite', emits: ['ReviewPublished'], timeoutSeconds: 30 },
  disputes: { entry: 'lambdas/http/disputes.ts', description: 'Disputes, returns, arbitration and refunds', table: 'readWrite', bucket: 'read', sendsTo: ['disputes'], emits: ['DisputeOpened', 'DisputeEscalated', 'RefundIssued'] },
  caseFileWorker: { entry: 'lambdas/workers/case-file.ts', description: 'Builds the case file of an escalated dispute and proposes a decision', table: 'readWrite', timeoutSeconds: 30 },
  timersJob: { entry: 'lambdas/jobs/timers.ts', description: 'Fires due timers: auto-confirm, windows, dispute deadlines, refunds, outbox retries', table: 'readWrite', sendsTo: ['moderation', 'disputes'], emits: ['ReceiptConfirmed', 'DisputeEscalated', 'RefundIssued'], timeoutSeconds: 300 },
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

export const routes = {
  ...operationRoutes,
  ...sellerRoutes,
  ...productRoutes,
  ...orderRoutes,
  ...uploadRoutes,
  ...reviewRoutes,
  ...disputeRoutes,
} as const;

export type RouteKey = keyof typeof routes;
export type Routes = typeof routes;

export function splitRouteKey(key: string): { method: HttpMethod; path: string } {
  const [method, path] = key.split(' ') as [HttpMethod, string];
  return { method, path };
}
