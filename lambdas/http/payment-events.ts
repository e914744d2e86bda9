import { paymentEventRoutes } from '../../lib/routes/payment-events.js';
import { clock } from '../platform/clock.js';
import { httpFunction } from '../platform/http.js';
import { receivePaymentEvent, verifyPaymentEventRequest } from '../services/payment-events.js';

export const handler = httpFunction(
  paymentEventRoutes,
  {
    'POST /v1/payment-events/{provider}': async ({ path, body }) => ({ body: await receivePaymentEvent(path.provider, body) }),
  },
  { verifySignature: (event, rawBody) => verifyPaymentEventRequest(event.pathParameters?.provider ?? '', event.headers ?? {}, rawBody, Math.floor(clock.now().getTime() / 1000)) },
);
