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
} as const;

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
} as const;

export const DAY_MS = DAY;
