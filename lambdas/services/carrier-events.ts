/**
 * The carrier webhook's use case: match each event to the shipment its tracking number names (an
 * order's outbound parcel or a dispute's return) and apply it there, each in its own transaction with
 * the event's dedupe record. A batch the carrier sends again is counted as duplicates and changes nothing.
 */
import { assertNoFutureEvents, type CarrierEvent } from '../domain/carrier-events.js';
import { DomainError } from '../domain/errors.js';
import { clock } from '../platform/clock.js';
import type { CarrierSlug } from '../platform/config.js';
import { logger } from '../platform/logger.js';
import { findShipments, normalizeTrackingNumber, type TrackingNumberRecord } from '../store/tracking-numbers.js';
import { recordReturnCarrierEvent } from './dispute-returns.js';
import { recordCarrierEvent } from './orders.js';

export interface CarrierEventsReceived {
  matched: number;
  unmatched: number;
  duplicates: number;
}

function applyTo(shipment: TrackingNumberRecord, carrier: CarrierSlug, event: CarrierEvent, now: string): Promise<'applied' | 'duplicate'> {
  const seen = { carrier, eventId: event.eventId, trackingNumber: shipment.trackingNumber, receivedAt: now };
  if (shipment.shipment === 'RETURN' && shipment.disputeId) return recordReturnCarrierEvent(shipment.disputeId, event, seen);
  return recordCarrierEvent(shipment.orderId, event, seen);
}

export async function receiveCarrierEvents(carrier: CarrierSlug, events: readonly CarrierEvent[]): Promise<CarrierEventsReceived> {
  const now = clock.nowIso();
  assertNoFutureEvents(events, now);
  const shipments = await findShipments(events.map((event) => event.trackingNumber));
  const counts: CarrierEventsReceived = { matched: 0, unmatched: 0, duplicates: 0 };
  // One after another: events about one parcel apply in the order the carrier sent them.
  for (const event of events) {
    const shipment = shipments.get(normalizeTrackingNumber(event.trackingNumber));
    if (!shipment) {
      counts.unmatched++;
      continue;
    }
    try {
      counts[(await applyTo(shipment, carrier, event, now)) === 'duplicate' ? 'duplicates' : 'matched']++;
    } catch (error) {
      // A shipment that can no longer take events (e.g. a return already refunded): the carrier cannot
      // fix that by sending again, so it is answered, logged and counted, never failed.
      if (!(error instanceof DomainError)) throw error;
      logger.warn('Carrier event not applicable', { carrier, eventId: event.eventId, code: error.code });
      counts.unmatched++;
    }
  }
  return counts;
}
