/**
 * The simulated provider (local host and tests). A reference `pay_…` is authorized by the first order
 * that commits with it and bound to that buyer, amount and currency; `pay_declined_…` is declined;
 * anything else is unknown. Verifying costs no call: the binding is a guarded write the order's
 * transaction carries (store/payments.ts), and a binding to someone or something else fails that guard,
 * which placement answers as it answers an unknown reference. Refunds are accepted unless
 * POST /local/payments/failures asked for failures, and settle after one business day (the refund's
 * next check is due then: domain/refunds.ts).
 */
import { simulatedPaymentBinding, takeSimulatedFailure } from '../store/payments.js';
import { parseSimulatedEvent, simulatedWebhookSignatureHeader } from './simulated-events.js';
import type { PaymentProvider } from './port.js';

/** What a simulated payment reference looks like: the Stripe-like prefix and a short token. */
const REFERENCE = /^pay_[A-Za-z0-9_-]{1,100}$/;

export const simulatedProvider: PaymentProvider = {
  name: 'simulated',
  async verify(reference, expected, now) {
    if (!REFERENCE.test(reference)) return { outcome: 'unknown' };
    if (reference.startsWith('pay_declined_')) return { outcome: 'declined' };
    return { outcome: 'verified', writes: [simulatedPaymentBinding({ reference, buyerId: expected.buyerId, amount: expected.amount, authorizedAt: now })] };
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
