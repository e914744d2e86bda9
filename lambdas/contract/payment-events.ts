/** The payment providers' signed webhook (API: `POST /v1/payment-events/{provider}`): chargebacks. */
import * as z from 'zod/mini';
import { PAYMENT_PROVIDERS } from '../payments/port.js';
import { SimulatedEventSchema } from '../payments/simulated-events.js';
import { StripeEventSchema } from '../payments/stripe-events.js';
import { described } from './shared.js';

export const PaymentProviderPathParams = z.strictObject({ provider: z.enum(PAYMENT_PROVIDERS) });

/** The schemas are the adapters' own (lambdas/payments/), documented here for the OpenAPI document. */
export const SimulatedPaymentEvent = described(SimulatedEventSchema, {
  id: 'SimulatedPaymentEvent',
  description: "The simulated provider's chargeback event (local host and tests); `outcome` (WON_BY_BUYER | WON_BY_SELLER) is required when closed.",
});

export const StripeEvent = described(StripeEventSchema, {
  id: 'StripeEvent',
  description: "A Stripe event as Stripe sends it: charge.dispute.created and charge.dispute.closed are read (data.object is the Dispute, matched by payment_intent); any other type is IGNORED.",
});

export const PaymentEventBody = z.union([SimulatedPaymentEvent, StripeEvent]);

export const PaymentEventReceived = described(
  z.object({
    outcome: described(z.enum(['APPLIED', 'DUPLICATE', 'UNMATCHED', 'IGNORED']), {
      description: 'APPLIED: the order it names took it; DUPLICATE: its event id was seen before (a no-op); UNMATCHED: no order holds that payment; IGNORED: not a chargeback event.',
    }),
  }),
  { id: 'PaymentEventReceived' },
);

/**
 * Which header signs depends on the stage's provider (a path value OpenAPI cannot branch on): Stripe's on a
 * Stripe stage, ours on the simulated one. Both are listed, neither required by the document; a missing or
 * wrong one is still 401 INVALID_SIGNATURE.
 */
export const PaymentSignatureHeaders = z.object({
  'stripe-signature': z.optional(
    described(z.string(), {
      description: "Stripe's `t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\">` with the endpoint's signing secret (the `stripe` provider); refused (401 INVALID_SIGNATURE) when missing, wrong, or more than 5 minutes from our clock.",
      example: 't=1764590400,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
    }),
  ),
  'aftersale-signature': z.optional(
    described(z.string(), {
      description: 'The same scheme under our header name, for the `simulated` provider (local host and tests).',
      example: 't=1764590400,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
    }),
  ),
});
