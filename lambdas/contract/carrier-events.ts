/**
 * The carrier webhook (API.md "Orders, tracking, escrow"): our own format, posted by carriers to
 * /v1/carrier-events/{carrier}, and AfterShip's documented tracking webhook, posted to
 * /v1/carrier-events/aftership. Both are signed (platform/carriers.ts); neither carries a JWT.
 */
import * as z from 'zod/mini';
import { ownFormatCarriers, type CarrierSlug } from '../platform/config.js';
import { TrackingStatus } from './orders.js';
import { described, enumOf, text, Timestamp } from './shared.js';

export const MAX_CARRIER_EVENTS = 100;

export const CarrierPathParams = z.strictObject({
  carrier: described(enumOf<CarrierSlug>()(ownFormatCarriers as [CarrierSlug, ...CarrierSlug[]]), { description: 'The carrier, as a lowercase slug; each signs with its own secret.' }),
});

const TrackingNumber = z.string().check(z.trim(), z.regex(/^[A-Za-z0-9 -]{4,64}$/, 'letters, digits, spaces and dashes, 4–64'));

export const CarrierEvent = described(
  z.strictObject({
    eventId: text(1, 128),
    trackingNumber: TrackingNumber,
    status: TrackingStatus,
    occurredAt: Timestamp,
    location: z.optional(text(1, 200)),
    signedBy: z.optional(text(1, 200)),
  }),
  { id: 'CarrierEvent' },
);

export const CarrierEventBatch = described(z.strictObject({ events: z.array(CarrierEvent).check(z.minLength(1), z.maxLength(MAX_CARRIER_EVENTS)) }), {
  id: 'CarrierEventBatch',
  description: `Up to ${MAX_CARRIER_EVENTS} events. Header Aftersale-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">, with the carrier's secret.`,
});

/**
 * AfterShip's tracking webhook as documented (Tracking API "Webhook Specifications"): its five top-level
 * fields exactly; inside `msg` (the tracking, dozens of fields that AfterShip extends over time) we read
 * the ones we map and let the others through, or a new AfterShip field would make every delivery fail.
 * Header aftership-hmac-sha256: base64 HMAC-SHA256 of the raw body with the webhook secret.
 */
const AfterShipCheckpoint = z.object({
  checkpoint_time: z.optional(z.nullable(z.string())),
  location: z.optional(z.nullable(z.string())),
  tag: z.optional(z.nullable(z.string())),
});
export const AfterShipWebhook = described(
  z.strictObject({
    event: z.string(),
    event_id: text(1, 128),
    ts: z.number(),
    is_tracking_first_tag: z.optional(z.boolean()),
    msg: z.object({
      tracking_number: TrackingNumber,
      tag: z.string(),
      slug: z.optional(z.nullable(z.string())),
      signed_by: z.optional(z.nullable(z.string())),
      shipment_delivery_date: z.optional(z.nullable(z.string())),
      updated_at: z.optional(z.nullable(z.string())),
      checkpoints: z.optional(z.nullable(z.array(AfterShipCheckpoint))),
    }),
  }),
  { id: 'AfterShipWebhook', description: "AfterShip's tracking webhook (event tracking_update), signed with aftership-hmac-sha256." },
);
export type AfterShipWebhookBody = z.output<typeof AfterShipWebhook>;

export const CarrierEventsReceived = described(
  z.strictObject({
    matched: described(z.int(), { description: 'Events applied to an outbound or a return shipment.' }),
    unmatched: described(z.int(), { description: 'Events whose tracking number names no shipment of ours.' }),
    duplicates: described(z.int(), { description: 'Events (carrier, eventId) applied before: nothing changed.' }),
  }),
  { id: 'CarrierEventsReceived' },
);
