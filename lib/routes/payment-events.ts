/**
 * The payment providers' webhook route (no JWT: `auth: 'signed'`, the function checks the provider's
 * signature): chargebacks opened and closed (domain/chargebacks.ts).
 */
import * as paymentEvents from '../../lambdas/contract/payment-events.js';
import type { RouteSpec } from './spec.js';

export const paymentEventRoutes = {
  'POST /v1/payment-events/{provider}': {
    fn: 'paymentEvents',
    tag: 'Payments',
    summary: "A payment provider's signed webhook: chargebacks opened and closed (Stripe charge.dispute.created/closed, or the simulated provider's)",
    auth: 'signed',
    signatureHeaders: paymentEvents.PaymentSignatureHeaders,
    path: paymentEvents.PaymentProviderPathParams,
    body: paymentEvents.PaymentEventBody,
    success: { status: 202, body: paymentEvents.PaymentEventReceived },
  },
} as const satisfies Record<string, RouteSpec>;
