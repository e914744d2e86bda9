import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STRIPE_API, stripeProvider } from '../../lambdas/payments/stripe.js';

/** Stripe's responses in its documented shapes (test/fixtures/stripe); no test reaches the network. */
const recorded = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/stripe/${name}.json`, import.meta.url), 'utf8'));

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

function stripeAnswering(...answers: [status: number, fixture: string][]) {
  const sent: Sent[] = [];
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    sent.push({ url: String(url), method: init?.method ?? 'GET', headers: init?.headers as Record<string, string>, body: init?.body as string | undefined });
    const [status, fixture] = answers.shift() ?? [500, 'resource-missing'];
    return new Response(JSON.stringify(recorded(fixture)), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof globalThis.fetch;
  const provider = stripeProvider({ secretKey: async () => 'sk_test_key', fetch });
  return { provider, sent };
}

const buyer1 = { buyerId: 'buyer-1', amount: { amount: 2450, currency: 'USD' } };
const NOW = '2026-12-01T12:00:00.000Z';
const PI = 'pi_3QaBcDEfGhIjKlMn0aBcDeFg';

describe('the Stripe adapter: verifying a PaymentIntent on placement', () => {
  it('verifies a succeeded intent of this amount, currency and buyer, read with the secret key, with nothing of ours to write', async () => {
    const { provider, sent } = stripeAnswering([200, 'payment-intent-succeeded']);
    expect(await provider.verify(PI, buyer1, NOW)).toEqual({ outcome: 'verified', writes: [] });
    expect(sent).toMatchObject([{ url: `${STRIPE_API}/payment_intents/${PI}`, method: 'GET', headers: { authorization: 'Bearer sk_test_key' } }]);
  });

  it("answers another buyer's intent, another amount or another currency as unknown", async () => {
    for (const expected of [{ ...buyer1, buyerId: 'buyer-2' }, { ...buyer1, amount: { amount: 2451, currency: 'USD' } }, { ...buyer1, amount: { amount: 2450, currency: 'EUR' } }]) {
      const { provider } = stripeAnswering([200, 'payment-intent-succeeded']);
      expect(await provider.verify(PI, expected, NOW)).toEqual({ outcome: 'unknown' });
    }
  });

  it("answers a declined intent as declined for its buyer, and as unknown for another (nothing revealed)", async () => {
    expect(await stripeAnswering([200, 'payment-intent-requires-payment-method']).provider.verify('pi_3QaBcDEfGhIjKlMn1dEcLiNe', buyer1, NOW)).toEqual({ outcome: 'declined' });
    expect(await stripeAnswering([200, 'payment-intent-requires-payment-method']).provider.verify('pi_3QaBcDEfGhIjKlMn1dEcLiNe', { ...buyer1, buyerId: 'buyer-2' }, NOW)).toEqual({ outcome: 'unknown' });
  });

  it('answers a missing intent as unknown, and refuses to call Stripe for something that is not an intent id', async () => {
    expect(await stripeAnswering([404, 'resource-missing']).provider.verify('pi_3QaBcDEfGhIjKlMnNoSuChPi', buyer1, NOW)).toEqual({ outcome: 'unknown' });
    const { provider, sent } = stripeAnswering();
    expect(await provider.verify('pi_x/../../charges', buyer1, NOW)).toEqual({ outcome: 'unknown' });
    expect(await provider.verify('x', buyer1, NOW)).toEqual({ outcome: 'unknown' });
    expect(sent).toEqual([]);
  });

  it('throws when Stripe itself fails, so an outage is not taken for a bad reference', async () => {
    await expect(stripeAnswering([500, 'resource-missing']).provider.verify(PI, buyer1, NOW)).rejects.toThrow(/Stripe/);
  });
});

describe('the Stripe adapter: refunds', () => {
  const request = { refundId: 'rfd_01ARZ3NDEKTSV4RRFFQ69G5FB3', reference: PI, amount: { amount: 1200, currency: 'USD' } };

  it('creates the refund with our refund id as the Idempotency-Key, and reports it submitted', async () => {
    const { provider, sent } = stripeAnswering([200, 'refund-pending']);
    expect(await provider.refund(request)).toEqual({ outcome: 'submitted', providerRefundId: 're_3QaBcDEfGhIjKlMn0rEfUnDa' });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ url: `${STRIPE_API}/refunds`, method: 'POST', headers: { 'idempotency-key': request.refundId, 'content-type': 'application/x-www-form-urlencoded' } });
    expect(Object.fromEntries(new URLSearchParams(sent[0]?.body))).toEqual({ payment_intent: PI, amount: '1200', 'metadata[refundId]': request.refundId });
  });

  it('reports a refused or failed refund as a failed attempt, with the reason', async () => {
    expect(await stripeAnswering([400, 'charge-already-refunded']).provider.refund(request)).toEqual({ outcome: 'failed', reason: expect.stringContaining('already been refunded') });
    expect(await stripeAnswering([200, 'refund-failed']).provider.refund(request)).toEqual({ outcome: 'failed', reason: 'expired_or_canceled_card' });
  });

  it('reads a submitted refund back: pending, settled or failed', async () => {
    const { provider, sent } = stripeAnswering([200, 'refund-pending'], [200, 'refund-succeeded'], [200, 'refund-failed']);
    expect(await provider.settlement('re_3QaBcDEfGhIjKlMn0rEfUnDa')).toBe('pending');
    expect(await provider.settlement('re_3QaBcDEfGhIjKlMn0rEfUnDa')).toBe('settled');
    expect(await provider.settlement('re_3QaBcDEfGhIjKlMn1fAiLeD0')).toBe('failed');
    expect(sent.map((call) => `${call.method} ${call.url}`)).toEqual([
      `GET ${STRIPE_API}/refunds/re_3QaBcDEfGhIjKlMn0rEfUnDa`,
      `GET ${STRIPE_API}/refunds/re_3QaBcDEfGhIjKlMn0rEfUnDa`,
      `GET ${STRIPE_API}/refunds/re_3QaBcDEfGhIjKlMn1fAiLeD0`,
    ]);
  });
});
