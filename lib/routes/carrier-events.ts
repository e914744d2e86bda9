/**
 * The carrier webhook's routes (no JWT: `auth: 'signed'`, the function checks the carrier's signature).
 * AfterShip posts its own documented format to its literal path, declared first so it is matched before
 * `{carrier}`, whose values are the carriers posting ours.
 */
import * as carrierEvents from '../../lambdas/contract/carrier-events.js';
import type { RouteSpec } from './spec.js';

export const carrierEventRoutes = {
  'POST /v1/carrier-events/aftership': { fn: 'carrierEvents', tag: 'Carriers', summary: "AfterShip's tracking webhook (aftership-hmac-sha256), mapped onto carrier events", auth: 'signed', signatureHeaders: carrierEvents.AfterShipSignatureHeaders, body: carrierEvents.AfterShipWebhook, success: { status: 202, body: carrierEvents.CarrierEventsReceived } },
  'POST /v1/carrier-events/{carrier}': { fn: 'carrierEvents', tag: 'Carriers', summary: 'Signed tracking events from a carrier (proof of delivery)', auth: 'signed', signatureHeaders: carrierEvents.CarrierSignatureHeaders, path: carrierEvents.CarrierPathParams, body: carrierEvents.CarrierEventBatch, success: { status: 202, body: carrierEvents.CarrierEventsReceived } },
} as const satisfies Record<string, RouteSpec>;
