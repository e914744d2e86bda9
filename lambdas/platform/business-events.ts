/**
 * Business events (orders placed, reviews published, disputes escalated, …) as structured log lines:
 * CloudWatch metric filters on each function's log group count them (lib/constructs/manifest-function.ts),
 * so they cost no extra call and no metrics library in the bundle.
 */
import type { BusinessEvent } from '../../lib/manifest.js';
import { logger } from './logger.js';

export function businessEvent(event: BusinessEvent, details: Record<string, unknown> = {}): void {
  logger.info(event, { businessEvent: event, ...details });
}
