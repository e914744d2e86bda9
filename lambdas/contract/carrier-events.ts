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
  description: `Up to ${MAX_CARRIER_EVENTS} events, signed with the Aftersale-Signature header.`,
});

/**
 * The signature headers, as the OpenAPI document's header parameters (lib/routes/spec.ts
 * `signatureHeaders`). Their names are the ones platform/carriers.ts verifies (a test holds them
 * together); written here as literals so the contract does not import the verifier.
 */
export const CarrierSignatureHeaders = z.object({
  'aftersale-signature': described(z.string(), {
    description: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>"> with the carrier\'s secret; refused (401 INVALID_SIGNATURE) when missing, wrong, or more than 5 minutes from our clock.',
    example: 't=1764590400,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
  }),
});

export const AfterShipSignatureHeaders = z.object({
  'aftership-hmac-sha256': described(z.string(), {
    description: 'Base64 HMAC-SHA256 of the raw body with the webhook secret (AfterShip\'s scheme; it has no timestamp, so a replay is stopped by the event-id dedupe); refused (401 INVALID_SIGNATURE) when missing or wrong.',
    example: 'tVxDQ0kR2w5iYzAqLbGOcVjPBbvjsWBGv5dvh7cZ0Hs=',
  }),
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
