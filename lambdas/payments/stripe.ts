/**
 * The Stripe adapter: a small fetch client for the three calls the port needs (decision
 * 023-payment-provider: the `stripe` package would weigh more than all of the orders function).
 * PaymentIntents are verified on placement — succeeded or authorized (requires_capture), our amount and
 * currency, and our buyer id in `metadata.buyerId`, which the checkout that created the intent set — and
 * refunds go through the Refunds API with our refund id as the Idempotency-Key.
 */
import { parseStripeEvent, STRIPE_SIGNATURE_HEADER } from './stripe-events.js';
import type { PaymentProvider, RefundSettlement, Verification } from './port.js';

export const STRIPE_API = 'https://api.stripe.com/v1';

/** The ids Stripe issues; anything else is refused before it could reach a URL path. */
const PAYMENT_INTENT = /^pi_[A-Za-z0-9]{1,200}$/;
const REFUND = /^re_[A-Za-z0-9]{1,200}$/;

interface PaymentIntent {
  id: string;
  amount: number;
  currency: string;
  status: string;
  metadata?: Record<string, string>;
}

interface StripeRefund {
  id: string;
  status: string;
  failure_reason?: string | null;
}

export interface StripeOptions {
  /** The secret API key (Secrets Manager in AWS: lambdas/payments/provider.ts). */
  secretKey: () => Promise<string>;
  /** Injected so tests answer with recorded responses and never reach the network. */
  fetch?: typeof fetch;
}

const UNKNOWN: Verification = { outcome: 'unknown' };

const settlementOf = (status: string): RefundSettlement => (status === 'succeeded' ? 'settled' : status === 'failed' || status === 'canceled' ? 'failed' : 'pending');

export function stripeProvider(options: StripeOptions): PaymentProvider {
  const send = options.fetch ?? fetch;
  async function call<T>(method: 'GET' | 'POST', path: string, form?: Record<string, string>, idempotencyKey?: string): Promise<{ ok: true; body: T } | { ok: false; status: number; message: string }> {
    const headers: Record<string, string> = { authorization: `Bearer ${await options.secretKey()}` };
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const response = await send(`${STRIPE_API}${path}`, { method, headers, ...(form && { body: new URLSearchParams(form).toString() }) });
    const body = (await response.json()) as T & { error?: { message?: string } };
    return response.ok ? { ok: true, body } : { ok: false, status: response.status, message: body.error?.message ?? `HTTP ${response.status}` };
  }

  return {
    name: 'stripe',
    webhookSignatureHeader: STRIPE_SIGNATURE_HEADER,
    parseEvent: parseStripeEvent,
    async verify(reference, expected) {
      if (!PAYMENT_INTENT.test(reference)) return UNKNOWN;
      const read = await call<PaymentIntent>('GET', `/payment_intents/${reference}`);
      if (!read.ok) {
        // Not found (or not ours to read) is the buyer's mistake; Stripe being down is not, and must not pass as it.
        if (read.status === 404) return UNKNOWN;
        throw new Error(`Stripe refused to read a PaymentIntent: ${read.message}`);
      }
      const intent = read.body;
      // Another buyer's intent is "unknown" whatever its state: its existence is not revealed.
      if (intent.metadata?.buyerId !== expected.buyerId) return UNKNOWN;
      if (intent.status === 'canceled' || intent.status === 'requires_payment_method') return { outcome: 'declined' };
      const paid = intent.status === 'succeeded' || intent.status === 'requires_capture';
      const sameMoney = intent.amount === expected.amount.amount && intent.currency.toUpperCase() === expected.amount.currency;
      // Stripe's answer is the whole verification: nothing of ours to write with the order.
      return paid && sameMoney ? { outcome: 'verified', writes: [] } : UNKNOWN;
    },
    async refund(request) {
      if (!PAYMENT_INTENT.test(request.reference)) return { outcome: 'failed', reason: 'not a Stripe PaymentIntent' };
      const created = await call<StripeRefund>(
        'POST',
        '/refunds',
        { payment_intent: request.reference, amount: String(request.amount.amount), 'metadata[refundId]': request.refundId },
        request.refundId,
      );
      if (!created.ok) return { outcome: 'failed', reason: created.message };
      if (settlementOf(created.body.status) === 'failed') return { outcome: 'failed', reason: created.body.failure_reason ?? created.body.status };
      return { outcome: 'submitted', providerRefundId: created.body.id };
    },
    async settlement(providerRefundId) {
      if (!REFUND.test(providerRefundId)) throw new Error(`Not a Stripe refund id: ${providerRefundId}`);
      const read = await call<StripeRefund>('GET', `/refunds/${providerRefundId}`);
      if (!read.ok) throw new Error(`Stripe refused to read a refund: ${read.message}`);
      return settlementOf(read.body.status);
    },
  };
}
