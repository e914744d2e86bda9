/**
 * Business events (orders placed, reviews published, disputes escalated, …), two ways: a structured log
 * line, which CloudWatch metric filters on each function's log group count (lib/constructs/manifest-function.ts)
 * and the alarms read, and an event on the event bus (platform/event-bus.ts) for the platform's own
 * consumers. A function declares the events it `emits` (lib/manifest.ts): that is what grants it the bus.
 * Called after a commit: publishing never throws (the change is made; the log line has the event anyway).
 */
import type { BusinessEvent } from '../../lib/manifest.js';
import { clock } from './clock.js';
import { EVENT_SOURCE, publishEvent } from './event-bus.js';
import { logger } from './logger.js';

export async function businessEvent(event: BusinessEvent, details: Record<string, unknown> = {}): Promise<void> {
  logger.info(event, { businessEvent: event, ...details });
  try {
    await publishEvent({ source: EVENT_SOURCE, detailType: event, detail: details, time: clock.nowIso() });
  } catch (error) {
    logger.warn('Business event not published on the event bus', { businessEvent: event, error: error instanceof Error ? error : String(error) });
  }
}
