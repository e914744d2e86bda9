/**
 * The single declaration of what Aftersale runs: HTTP routes, queue workers and scheduled jobs.
 * The CDK stacks (lib/api-stack.ts), the local host (lib/local/) and the OpenAPI document all read it,
 * so a route exists in every host or in none. It is plain data plus zod schemas: no AWS code.
 */
import { arbitrationRoutes } from './routes/arbitration.js';
import { carrierEventRoutes } from './routes/carrier-events.js';
import { paymentEventRoutes } from './routes/payment-events.js';
import { disputeRoutes } from './routes/disputes.js';
import { messagingRoutes } from './routes/messaging.js';
import { notificationRoutes } from './routes/notifications.js';
import { operationRoutes } from './routes/operations.js';
import { orderRoutes } from './routes/orders.js';
import { productRoutes } from './routes/products.js';
import { reviewRoutes } from './routes/reviews.js';
import { sellerRoutes } from './routes/sellers.js';
import { uploadRoutes } from './routes/uploads.js';
import { webhookRoutes } from './routes/webhooks.js';

import type { HttpMethod } from './routes/spec.js';

export type { AuthMode, HttpMethod, Role, RouteSpec, Schema } from './routes/spec.js';

/** Business events a function logs (platform/business-events.ts); the AWS host turns them into CloudWatch metrics. */
export const businessEvents = ['OrderPlaced', 'ReceiptConfirmed', 'ReviewPublished', 'DisputeOpened', 'DisputeEscalated', 'RefundIssued', 'TimerParked', 'ArbitrationOverdue', 'RefundFailed', 'OrderAutoCancelled', 'WebhookDead'] as const;
export type BusinessEvent = (typeof businessEvents)[number];

/** Object access in one prefix of the media bucket: `write` is PutObject only (a copy's target). */
export type ObjectAccess = 'read' | 'write' | 'readWrite';

/** What a function is and may touch; the AWS host turns this into the function, its environment and IAM grants. */
export interface FunctionSpec {
  entry: string;
  description: string;
  table: 'read' | 'readWrite' | 'none';
  /** Media bucket objects per prefix: `incoming/` (client uploads) and `owned/` (platform copies). */
  bucket?: { incoming?: ObjectAccess; owned?: ObjectAccess };
  /** Identity documents (`private/kyc/`): no function reaches them unless it declares this. */
  privateDocuments?: ObjectAccess;
  sendsTo?: readonly QueueName[];
  emits?: readonly BusinessEvent[];
  memoryMb?: number;
  timeoutSeconds?: number;
  /** Lists with signed cursors (a route takes a `cursor` query parameter): only then does the function get the cursor key. */
  signsCursors?: boolean;
  /** At most this many instances at once (Lambda reserved concurrency); 1: invocations never overlap. */
  reservedConcurrency?: number;
  /** The carriers' webhook signing secrets (Secrets Manager, one per carrier slug in platform/config.ts). */
  carrierSecrets?: 'read';
  /** Talks to the payment provider (lambdas/payments/): gets PAYMENT_PROVIDER and, on Stripe stages, the key. */
  paymentProvider?: 'use';
  /**
   * Hears the payment provider's webhook: gets PAYMENT_PROVIDER (which provider's events it takes) and
   * the webhook signing secret (lib/constructs/payment-event-secret.ts), never the provider's API key.
   */
  paymentEventSecret?: 'read';
}

export const functions = {
  operations: { entry: 'lambdas/http/operations.ts', description: 'Health, OpenAPI document and reference page', table: 'none' },
  sellers: { entry: 'lambdas/http/sellers.ts', description: 'Seller store profiles and identity verification', table: 'readWrite', sendsTo: ['webhookDeliveries'], signsCursors: true, privateDocuments: 'readWrite' },
  products: { entry: 'lambdas/http/products.ts', description: 'Listings and their review queue', table: 'readWrite', signsCursors: true, bucket: { owned: 'read' }, sendsTo: ['listingReview', 'webhookDeliveries'] },
  listingReviewWorker: { entry: 'lambdas/workers/listing-review.ts', description: 'Reviews listing submissions: rules, images by their bytes, penalty points', table: 'readWrite', sendsTo: ['webhookDeliveries'], bucket: { incoming: 'read', owned: 'readWrite' }, timeoutSeconds: 30 },
  orders: { entry: 'lambdas/http/orders.ts', description: 'Orders, shipment, tracking, escrow', table: 'readWrite', sendsTo: ['webhookDeliveries'], signsCursors: true, emits: ['OrderPlaced', 'ReceiptConfirmed', 'RefundIssued'], paymentProvider: 'use' },
  uploads: { entry: 'lambdas/http/uploads.ts', description: 'Presigned S3 uploads', table: 'readWrite', bucket: { incoming: 'write' } },
  reviews: { entry: 'lambdas/http/reviews.ts', description: 'Reviews, replies, votes, reports and their moderation queue', table: 'readWrite', signsCursors: true, bucket: { owned: 'read' }, sendsTo: ['moderation', 'webhookDeliveries'], emits: ['ReviewPublished'] },
  moderationWorker: { entry: 'lambdas/workers/moderation.ts', description: 'Moderates review revisions and seller replies', table: 'readWrite', sendsTo: ['webhookDeliveries'], bucket: { incoming: 'read', owned: 'readWrite' }, emits: ['ReviewPublished'], timeoutSeconds: 30 },
  disputes: { entry: 'lambdas/http/disputes.ts', description: 'Disputes, returns and refunds: what the parties do', table: 'readWrite', signsCursors: true, bucket: { incoming: 'read', owned: 'readWrite' }, sendsTo: ['disputes', 'webhookDeliveries'], emits: ['DisputeOpened', 'DisputeEscalated', 'RefundIssued'] },
  // The admins' decisions, apart from the parties' routes so neither bundle carries the other's code (decision 024).
  arbitration: { entry: 'lambdas/http/arbitration.ts', description: 'Admin arbitration: decisions on escalated and appealed disputes, failed refunds', table: 'readWrite', signsCursors: true, sendsTo: ['webhookDeliveries'], emits: ['RefundIssued'] },
  conversations: { entry: 'lambdas/http/conversations.ts', description: 'Buyer and seller conversations, messages and the support queue', table: 'readWrite', sendsTo: ['webhookDeliveries'], signsCursors: true, bucket: { incoming: 'read', owned: 'readWrite' } },
  carrierEvents: { entry: 'lambdas/http/carrier-events.ts', description: 'Signed carrier tracking webhooks: proof of delivery for orders and returns', table: 'readWrite', sendsTo: ['webhookDeliveries'], carrierSecrets: 'read', timeoutSeconds: 30 },
  notifications: { entry: 'lambdas/http/notifications.ts', description: 'The notification inbox: newest first with the unread count, marking read', table: 'readWrite', signsCursors: true },
  webhooks: { entry: 'lambdas/http/webhooks.ts', description: 'A user\'s webhook: registration (URL checked against private addresses) and its deliveries', table: 'readWrite', signsCursors: true },
  // Calls users' URLs: at most 10 s per attempt, DNS included (platform/outbound-http.ts). Powertools'
  // BatchProcessor runs a batch's records (10 at most) in parallel, so a batch takes about one attempt plus
  // its two transactions and a WebhookDead publish (2 s at most): 120 s leaves room; visibility is 6× that.
  webhookWorker: { entry: 'lambdas/workers/webhook-delivery.ts', description: 'Delivers notifications to their recipients\' webhooks, signed, retried 24 h', table: 'readWrite', emits: ['WebhookDead'], timeoutSeconds: 120 },
  paymentEvents: { entry: 'lambdas/http/payment-events.ts', description: "The payment provider's signed webhook: chargebacks mark the order, one won by the buyer is its refund", table: 'readWrite', paymentEventSecret: 'read', timeoutSeconds: 30 },
  caseFileWorker: { entry: 'lambdas/workers/case-file.ts', description: 'Builds the case file of an escalated dispute and proposes a decision', table: 'readWrite', timeoutSeconds: 30 },
  timersJob: { entry: 'lambdas/jobs/timers.ts', description: 'Plans the timer sweep: the timer lag, and one work item per shard of the due index', table: 'read', sendsTo: ['timerShards'], timeoutSeconds: 60, reservedConcurrency: 1 },
  badgesJob: { entry: 'lambdas/jobs/badges.ts', description: 'Recomputes the badges of the sellers marked since the last run (counted, verified, or their window moved)', table: 'readWrite', timeoutSeconds: 900, reservedConcurrency: 1 },
  timerShardWorker: { entry: 'lambdas/workers/timer-shard.ts', description: 'Fires the due timers of one shard: auto-confirm, auto-cancel, windows, dispute deadlines, refunds, outbox retries, listing-review retries, penalty expiry, badge windows, store closures, notification re-sends, webhook retries, deadline reminders', table: 'readWrite', sendsTo: ['moderation', 'disputes', 'listingReview', 'webhookDeliveries'], emits: ['ReceiptConfirmed', 'DisputeEscalated', 'RefundIssued', 'TimerParked', 'OrderAutoCancelled', 'ArbitrationOverdue', 'RefundFailed'], paymentProvider: 'use', timeoutSeconds: 120 },
} as const satisfies Record<string, FunctionSpec>;
export type FunctionName = keyof typeof functions;

/** Each queue's visibility timeout is at least 6× its worker's timeout; the AWS host refuses less (lib/constructs/queue-worker.ts). */
export const queues = {
  moderation: { description: 'Reviews and replies awaiting automated moderation', visibilityTimeoutSeconds: 180, maxReceiveCount: 5 },
  disputes: { description: 'Escalated disputes awaiting a case file', visibilityTimeoutSeconds: 180, maxReceiveCount: 5 },
  listingReview: { description: 'Listing submissions awaiting the automated review', visibilityTimeoutSeconds: 180, maxReceiveCount: 5 },
  webhookDeliveries: { description: 'Notifications to deliver to their recipients\' webhooks', visibilityTimeoutSeconds: 720, maxReceiveCount: 5 },
  timerShards: { description: 'Shards of the due-timer index a sweep has to fire', visibilityTimeoutSeconds: 720, maxReceiveCount: 5 },
} as const;
export type QueueName = keyof typeof queues;

export interface WorkerSpec {
  queue: QueueName;
  fn: FunctionName;
  batchSize: number;
  /** At most this many invocations at once (the event source's maximum concurrency, 2–1000); unbounded if absent. */
  maxConcurrency?: number;
}
/** Queue consumers. Each reports partial batch failures; a poisoned message ends in the queue's DLQ. */
export const workers: readonly WorkerSpec[] = [
  { queue: 'moderation', fn: 'moderationWorker', batchSize: 10 },
  { queue: 'disputes', fn: 'caseFileWorker', batchSize: 5 },
  { queue: 'listingReview', fn: 'listingReviewWorker', batchSize: 5 },
  { queue: 'webhookDeliveries', fn: 'webhookWorker', batchSize: 10 },
  // One shard per invocation; the concurrency bounds the table's write rate (docs/scale.md).
  { queue: 'timerShards', fn: 'timerShardWorker', batchSize: 1, maxConcurrency: 16 },
];

export interface JobSpec {
  fn: FunctionName;
  /** EventBridge schedule expression. */
  schedule: string;
  /** How often the local host fires it. */
  localEveryMs: number;
  /** The queue it sends its work to: the local host delivers that queue before answering POST /local/jobs/<name>. */
  fansOutTo?: QueueName;
}
export const jobs = {
  timers: { fn: 'timersJob', schedule: 'rate(5 minutes)', localEveryMs: 60_000, fansOutTo: 'timerShards' },
  // DOMAIN.md: badges are recomputed daily (after midnight UTC, when a month's window moves).
  badges: { fn: 'badgesJob', schedule: 'cron(15 0 * * ? *)', localEveryMs: 86_400_000 },
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
  ...arbitrationRoutes,
  ...messagingRoutes,
  ...carrierEventRoutes,
  ...webhookRoutes,
  ...paymentEventRoutes,
  ...notificationRoutes,
} as const;

export type RouteKey = keyof typeof routes;
export type Routes = typeof routes;

export function splitRouteKey(key: string): { method: HttpMethod; path: string } {
  const [method, path] = key.split(' ') as [HttpMethod, string];
  return { method, path };
}
