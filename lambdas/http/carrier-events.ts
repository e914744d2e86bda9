import { carrierEventRoutes } from '../../lib/routes/carrier-events.js';
import { fromAfterShip } from '../domain/carrier-events.js';
import { DomainError } from '../domain/errors.js';
import { verifyCarrierRequest } from '../platform/carriers.js';
import { clock } from '../platform/clock.js';
import { carriers, type CarrierSlug } from '../platform/config.js';
import { httpFunction } from '../platform/http.js';
import { receiveCarrierEvents } from '../services/carrier-events.js';

/** The carrier a request speaks for: the path's slug, or the literal segment of AfterShip's route. */
function carrierOf(path: string | undefined, routeKey: string): CarrierSlug {
  const slug = path ?? routeKey.split('/').at(-1) ?? '';
  if (!Object.hasOwn(carriers, slug)) throw new DomainError('VALIDATION_FAILED', 'Unknown carrier.', [{ path: 'path.carrier', message: `one of ${Object.keys(carriers).join(', ')}` }]);
  return slug as CarrierSlug;
}

export const handler = httpFunction(
  carrierEventRoutes,
  {
    'POST /v1/carrier-events/aftership': async ({ body }) => ({ body: await receiveCarrierEvents('aftership', fromAfterShip(body)) }),
    'POST /v1/carrier-events/{carrier}': async ({ path, body }) => ({
      body: await receiveCarrierEvents(path.carrier, body.events.map((event) => ({ ...event, location: event.location ?? null, signedBy: event.signedBy ?? null }))),
    }),
  },
  { verifySignature: (event, rawBody) => verifyCarrierRequest(carrierOf(event.pathParameters?.carrier, event.routeKey), event.headers ?? {}, rawBody, Math.floor(clock.now().getTime() / 1000)) },
);
