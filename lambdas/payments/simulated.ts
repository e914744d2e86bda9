/**
 * The simulated provider (local host and tests). A reference `pay_…` is authorized on first use and
 * bound to that buyer, amount and currency; `pay_declined_…` is declined; anything else is unknown.
 * Refunds are accepted unless POST /local/payments/failures asked for failures, and settle after one
 * business day (the refund's next check is due then: domain/refunds.ts).
 */
import { bindSimulatedPayment, takeSimulatedFailure } from '../store/payments.js';
import { parseSimulatedEvent, simulatedWebhookSignatureHeader } from './simulated-events.js';
import type { PaymentProvider } from './port.js';

/** What a simulated payment reference looks like: the Stripe-like prefix and a short token. */
const REFERENCE = /^pay_[A-Za-z0-9_-]{1,100}$/;

export const simulatedProvider: PaymentProvider = {
  name: 'simulated',
  async verify(reference, expected, now) {
    if (!REFERENCE.test(reference)) return 'unknown';
    if (reference.startsWith('pay_declined_')) return 'declined';
    const bound = await bindSimulatedPayment({ reference, buyerId: expected.buyerId, amount: expected.amount, authorizedAt: now });
    const matches = bound.buyerId === expected.buyerId && bound.amount.amount === expected.amount.amount && bound.amount.currency === expected.amount.currency;
    return matches ? 'verified' : 'unknown';
  },
  async refund(request) {
    if (await takeSimulatedFailure()) return { outcome: 'failed', reason: 'simulated failure (POST /local/payments/failures)' };
    return { outcome: 'submitted', providerRefundId: `sim_re_${request.refundId}` };
  },
  // Asked only once the settlement time has passed, which is all the simulation models.
  settlement: async () => 'settled',
  webhookSignatureHeader: simulatedWebhookSignatureHeader,
  parseEvent: parseSimulatedEvent,
};
