/**
 * Carrier tracking events as the platform reads them, whatever format the carrier posted: ours, or
 * AfterShip's webhook mapped onto ours. Pure.
 */
import { DomainError } from './errors.js';
import type { TrackingStatus } from './orders.js';

export interface CarrierEvent {
  eventId: string;
  trackingNumber: string;
  status: TrackingStatus;
  occurredAt: string;
  location: string | null;
  signedBy: string | null;
}

/** Clock skew we forgive a carrier; an event further in the future is a broken or forged batch. */
const MAX_SKEW_MS = 5 * 60 * 1000;

/** The whole batch is refused (400) if one event claims to come from the future: nothing is applied. */
export function assertNoFutureEvents(events: readonly CarrierEvent[], now: string): void {
  const limit = new Date(now).getTime() + MAX_SKEW_MS;
  const index = events.findIndex((event) => new Date(event.occurredAt).getTime() > limit);
  if (index >= 0) throw new DomainError('VALIDATION_FAILED', 'A tracking event cannot happen in the future.', [{ path: `body.events.${index}.occurredAt`, message: 'in the future' }]);
}

/**
 * AfterShip's delivery tags (`msg.tag`) onto our statuses. Tags that say nothing about where the parcel
 * is (Pending, InfoReceived, Expired) are not tracking events for us.
 */
const AFTERSHIP_TAGS: Readonly<Record<string, TrackingStatus>> = {
  InTransit: 'IN_TRANSIT',
  OutForDelivery: 'OUT_FOR_DELIVERY',
  AvailableForPickup: 'OUT_FOR_DELIVERY',
  Delivered: 'DELIVERED',
  AttemptFail: 'EXCEPTION',
  Exception: 'EXCEPTION',
};

export interface AfterShipPayload {
  event: string;
  event_id: string;
  ts: number;
  msg: {
    tracking_number: string;
    tag: string;
    signed_by?: string | null | undefined;
    shipment_delivery_date?: string | null | undefined;
    checkpoints?: readonly { checkpoint_time?: string | null | undefined; location?: string | null | undefined; tag?: string | null | undefined }[] | null | undefined;
  };
}

/** An AfterShip time (ISO 8601, with or without an offset) as our UTC instant, or null if unreadable. */
function instant(value: string | null | undefined): string | null {
  if (!value) return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/**
 * One AfterShip tracking_update as our event: the status from `msg.tag`; the time from the delivery date
 * (for Delivered), else the latest checkpoint with that tag, else the webhook's `ts`; `signed_by` as is.
 * Other events (edd_revise, tracking_pending_time) and tags we do not track map to nothing.
 */
export function fromAfterShip(payload: AfterShipPayload): CarrierEvent[] {
  const status = AFTERSHIP_TAGS[payload.msg.tag];
  if (payload.event !== 'tracking_update' || !status) return [];
  const checkpoints = payload.msg.checkpoints ?? [];
  const latest = [...checkpoints].reverse().find((checkpoint) => checkpoint.tag === payload.msg.tag) ?? checkpoints.at(-1);
  const occurredAt =
    (status === 'DELIVERED' ? instant(payload.msg.shipment_delivery_date) : null) ?? instant(latest?.checkpoint_time) ?? new Date(payload.ts * 1000).toISOString();
  return [
    {
      eventId: payload.event_id,
      trackingNumber: payload.msg.tracking_number,
      status,
      occurredAt,
      location: latest?.location?.slice(0, 200) || null,
      signedBy: payload.msg.signed_by?.trim() || null,
    },
  ];
}
