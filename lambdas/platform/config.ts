/**
 * Deployment settings (read from the environment the host gives each function) and the platform's
 * business defaults (DOMAIN.md numbers, held in one place; products override the ones marked per product).
 */
import type { QueueName } from '../../lib/manifest.js';

/** Environment variables every host sets. The AWS host sets them in lib/api-stack.ts, the local host in lib/local/. */
export const env = {
  TABLE_NAME: 'TABLE_NAME',
  BUCKET_NAME: 'BUCKET_NAME',
  CURSOR_SECRET: 'CURSOR_SECRET',
  JWT_ISSUER: 'JWT_ISSUER',
  JWT_JWKS_URL: 'JWT_JWKS_URL',
  JWT_CLIENT_IDS: 'JWT_CLIENT_IDS',
  /** AWS: `{ <carrier slug>: <Secrets Manager secret ARN> }` (JSON), read once per cold start. */
  CARRIER_SECRET_ARNS: 'CARRIER_SECRET_ARNS',
  /** Local host only: `{ <carrier slug>: <secret> }` (JSON), generated per run. */
  CARRIER_SECRETS: 'CARRIER_SECRETS',
  /** `simulated` (local host, tests) or `stripe` (lambdas/payments/provider.ts); no default, so no stage takes made-up payments by omission. */
  PAYMENT_PROVIDER: 'PAYMENT_PROVIDER',
  /** AWS, stripe stages: the Secrets Manager secret ARN holding the Stripe secret API key, read once per cold start. */
  STRIPE_SECRET_ARN: 'STRIPE_SECRET_ARN',
  /** AWS, functions that declare `emits`: the EventBridge bus business events are published on (platform/event-bus.ts). */
  EVENT_BUS_NAME: 'EVENT_BUS_NAME',
  /** AWS: `{ <payment provider>: <Secrets Manager secret ARN> }` (JSON): the key its webhooks are signed with, read once per cold start. */
  PAYMENT_EVENT_SECRET_ARNS: 'PAYMENT_EVENT_SECRET_ARNS',
  /** Local host only: `{ <payment provider>: <secret> }` (JSON), generated per run. */
  PAYMENT_EVENT_SECRETS: 'PAYMENT_EVENT_SECRETS',
} as const;

/**
 * Carriers that may post tracking events (POST /v1/carrier-events/{carrier}), each with its own signing
 * secret, and the format it speaks: ours (API.md), or an aggregator's documented webhook.
 */
export const carriers = {
  ups: { format: 'aftersale' },
  usps: { format: 'aftersale' },
  fedex: { format: 'aftersale' },
  dhl: { format: 'aftersale' },
  aftership: { format: 'aftership' },
} as const satisfies Record<string, { format: 'aftersale' | 'aftership' }>;
export type CarrierSlug = keyof typeof carriers;
export const carrierSlugs = Object.keys(carriers) as CarrierSlug[];
/** The carriers that post in our own format (the `{carrier}` path of the webhook route). */
export const ownFormatCarriers = carrierSlugs.filter((slug) => carriers[slug].format === 'aftersale');

export const queueUrlVariable = (queue: QueueName): string => `QUEUE_URL_${queue.toUpperCase()}`;

export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

export const tableName = (): string => required(env.TABLE_NAME);

/** The region the signed S3 and SQS requests name (Lambda sets AWS_REGION; tools may set only the default). */
export const region = (): string => process.env.AWS_REGION ?? required('AWS_DEFAULT_REGION');

const DAY = 24 * 60 * 60 * 1000;

/** DOMAIN.md defaults. Durations are in milliseconds unless named otherwise. */
export const policy = {
  maxOrderLines: 50,
  handlingDays: 7,
  /** An order not shipped this long after its handling time is cancelled and refunded. */
  autoCancelAfterHandlingMs: 3 * DAY,
  protectionDays: 60,
  protectionExtensionMs: 15 * DAY,
  /** Protection lasts at least this long after the carrier's delivery estimate. */
  protectionAfterEstimateMs: 15 * DAY,
  returnWindowDays: 15,
  refundExpectedBusinessDays: 15,
  reviewWindowMs: 30 * DAY,
  reviewEditWindowMs: 180 * DAY,
  disputeAfterCompletionMs: 15 * DAY,
  /**
   * Above about $250 a carrier's DELIVERED is proof only with a signature (`signedBy`). Per currency, in
   * minor units, rounded equivalents; any other currency uses the default (decision 018-carrier-proof).
   */
  signatureRequiredAbove: { USD: 25_000, EUR: 25_000, GBP: 20_000, CAD: 35_000, AUD: 40_000, CHF: 25_000, JPY: 40_000, default: 25_000 } as Readonly<Record<string, number>>,
} as const;

/** The minor-unit amount above which a carrier delivery of an order in `currency` needs a signature. */
export const signatureThreshold = (currency: string): number => policy.signatureRequiredAbove[currency] ?? (policy.signatureRequiredAbove.default as number);

export const DAY_MS = DAY;
