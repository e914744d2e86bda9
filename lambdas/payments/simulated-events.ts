/**
 * The simulated provider's webhook events (local host and tests), in our own shape:
 * `{ eventId, type: 'chargeback.opened' | 'chargeback.closed', chargebackId, paymentReference, amount, outcome? }`,
 * signed like every webhook of ours (`Aftersale-Signature`). POST /local/payment-events/simulated signs one.
 */
import * as z from 'zod/mini';
import type { ChargebackEvent } from '../domain/chargebacks.js';
import { DomainError } from '../domain/errors.js';
import { MAX_AMOUNT } from '../domain/money.js';
import { SIGNATURE_HEADER } from '../platform/webhook-signature.js';

/**
 * The event's shape, in plain zod/mini: the adapters go into every function that talks to the provider,
 * which must not carry the HTTP contract (lambdas/contract/payment-events.ts documents this schema).
 */
const id = z.string().check(z.minLength(1), z.maxLength(128));
export const SimulatedEventSchema = z.strictObject({
  eventId: id,
  type: z.enum(['chargeback.opened', 'chargeback.closed']),
  chargebackId: id,
  paymentReference: id,
  amount: z.strictObject({ amount: z.int().check(z.minimum(0), z.maximum(MAX_AMOUNT)), currency: z.string().check(z.regex(/^[A-Z]{3}$/)) }),
  outcome: z.optional(z.enum(['WON_BY_BUYER', 'WON_BY_SELLER'])),
});

export const simulatedWebhookSignatureHeader = SIGNATURE_HEADER;

export function parseSimulatedEvent(body: unknown): ChargebackEvent | null {
  const parsed = SimulatedEventSchema.safeParse(body);
  if (!parsed.success) throw new DomainError('VALIDATION_FAILED', 'Not a simulated payment event.', [{ path: 'body', message: 'a simulated chargeback event' }]);
  const event = parsed.data;
  if (event.type === 'chargeback.closed' && !event.outcome) throw new DomainError('VALIDATION_FAILED', 'A closed chargeback says who won.', [{ path: 'body.outcome', message: 'required when closed' }]);
  return {
    eventId: event.eventId,
    kind: event.type === 'chargeback.opened' ? 'CHARGEBACK_OPENED' : 'CHARGEBACK_CLOSED',
    chargebackId: event.chargebackId,
    paymentReference: event.paymentReference,
    amount: event.amount,
    outcome: event.type === 'chargeback.closed' ? (event.outcome ?? null) : null,
  };
}
