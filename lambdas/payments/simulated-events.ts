/**
 * The simulated provider's webhook events (local host and tests), in our own shape:
 * `{ eventId, type: 'chargeback.opened' | 'chargeback.closed', chargebackId, paymentReference, amount, outcome? }`,
 * signed like every webhook of ours (`Aftersale-Signature`). POST /local/payment-events/simulated signs one.
 */
import type { ChargebackEvent } from '../domain/chargebacks.js';
import { DomainError } from '../domain/errors.js';
import { SimulatedPaymentEvent } from '../contract/payment-events.js';
import { SIGNATURE_HEADER } from '../platform/webhook-signature.js';

export const simulatedWebhookSignatureHeader = SIGNATURE_HEADER;

export function parseSimulatedEvent(body: unknown): ChargebackEvent | null {
  const parsed = SimulatedPaymentEvent.safeParse(body);
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
