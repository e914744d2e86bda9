/** The payment providers' signed webhook (API: `POST /v1/payment-events/{provider}`): chargebacks. */
import * as z from 'zod/mini';
import { CHARGEBACK_STATUSES } from '../domain/chargebacks.js';
import { PAYMENT_PROVIDERS } from '../payments/port.js';
import { Money, described, text } from './shared.js';

export const PaymentProviderPathParams = z.strictObject({ provider: z.enum(PAYMENT_PROVIDERS) });

const outcomes = CHARGEBACK_STATUSES.filter((status) => status !== 'OPEN') as ['WON_BY_BUYER', 'WON_BY_SELLER'];

/** The simulated provider's event (local host and tests). */
export const SimulatedPaymentEvent = described(
  z.strictObject({
    eventId: text(1, 128),
    type: z.enum(['chargeback.opened', 'chargeback.closed']),
    chargebackId: text(1, 128),
    paymentReference: text(1, 128),
    amount: Money,
    outcome: described(z.optional(z.enum(outcomes)), { description: 'chargeback.closed: who the bank decided for.' }),
  }),
  { id: 'SimulatedPaymentEvent' },
);

/** A Stripe event as Stripe sends it (only `id`, `type` and `data.object` are read; other fields pass). */
export const StripeEvent = described(
  z.looseObject({
    id: z.string().check(z.minLength(1), z.maxLength(255)),
    object: z.optional(z.literal('event')),
    type: z.string().check(z.minLength(1), z.maxLength(255)),
    data: z.looseObject({ object: z.looseObject({}) }),
  }),
  { id: 'StripeEvent' },
);

/** Stripe's Dispute object, the fields we read. */
export const StripeDispute = z.looseObject({
  id: z.string().check(z.regex(/^(dp|du)_[A-Za-z0-9]{1,200}$/)),
  amount: z.int().check(z.minimum(0)),
  currency: z.string().check(z.regex(/^[a-z]{3}$/)),
  payment_intent: z.string().check(z.regex(/^pi_[A-Za-z0-9]{1,200}$/)),
  status: z.string(),
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
