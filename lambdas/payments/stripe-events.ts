/**
 * Stripe's webhook events (`Stripe-Signature: t=…,v1=…`, the same HMAC-SHA256 over "t.payload" as ours):
 * `charge.dispute.created` opens a chargeback, `charge.dispute.closed` closes it — `lost` means the
 * buyer's bank won (the money went back to the buyer), `won` and `warning_closed` (an inquiry that never
 * became a chargeback) that it stays with us. The dispute names the PaymentIntent our order holds as its
 * payment reference. Every other event type is ignored.
 */
import * as z from 'zod/mini';
import type { ChargebackEvent, ChargebackOutcome } from '../domain/chargebacks.js';
import { DomainError } from '../domain/errors.js';
import { MAX_AMOUNT } from '../domain/money.js';

/** A Stripe event as Stripe sends it: only `id`, `type` and `data.object` are read; other fields pass (plain zod/mini, like the simulated one's). */
export const StripeEventSchema = z.looseObject({
  id: z.string().check(z.minLength(1), z.maxLength(255)),
  type: z.string().check(z.minLength(1), z.maxLength(255)),
  data: z.looseObject({ object: z.looseObject({}) }),
});

/** Stripe's Dispute object, the fields we read. */
const StripeDispute = z.looseObject({
  id: z.string().check(z.regex(/^(dp|du)_[A-Za-z0-9]{1,200}$/)),
  // Capped like every amount we take in (and like the simulated provider's), so no event carries an unsafe sum.
  amount: z.int().check(z.minimum(0), z.maximum(MAX_AMOUNT)),
  currency: z.string().check(z.regex(/^[a-z]{3}$/)),
  payment_intent: z.string().check(z.regex(/^pi_[A-Za-z0-9]{1,200}$/)),
  status: z.string(),
});

export const STRIPE_SIGNATURE_HEADER = 'stripe-signature';

const OUTCOMES: Readonly<Record<string, ChargebackOutcome>> = { lost: 'WON_BY_BUYER', won: 'WON_BY_SELLER', warning_closed: 'WON_BY_SELLER' };

const unreadable = (message: string) => new DomainError('VALIDATION_FAILED', `Not a Stripe dispute event we can read: ${message}.`, [{ path: 'body.data.object', message }]);

export function parseStripeEvent(body: unknown): ChargebackEvent | null {
  const event = StripeEventSchema.safeParse(body);
  if (!event.success) throw unreadable('an event object');
  const kind = event.data.type === 'charge.dispute.created' ? 'CHARGEBACK_OPENED' : event.data.type === 'charge.dispute.closed' ? 'CHARGEBACK_CLOSED' : null;
  if (!kind) return null;
  const dispute = StripeDispute.safeParse(event.data.data.object);
  if (!dispute.success) throw unreadable('a dispute with its payment_intent, amount and currency');
  const { id, amount, currency, payment_intent: paymentIntent, status } = dispute.data;
  const outcome = kind === 'CHARGEBACK_CLOSED' ? OUTCOMES[status] : null;
  if (outcome === undefined) throw unreadable(`a closed dispute's status (${status})`);
  return { eventId: event.data.id, kind, chargebackId: id, paymentReference: paymentIntent, amount: { amount, currency: currency.toUpperCase() }, outcome };
}
