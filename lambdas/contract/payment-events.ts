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
