/**
 * The payment providers' signed webhook (POST /v1/payment-events/{provider}): chargebacks. Only the
 * stage's own provider is heard (a stage on Stripe takes no simulated events). The signature is checked
 * over the raw body with the provider's webhook secret, like the carriers' (platform/webhook-signature.ts);
 * each event is applied once, its record written in the same transaction as its effect on the order.
 */
import { applyChargebackEvent, otherChargeback } from '../domain/chargebacks.js';
import { DomainError } from '../domain/errors.js';
import { paymentProvider } from '../payments/provider.js';
import { PAYMENT_PROVIDERS, type PaymentProvider } from '../payments/port.js';
import { env } from '../platform/config.js';
import { logger } from '../platform/logger.js';
import { namedSecrets } from '../platform/secrets.js';
import { verifyWebhook } from '../platform/webhook-signature.js';
import { getOrder, transitionWrites } from '../store/orders.js';
import { orderIdOfPayment, paymentEventSeen } from '../store/payment-events.js';
import { runCommand } from './command.js';

export type PaymentEventOutcome = 'APPLIED' | 'DUPLICATE' | 'UNMATCHED' | 'IGNORED';

/** The provider's webhook signing secret, read once per cold start (a failed read is tried again next time). */
export const paymentEventSecret: (provider: string) => Promise<string> = namedSecrets(env.PAYMENT_EVENT_SECRET_ARNS, env.PAYMENT_EVENT_SECRETS, 'payment provider');

/**
 * The stage's provider, if the path names it: a name no provider has is a bad path (checked here, before
 * the route's validation, because the signature is checked first); another provider is answered like a
 * route that does not exist.
 */
function stageProvider(provider: string): PaymentProvider {
  if (!(PAYMENT_PROVIDERS as readonly string[]).includes(provider)) throw new DomainError('VALIDATION_FAILED', 'Unknown payment provider.', [{ path: 'path.provider', message: `one of ${PAYMENT_PROVIDERS.join(', ')}` }]);
  const adapter = paymentProvider();
  if (adapter.name !== provider) throw new DomainError('ROUTE_NOT_FOUND', `This stage takes payment events from ${adapter.name} only.`);
  return adapter;
}

/** Refuses (401) a request the provider did not sign, or signed more than 5 minutes from now. */
export async function verifyPaymentEventRequest(provider: string, headers: Readonly<Record<string, string | undefined>>, body: string, nowSeconds: number): Promise<void> {
  const adapter = stageProvider(provider);
  const check = verifyWebhook(headers[adapter.webhookSignatureHeader], body, await paymentEventSecret(provider), nowSeconds);
  if (check === 'stale') throw new DomainError('INVALID_SIGNATURE', 'The signature is more than 5 minutes old (or ahead); sign again with the current time.');
  if (check !== 'valid') throw new DomainError('INVALID_SIGNATURE', 'The request is not signed by this payment provider.');
}

/**
 * Applies one event: finds the order its payment backs and lets the chargeback rules decide, writing the
 * event's record (`paymentEventUnseen`) with the change (APPLIED), or alone when the change is nothing
 * (IGNORED: a state the order already has, or another chargeback than the order's) — so a replay is
 * DUPLICATE whatever it said.
 */
export async function receivePaymentEvent(provider: string, body: unknown): Promise<{ outcome: PaymentEventOutcome }> {
  const event = stageProvider(provider).parseEvent(body);
  if (!event) return { outcome: 'IGNORED' };
  const orderId = await orderIdOfPayment(provider, event.paymentReference);
  return runCommand<Awaited<ReturnType<typeof getOrder>>, { outcome: PaymentEventOutcome }>({
    subject: 'order',
    load: () => (orderId ? getOrder(orderId) : Promise.resolve(undefined)),
    decide: (order, now) => {
      const seen = paymentEventSeen({ provider, eventId: event.eventId, orderId: order?.orderId ?? null, receivedAt: now });
      if (!order) return { writes: [seen], result: { outcome: 'UNMATCHED' } };
      const transition = applyChargebackEvent(order, event, provider, now);
      if (transition) return { writes: [seen, ...transitionWrites(order.version, transition)], result: { outcome: 'APPLIED' } };
      // A second chargeback of the same payment is not ours to merge: someone looks at it with the provider.
      const other = otherChargeback(order, event) ? { chargebackId: event.chargebackId, kept: order.chargeback?.chargebackId, orderId: order.orderId, provider } : null;
      return { writes: [seen], result: { outcome: 'IGNORED' }, afterCommit: other ? [() => logger.warn('Chargeback ignored: the order already carries another one', other)] : [] };
    },
    alreadyDone: { guards: ['paymentEventUnseen'], result: { outcome: 'DUPLICATE' } },
  });
}
