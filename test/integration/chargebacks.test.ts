/**
 * Chargebacks through the payment provider's signed webhook (POST /v1/payment-events/{provider}): the
 * order is marked, no refund is paid through a dispute while it is open, and one won by the buyer is the
 * refund — recorded once in escrow (capped by what is still refundable) and never paid a second time.
 * Escrow and seller-balance invariants are checked after every money move (api.expectEscrowBalanced).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, signWebhook } from '../../lambdas/platform/webhook-signature.js';
import { clock } from '../../lambdas/platform/clock.js';
import { paymentEventSecretOfThisRun, uniqueId, useLocalApi, type Actor } from '../support/local-api.js';
import { ACCEPT, aRefundDispute, usd } from '../support/bodies.js';

const local = useLocalApi();

afterEach(async () => {
  await local.api.resetClock();
});

const PRICE = 2450;

interface OrderView {
  status: string;
  chargeback: { chargebackId: string; status: string; amount: { amount: number }; refunded: { amount: number }; closedAt: string | null } | null;
  cancellation: { refundId: string } | null;
}

type Deal = { orderId: string; buyer: Actor; seller: Actor; order: Record<string, unknown> };

const chargeback = (deal: Deal, type: 'chargeback.opened' | 'chargeback.closed', extra: Record<string, unknown> = {}) => ({
  eventId: uniqueId('evt'),
  type,
  chargebackId: `cb-${deal.orderId}`,
  paymentReference: String(deal.order.paymentReference),
  amount: usd(PRICE),
  ...extra,
});

async function send(body: Record<string, unknown>): Promise<string> {
  const response = await local.api.request<{ outcome: string }>('POST', '/local/payment-events/simulated', { body });
  expect(response.status, response.text).toBe(202);
  return response.body.outcome;
}

/**
 * The timer sweep remembers how far each shard was swept, so a test that sweeps after moving the clock
 * more than once starts later than any sweep before it: what it sets due is then read by its own sweeps.
 */
let nextStart = Date.now() + 86_400_000;
async function startLater(): Promise<void> {
  nextStart += 30 * 86_400_000;
  await local.api.setClock(new Date(nextStart).toISOString());
}

const orderOf = async (deal: Deal) => (await local.api.get<OrderView>(`/v1/orders/${deal.orderId}`, deal.buyer)).body;
const ledgerOf = async (deal: Deal) => (await local.api.get<{ items: { type: string; amount: { amount: number } }[] }>(`/v1/orders/${deal.orderId}/ledger`, deal.buyer)).body.items.map((entry) => [entry.type, entry.amount.amount]);

describe('the payment webhook is signed', () => {
  const post = (body: string, signature: string | undefined, provider = 'simulated') =>
    local.api.request<{ code: string; outcome: string }>('POST', `/v1/payment-events/${provider}`, { rawBody: body, headers: signature ? { [SIGNATURE_HEADER]: signature } : {} });
  const now = () => Math.floor(clock.now().getTime() / 1000);

  it('refuses a wrong signature and a stale one with 401 INVALID_SIGNATURE, and changes nothing', async () => {
    const deal = await local.api.placedOrder();
    const body = JSON.stringify(chargeback(deal, 'chargeback.opened'));
    const secret = paymentEventSecretOfThisRun('simulated');
    expect((await post(body, signWebhook('not the secret', body, now()))).body).toMatchObject({ code: 'INVALID_SIGNATURE' });
    expect((await post(body, signWebhook(secret, `${body} `, now()))).body).toMatchObject({ code: 'INVALID_SIGNATURE' });
    const stale = await post(body, signWebhook(secret, body, now() - 6 * 60));
    expect(stale.status).toBe(401);
    expect(stale.body.code).toBe('INVALID_SIGNATURE');
    expect((await orderOf(deal)).chargeback).toBeNull();
    const signed = await post(body, signWebhook(secret, body, now()));
    expect(signed.status, signed.text).toBe(202);
    expect((await orderOf(deal)).chargeback).toMatchObject({ status: 'OPEN', amount: usd(PRICE) });
  });

  it('applies a replayed event once: the second is DUPLICATE, whatever the order did meanwhile', async () => {
    const deal = await local.api.completedOrder();
    const closed = chargeback(deal, 'chargeback.closed', { outcome: 'WON_BY_BUYER', amount: usd(1000) });
    expect(await send(closed)).toBe('APPLIED');
    expect(await send(closed)).toBe('DUPLICATE');
    expect(await ledgerOf(deal)).toEqual([
      ['HOLD', PRICE],
      ['RELEASE', PRICE],
      ['REVERSAL', 1000],
      ['REFUND', 1000],
    ]);
    await local.api.expectEscrowBalanced(deal.orderId, deal.buyer);
  });

  it("takes only the stage's own provider (the local stage is simulated): a Stripe event here is 404", async () => {
    const deal = await local.api.placedOrder();
    const response = await local.api.request<{ code: string }>('POST', '/local/payment-events/stripe', { body: chargeback(deal, 'chargeback.opened') });
    expect(response.body).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND' });
  });

  it('answers UNMATCHED to a payment no order holds', async () => {
    const deal = await local.api.placedOrder();
    expect(await send({ ...chargeback(deal, 'chargeback.opened'), paymentReference: 'pay_no_order_has_this' })).toBe('UNMATCHED');
  });
});

describe('an open chargeback', () => {
  it('blocks refunds through a dispute with 409 CHARGEBACK_OPEN until the bank decides for the seller', async () => {
    const { api } = local;
    const shipped = await api.shippedOrder();
    // The seller's view of the shipment carries no payment reference: the buyer's does.
    const deal = { ...shipped, order: (await api.get(`/v1/orders/${shipped.orderId}`, shipped.buyer)).body };
    const opened = await api.post<{ disputeId: string }>(`/v1/orders/${deal.orderId}/disputes`, deal.buyer, aRefundDispute(1000));
    expect(opened.status, opened.text).toBe(201);
    expect(await send(chargeback(deal, 'chargeback.opened'))).toBe('APPLIED');
    const refused = await api.post(`/v1/disputes/${opened.body.disputeId}/response`, deal.seller, ACCEPT);
    expect(refused.body).toMatchObject({ status: 409, code: 'CHARGEBACK_OPEN' });
    expect(await ledgerOf(deal)).toEqual([['HOLD', PRICE]]);
    expect(await send(chargeback(deal, 'chargeback.closed', { outcome: 'WON_BY_SELLER' }))).toBe('APPLIED');
    expect((await orderOf(deal)).chargeback).toMatchObject({ status: 'WON_BY_SELLER', refunded: usd(0) });
    const accepted = await api.post(`/v1/disputes/${opened.body.disputeId}/response`, deal.seller, ACCEPT);
    expect(accepted.status, accepted.text).toBe(200);
    expect(await ledgerOf(deal)).toEqual([
      ['HOLD', PRICE],
      ['REFUND', 1000],
    ]);
    await api.expectEscrowBalanced(deal.orderId, deal.buyer);
  });

  it('keeps the first chargeback: a second one of the same payment, and an event that changes nothing, are IGNORED', async () => {
    const { api } = local;
    const deal = await api.completedOrder();
    expect(await send(chargeback(deal, 'chargeback.opened'))).toBe('APPLIED');
    // Another delivery of the same news under a new event id changes nothing.
    expect(await send(chargeback(deal, 'chargeback.opened'))).toBe('IGNORED');
    expect(await send(chargeback(deal, 'chargeback.opened', { chargebackId: `cb-other-${deal.orderId}`, amount: usd(100) }))).toBe('IGNORED');
    expect(await send(chargeback(deal, 'chargeback.closed', { chargebackId: `cb-other-${deal.orderId}`, outcome: 'WON_BY_BUYER', amount: usd(100) }))).toBe('IGNORED');
    expect((await orderOf(deal)).chargeback).toMatchObject({ chargebackId: `cb-${deal.orderId}`, status: 'OPEN', amount: usd(PRICE) });
    expect(await send(chargeback(deal, 'chargeback.closed', { outcome: 'WON_BY_SELLER' }))).toBe('APPLIED');
    expect(await send(chargeback(deal, 'chargeback.closed', { outcome: 'WON_BY_SELLER' }))).toBe('IGNORED');
    expect(await ledgerOf(deal)).toEqual([
      ['HOLD', PRICE],
      ['RELEASE', PRICE],
    ]);
    await api.expectSellerBalanced(deal.seller.userId);
    await api.expectEscrowBalanced(deal.orderId, deal.buyer);
  });

  it("makes a deadline's automatic refund wait (a day at a time) until the bank decided, then applies the rule", async () => {
    const { api } = local;
    const shipped = await api.shippedOrder();
    const deal = { ...shipped, order: (await api.get(`/v1/orders/${shipped.orderId}`, shipped.buyer)).body };
    const opened = await api.post<{ disputeId: string; deadlines: { sellerResponse: string } }>(`/v1/orders/${deal.orderId}/disputes`, deal.buyer, aRefundDispute(1000));
    expect(await send(chargeback(deal, 'chargeback.opened'))).toBe('APPLIED');
    // The seller never answers: the response window's rule would refund the request now.
    await api.setClock(new Date(Date.parse(opened.body.deadlines.sellerResponse) + 60_000).toISOString());
    await api.runJob('timers');
    const waiting = await api.get<{ status: string }>(`/v1/disputes/${opened.body.disputeId}`, deal.buyer);
    expect(waiting.body.status).toBe('AWAITING_SELLER');
    expect(await ledgerOf(deal)).toEqual([['HOLD', PRICE]]);
    expect(await send(chargeback(deal, 'chargeback.closed', { outcome: 'WON_BY_SELLER' }))).toBe('APPLIED');
    await api.moveClock('P1DT1M');
    await api.runJob('timers');
    expect(await ledgerOf(deal)).toEqual([
      ['HOLD', PRICE],
      ['REFUND', 1000],
    ]);
    await api.expectEscrowBalanced(deal.orderId, deal.buyer);
  });

  it('is applied once when the provider delivers it three times at once while the seller accepts a refund', async () => {
    const { api } = local;
    const deal = await api.completedOrder();
    const opened = await api.post<{ disputeId: string }>(`/v1/orders/${deal.orderId}/disputes`, deal.buyer, aRefundDispute(1000));
    const won = chargeback(deal, 'chargeback.closed', { outcome: 'WON_BY_BUYER' });
    const [accepted, ...deliveries] = await Promise.all([
      api.post(`/v1/disputes/${opened.body.disputeId}/response`, deal.seller, ACCEPT),
      ...[1, 2, 3].map(() => local.api.request<{ outcome: string }>('POST', '/local/payment-events/simulated', { body: won })),
    ]);
    expect(deliveries.map((delivery) => delivery?.body.outcome).sort()).toEqual(['APPLIED', 'DUPLICATE', 'DUPLICATE']);
    // Whichever came first, the buyer gets the order total back once: the dispute's 1000 and the chargeback's rest, or the chargeback's all.
    const refunds = (await ledgerOf(deal)).filter(([type]) => type === 'REFUND').map(([, amount]) => Number(amount));
    expect(refunds.reduce((sum, amount) => sum + amount, 0)).toBe(PRICE);
    if (accepted?.status !== 200) expect(refunds).toEqual([PRICE]);
    await api.expectEscrowBalanced(deal.orderId, deal.buyer);
  });

  const cancelledUnderChargeback = async () => {
    const { api } = local;
    await startLater();
    const deal = await api.placedOrder();
    expect((await api.post(`/v1/orders/${deal.orderId}/cancel`, deal.buyer, { reason: 'changed my mind' })).status).toBe(200);
    const refundId = (await orderOf(deal)).cancellation?.refundId;
    expect(await send(chargeback(deal, 'chargeback.opened'))).toBe('APPLIED');
    await api.runJob('timers');
    const waiting = await api.get<{ status: string; attempts: number }>(`/v1/refunds/${refundId}`, deal.buyer);
    expect(waiting.body).toMatchObject({ status: 'REQUESTED', attempts: 0 });
    return { deal, refundId };
  };

  it("holds a cancellation's refund while open, and completes it without paying once the buyer's bank returned all of it", async () => {
    const { api } = local;
    const { deal, refundId } = await cancelledUnderChargeback();
    expect(await send(chargeback(deal, 'chargeback.closed', { outcome: 'WON_BY_BUYER' }))).toBe('APPLIED');
    // The cancellation had refunded everything: the chargeback adds nothing to escrow.
    expect((await orderOf(deal)).chargeback).toMatchObject({ status: 'WON_BY_BUYER', refunded: usd(0) });
    await api.moveClock('P1DT1M');
    await api.runJob('timers');
    const refund = await api.get<{ status: string; attempts: number }>(`/v1/refunds/${refundId}`, deal.buyer);
    // Completed by the chargeback: no attempt, so the provider paid nothing on top of the bank.
    expect(refund.body).toMatchObject({ status: 'COMPLETED', attempts: 0 });
    expect(await ledgerOf(deal)).toEqual([
      ['HOLD', PRICE],
      ['REFUND', PRICE],
    ]);
    await api.expectEscrowBalanced(deal.orderId, deal.buyer);
  });

  it("pays only the rest of a cancellation's refund when the buyer's bank returned part of it, and completes it", async () => {
    const { api } = local;
    const { deal, refundId } = await cancelledUnderChargeback();
    expect(await send(chargeback(deal, 'chargeback.closed', { outcome: 'WON_BY_BUYER', amount: usd(1000) }))).toBe('APPLIED');
    expect((await orderOf(deal)).chargeback).toMatchObject({ status: 'WON_BY_BUYER', amount: usd(1000), refunded: usd(0) });
    await api.moveClock('P1DT1M');
    await api.runJob('timers');
    // Not held for an admin: the rest is owed, and the provider is asked for it.
    const submitted = await api.get<{ status: string; attempts: number }>(`/v1/refunds/${refundId}`, deal.buyer);
    expect(submitted.body).toMatchObject({ status: 'PROCESSING', attempts: 1 });
    await api.moveClock('P4D');
    await api.runJob('timers');
    const settled = await api.get<{ status: string }>(`/v1/refunds/${refundId}`, deal.buyer);
    expect(settled.body, JSON.stringify(settled.body)).toMatchObject({ status: 'COMPLETED', attempts: 1 });
    expect(await ledgerOf(deal)).toEqual([
      ['HOLD', PRICE],
      ['REFUND', PRICE],
    ]);
    await api.expectEscrowBalanced(deal.orderId, deal.buyer);
  });
});

describe('a chargeback won by the buyer is the refund', () => {
  it('after completion: a REVERSAL and a REFUND of the amount, debiting the seller balance, once', async () => {
    const { api } = local;
    const deal = await api.completedOrder();
    expect(await send(chargeback(deal, 'chargeback.opened'))).toBe('APPLIED');
    expect(await send(chargeback(deal, 'chargeback.closed', { outcome: 'WON_BY_BUYER' }))).toBe('APPLIED');
    const order = await orderOf(deal);
    expect(order).toMatchObject({ status: 'CLOSED', chargeback: { status: 'WON_BY_BUYER', refunded: usd(PRICE) } });
    expect(await ledgerOf(deal)).toEqual([
      ['HOLD', PRICE],
      ['RELEASE', PRICE],
      ['REVERSAL', PRICE],
      ['REFUND', PRICE],
    ]);
    const { balance } = await api.expectSellerBalanced(deal.seller.userId);
    expect(balance).toBe(0);
    await api.expectEscrowBalanced(deal.orderId, deal.buyer);
    // Nothing is left to refund: a later dispute cannot pay it again.
    const again = await api.post(`/v1/orders/${deal.orderId}/disputes`, deal.buyer, aRefundDispute(500));
    expect(again.status).toBe(409);
    expect(await ledgerOf(deal)).toHaveLength(4);
  });

  it('counts only what a dispute had not refunded already (capped by what is still refundable)', async () => {
    const { api } = local;
    const deal = await api.completedOrder();
    const opened = await api.post<{ disputeId: string }>(`/v1/orders/${deal.orderId}/disputes`, deal.buyer, aRefundDispute(1000));
    expect((await api.post(`/v1/disputes/${opened.body.disputeId}/response`, deal.seller, ACCEPT)).status).toBe(200);
    expect(await send(chargeback(deal, 'chargeback.closed', { outcome: 'WON_BY_BUYER' }))).toBe('APPLIED');
    expect((await orderOf(deal)).chargeback).toMatchObject({ status: 'WON_BY_BUYER', amount: usd(PRICE), refunded: usd(PRICE - 1000) });
    const refunds = (await ledgerOf(deal)).filter(([type]) => type === 'REFUND').map(([, amount]) => amount);
    expect(refunds).toEqual([1000, PRICE - 1000]);
    // The seller sees each REVERSAL under its cause: the dispute's refund, and the chargeback's (no dispute).
    const balance = await api.get<{ entries: { type: string; orderId: string; amount: { amount: number }; disputeId: string | null }[] }>('/v1/sellers/me/balance', deal.seller);
    const reversals = balance.body.entries.filter((item) => item.orderId === deal.orderId && item.type === 'REVERSAL').map((item) => [item.amount.amount, item.disputeId]);
    expect(reversals.sort()).toEqual([
      [1000, opened.body.disputeId],
      [PRICE - 1000, null],
    ]);
    await api.expectSellerBalanced(deal.seller.userId);
    await api.expectEscrowBalanced(deal.orderId, deal.buyer);
  });

  type DisputeView = { status: string; resolution: { outcome: string; refundAmount: { amount: number } } | null; timeline: { action: string; message: string | null }[] };
  const disputeOf = async (deal: Deal, disputeId: string) => (await local.api.get<DisputeView>(`/v1/disputes/${disputeId}`, deal.buyer)).body;

  it("clamps a dispute's refund agreed afterwards to what the chargeback left, noted in the timeline", async () => {
    const { api } = local;
    const deal = await api.completedOrder();
    const opened = await api.post<{ disputeId: string }>(`/v1/orders/${deal.orderId}/disputes`, deal.buyer, aRefundDispute(1000));
    expect(await send(chargeback(deal, 'chargeback.closed', { outcome: 'WON_BY_BUYER', amount: usd(2000) }))).toBe('APPLIED');
    const accepted = await api.post(`/v1/disputes/${opened.body.disputeId}/response`, deal.seller, ACCEPT);
    expect(accepted.status, accepted.text).toBe(200);
    const dispute = await disputeOf(deal, opened.body.disputeId);
    expect(dispute).toMatchObject({ status: 'RESOLVED', resolution: { outcome: 'REFUNDED', refundAmount: usd(PRICE - 2000) } });
    expect(dispute.timeline.find((item) => item.action === 'REFUND_LIMITED')?.message).toContain(`cb-${deal.orderId}`);
    const refunds = (await ledgerOf(deal)).filter(([type]) => type === 'REFUND').map(([, amount]) => amount);
    expect(refunds).toEqual([2000, PRICE - 2000]);
    await api.expectSellerBalanced(deal.seller.userId);
    await api.expectEscrowBalanced(deal.orderId, deal.buyer);
  });

  it('resolves a dispute the chargeback refunded in full when its deadline applies the request, paying nothing more', async () => {
    const { api } = local;
    await startLater();
    const deal = await api.completedOrder();
    const opened = await api.post<{ disputeId: string }>(`/v1/orders/${deal.orderId}/disputes`, deal.buyer, aRefundDispute(1000));
    expect(await send(chargeback(deal, 'chargeback.closed', { outcome: 'WON_BY_BUYER' }))).toBe('APPLIED');
    const before = await ledgerOf(deal);
    // The seller does not answer: the request applies at the end of the response window.
    await api.moveClock('P5DT1M');
    await api.runJob('timers');
    const dispute = await disputeOf(deal, opened.body.disputeId);
    expect(dispute).toMatchObject({ status: 'RESOLVED', resolution: { outcome: 'REFUNDED', refundAmount: usd(0) } });
    expect(dispute.timeline.map((item) => item.action)).toEqual(expect.arrayContaining(['AUTO_ACCEPTED_NO_SELLER_RESPONSE', 'REFUND_LIMITED']));
    expect(await ledgerOf(deal)).toEqual(before);
    await api.expectSellerBalanced(deal.seller.userId);
    await api.expectEscrowBalanced(deal.orderId, deal.buyer);
  });

  it('before shipment: a REFUND of what escrow holds, and the order closes', async () => {
    const { api } = local;
    const deal = await api.placedOrder();
    expect(await send(chargeback(deal, 'chargeback.closed', { outcome: 'WON_BY_BUYER' }))).toBe('APPLIED');
    expect((await orderOf(deal)).status).toBe('CLOSED');
    expect(await ledgerOf(deal)).toEqual([
      ['HOLD', PRICE],
      ['REFUND', PRICE],
    ]);
    expect((await api.post(`/v1/orders/${deal.orderId}/shipment`, deal.seller, { carrier: 'UPS', trackingNumber: '1Z999AA10123456784', estimatedDeliveryAt: new Date(Date.now() + 5 * 86_400_000).toISOString() })).status).toBe(409);
    await api.expectEscrowBalanced(deal.orderId, deal.buyer);
  });
});
