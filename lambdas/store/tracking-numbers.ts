/**
 * What the carrier webhook needs to find and to remember. A tracking number names one shipment: the
 * lookup item is written in the transaction that ships an order or a return, and refuses a number
 * already in use (one parcel cannot prove two deliveries). A carrier event is applied once: its record
 * is written in the same transaction as its effect, so a redelivered event finds it and changes nothing.
 */
import * as z from 'zod/mini';
import { batchGetItems } from './batch.js';
import { defineEntity, nullableString, schemaOf } from './entity.js';
import { guarded, putNew, type Write } from './transactions.js';

declare module './transactions.js' {
  interface Guards {
    /** No other shipment (outbound or return) uses this tracking number. */
    trackingNumberUnused: true;
    /** This carrier event (carrier, eventId) was not applied before. */
    carrierEventUnseen: true;
  }
}

export interface TrackingNumberRecord {
  trackingNumber: string;
  /** An order's outbound shipment, or the return shipment of a dispute (on that order). */
  shipment: 'ORDER' | 'RETURN';
  orderId: string;
  disputeId: string | null;
}

export interface CarrierEventRecord {
  carrier: string;
  eventId: string;
  trackingNumber: string;
  receivedAt: string;
}

/** Carriers print numbers with spaces and mixed case; the same parcel must be one key. */
export const normalizeTrackingNumber = (trackingNumber: string): string => trackingNumber.replace(/[\s-]+/g, '').toUpperCase();

export const trackingNumberEntity = defineEntity({
  name: 'tracking number',
  schema: schemaOf<TrackingNumberRecord>()(z.object({ trackingNumber: z.string(), shipment: z.enum(['ORDER', 'RETURN']), orderId: z.string(), disputeId: nullableString })),
  patterns: { PK: 'TRACKNO#<trackingNumber>', SK: 'TRACKNO' },
  key: ({ trackingNumber }: { trackingNumber: string }) => ({ PK: `TRACKNO#${normalizeTrackingNumber(trackingNumber)}`, SK: 'TRACKNO' }),
});

export const carrierEventEntity = defineEntity({
  name: 'carrier event',
  schema: schemaOf<CarrierEventRecord>()(z.object({ carrier: z.string(), eventId: z.string(), trackingNumber: z.string(), receivedAt: z.string() })),
  patterns: { PK: 'CARRIEREVENT#<carrier>#<eventId>', SK: 'CARRIEREVENT' },
  key: ({ carrier, eventId }: { carrier: string; eventId: string }) => ({ PK: `CARRIEREVENT#${carrier}#${eventId}`, SK: 'CARRIEREVENT' }),
});

/** Written with the shipment: refused (guard `trackingNumberUnused`) when the number is taken. */
export const trackingNumberClaim = (record: TrackingNumberRecord): Write =>
  guarded('trackingNumberUnused', putNew(trackingNumberEntity.item({ ...record, trackingNumber: normalizeTrackingNumber(record.trackingNumber) })));

/** Written with the event's effect: a second delivery of the same event fails here (guard `carrierEventUnseen`). */
export const carrierEventSeen = (record: CarrierEventRecord): Write => guarded('carrierEventUnseen', putNew(carrierEventEntity.item(record)));

/** The shipments these tracking numbers belong to, by normalized number (one BatchGetItem per 100). */
export async function findShipments(trackingNumbers: readonly string[]): Promise<Map<string, TrackingNumberRecord>> {
  const unique = [...new Set(trackingNumbers.map(normalizeTrackingNumber))];
  const found = new Map<string, TrackingNumberRecord>();
  if (unique.length === 0) return found;
  const items = await batchGetItems(unique.map((trackingNumber) => trackingNumberEntity.key({ trackingNumber })), { consistent: true });
  for (const item of items) {
    const record = trackingNumberEntity.parse(item);
    found.set(record.trackingNumber, record);
  }
  return found;
}
