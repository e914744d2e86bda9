/**
 * The payment-provider port (DOMAIN.md "Money and escrow"): the one place the platform talks to whoever
 * actually moves the money. Two adapters, chosen by the stage's configuration (`PAYMENT_PROVIDER`):
 * `simulated` (the local host and the tests) and `stripe`.
 */
import type { ChargebackEvent } from '../domain/chargebacks.js';
import type { Money } from '../domain/money.js';
import type { Write } from '../store/transactions.js';

export const PAYMENT_PROVIDERS = ['simulated', 'stripe'] as const;
export type PaymentProviderName = (typeof PAYMENT_PROVIDERS)[number];

/** What an order needs of the payment that backs it. */
export interface ExpectedPayment {
  buyerId: string;
  amount: Money;
}

/**
 * `verified`: the provider holds (or took) exactly this amount from this buyer, provided `writes` commit
 * in the order's transaction — what the provider's own records need to hold and to become (the simulated
 * provider binds a reference there; Stripe needs nothing). Their guard `paymentBound` failing answers as
 * `unknown` does. `declined`: the provider refused the payment. `unknown`: no such payment for this buyer
 * and amount — a made-up reference and another buyer's real one get this same answer, so a reference's
 * existence is never revealed.
 */
export type Verification = { outcome: 'verified'; writes: readonly Write[] } | { outcome: 'declined' } | { outcome: 'unknown' };

export interface RefundRequest {
  /** Ours: the provider's idempotency key, so a repeated attempt never pays twice. */
  refundId: string;
  reference: string;
  amount: Money;
}

/** A refund handed to the provider, or refused by it (worth another attempt later). */
export type RefundAttempt = { outcome: 'submitted'; providerRefundId: string } | { outcome: 'failed'; reason: string };

/** Where a submitted refund is at the provider. */
export type RefundSettlement = 'settled' | 'pending' | 'failed';

export interface PaymentProvider {
  readonly name: PaymentProviderName;
  verify(reference: string, expected: ExpectedPayment, now: string): Promise<Verification>;
  refund(request: RefundRequest): Promise<RefundAttempt>;
  settlement(providerRefundId: string): Promise<RefundSettlement>;
  /** The header its webhooks carry `t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` in (platform/webhook-signature.ts). */
  readonly webhookSignatureHeader: string;
  /**
   * A signed webhook's body (POST /v1/payment-events/{provider}) as what matters to us: a chargeback
   * opened or closed; null for any other event the provider sends (answered 202, ignored). Throws a
   * VALIDATION_FAILED DomainError for a chargeback event it cannot read.
   */
  parseEvent(body: unknown): ChargebackEvent | null;
}
