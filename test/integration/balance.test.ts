/**
 * The seller balance (DOMAIN.md "Money and escrow"): every RELEASE credits it, every REVERSAL debits it,
 * every COMPENSATION credits it, each written with the ledger entry or decision that causes it; per seller
 * balance = Σ RELEASE − Σ REVERSAL + Σ COMPENSATION (api.expectSellerBalanced, also run by every
 * api.expectEscrowBalanced of the suite), under races and refunds failing at random too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { balanceWrites } from '../../lambdas/store/balance.js';
import { transact } from '../../lambdas/store/transactions.js';
import { anOrder, aShipment, PNG_BYTES, useLocalApi, type Actor, type BalanceEntryBody } from '../support/local-api.js';
import { ACCEPT, aRefundDispute, usd } from '../support/bodies.js';

const local = useLocalApi();

afterEach(async () => {
  await local.api.resetClock();
});

const PRICE = 2450;

interface BalanceBody {
  balance: { amount: number; currency: string };
  entries: BalanceEntryBody[];
  nextCursor: string | null;
}

async function balanceOf(seller: Actor, query = ''): Promise<BalanceBody> {
  const response = await local.api.get<BalanceBody>(`/v1/sellers/me/balance${query}`, seller);
  expect(response.status, response.text).toBe(200);
  return response.body;
}

/** An order of the seller's listing by a new buyer, shipped. */
async function shippedOrderOf(seller: Actor, productId: string): Promise<{ buyer: Actor; orderId: string; protectionEndsAt: string }> {
  const { api } = local;
  const buyer = await api.actor('buyer');
  const placed = await api.post<{ orderId: string }>('/v1/orders', buyer, anOrder(productId));
  expect(placed.status, placed.text).toBe(201);
  const shipped = await api.post<{ protectionEndsAt: string }>(`/v1/orders/${placed.body.orderId}/shipment`, seller, aShipment());
  expect(shipped.status, shipped.text).toBe(200);
  return { buyer, orderId: placed.body.orderId, protectionEndsAt: shipped.body.protectionEndsAt };
}

/** A refund the seller accepts on a completed order: a REVERSAL of `amount` (escrow holds nothing any more). */
async function refundAfterCompletion(order: { buyer: Actor; orderId: string }, seller: Actor, amount: number): Promise<string> {
  const { api } = local;
  const opened = await api.post<{ disputeId: string }>(`/v1/orders/${order.orderId}/disputes`, order.buyer, aRefundDispute(amount));
  expect(opened.status, opened.text).toBe(201);
  const accepted = await api.post(`/v1/disputes/${opened.body.disputeId}/response`, seller, ACCEPT);
  expect(accepted.status, accepted.text).toBe(200);
  return opened.body.disputeId;
}

describe('the seller balance', () => {
  it('is zero with no entries for a seller never paid', async () => {
    const seller = await local.api.actor('seller');
    expect(await balanceOf(seller)).toEqual({ balance: usd(0), entries: [], nextCursor: null });
  });

  it('is credited by the release when the buyer confirms receipt, in the same change', async () => {
    const { api } = local;
    const { seller, orderId, buyer } = await api.completedOrder();
    const body = await balanceOf(seller);
    expect(body.balance).toEqual(usd(PRICE));
    expect(body.entries).toEqual([expect.objectContaining({ type: 'RELEASE', amount: usd(PRICE), orderId, disputeId: null, balanceAfter: usd(PRICE), repaid: usd(0), reason: 'buyer confirmed receipt' })]);
    await api.expectEscrowBalanced(orderId, buyer);
  });

  it('is credited by the auto-confirmation at the end of protection', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const order = await shippedOrderOf(seller, productId);
    expect((await balanceOf(seller)).balance).toEqual(usd(0));
    await api.setClock(new Date(Date.parse(order.protectionEndsAt) + 60_000).toISOString());
    await api.runJob('timers');
    const body = await balanceOf(seller);
    expect(body.entries).toEqual([expect.objectContaining({ type: 'RELEASE', amount: usd(PRICE), orderId: order.orderId, reason: 'protection period ended' })]);
    expect(body.balance).toEqual(usd(PRICE));
    await api.expectEscrowBalanced(order.orderId, order.buyer);
  });

  it('is debited by a refund after completion (REVERSAL), newest entry first', async () => {
    const { api } = local;
    const { seller, orderId, buyer } = await api.completedOrder();
    const disputeId = await refundAfterCompletion({ buyer, orderId }, seller, 1000);
    const body = await balanceOf(seller);
    expect(body.balance).toEqual(usd(PRICE - 1000));
    expect(body.entries.map((entry) => [entry.type, entry.amount.amount, entry.balanceAfter.amount])).toEqual([
      ['REVERSAL', 1000, PRICE - 1000],
      ['RELEASE', PRICE, PRICE],
    ]);
    expect(body.entries[0]).toMatchObject({ orderId, disputeId, repaid: usd(0) });
    await api.expectEscrowBalanced(orderId, buyer);
  });

  it("is credited by the compensation of a seller's appeal (COMPENSATION), and nothing else moves", async () => {
    const { api } = local;
    const { seller, buyer, orderId } = await api.completedOrder();
    const opened = await api.post<{ disputeId: string }>(`/v1/orders/${orderId}/disputes`, buyer, aRefundDispute(1000));
    const disputeId = opened.body.disputeId;
    expect((await api.post(`/v1/disputes/${disputeId}/response`, seller, { action: 'COUNTER_OFFER', counterOffer: { type: 'REFUND', amount: usd(100) }, message: 'We can refund part of it.', evidence: [] })).status).toBe(200);
    expect((await api.post(`/v1/disputes/${disputeId}/escalate`, buyer, { message: 'Please decide.' })).status).toBe(200);
    const decided = await api.post(`/v1/admin/disputes/${disputeId}/decision`, await api.actor('admin'), { refundAmount: usd(500), returnRequired: false, rationale: 'The photos show the damage.' });
    expect(decided.status, decided.text).toBe(200);
    const evidence = await api.upload(seller, PNG_BYTES, { purpose: 'dispute-evidence', contentType: 'image/png' });
    expect((await api.post(`/v1/disputes/${disputeId}/appeal`, seller, { statement: 'The courier photo shows it intact.', evidence: [evidence] })).status).toBe(200);
    const final = await api.post(`/v1/admin/disputes/${disputeId}/decision`, await api.actor('admin'), { compensation: usd(300), rationale: 'The courier photo shows it intact.' });
    expect(final.status, final.text).toBe(200);
    const body = await balanceOf(seller);
    expect(body.entries.map((entry) => [entry.type, entry.amount.amount])).toEqual([
      ['COMPENSATION', 300],
      ['REVERSAL', 500],
      ['RELEASE', PRICE],
    ]);
    expect(body.entries[0]).toMatchObject({ orderId, disputeId });
    expect(body.balance).toEqual(usd(PRICE - 500 + 300));
    await api.expectEscrowBalanced(orderId, buyer);
  });

  it('pages entries newest first with signed cursors that carry the running balance', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const orders = [];
    for (let n = 0; n < 3; n++) {
      const order = await shippedOrderOf(seller, productId);
      expect((await api.post(`/v1/orders/${order.orderId}/confirm-receipt`, order.buyer)).status).toBe(200);
      orders.push(order);
    }
    await refundAfterCompletion(orders[0]!, seller, 700);
    const first = await balanceOf(seller, '?limit=2');
    expect(first.balance).toEqual(usd(3 * PRICE - 700));
    expect(first.entries).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await balanceOf(seller, `?limit=2&cursor=${encodeURIComponent(first.nextCursor ?? '')}`);
    expect(second.balance).toEqual(first.balance);
    const all = [...first.entries, ...second.entries];
    expect(all.map((entry) => entry.type)).toEqual(['REVERSAL', 'RELEASE', 'RELEASE', 'RELEASE']);
    expect(all.map((entry) => entry.balanceAfter.amount)).toEqual([3 * PRICE - 700, 3 * PRICE, 2 * PRICE, PRICE]);
    const tampered = await api.get(`/v1/sellers/me/balance?limit=2&cursor=${encodeURIComponent(`${first.nextCursor ?? ''}x`)}`, seller);
    expect(tampered.body).toMatchObject({ status: 400, code: 'INVALID_CURSOR' });
    // Another seller cannot page through this one's balance with its cursor.
    const other = await api.get(`/v1/sellers/me/balance?limit=2&cursor=${encodeURIComponent(first.nextCursor ?? '')}`, await api.actor('seller'));
    expect(other.body).toMatchObject({ status: 400, code: 'INVALID_CURSOR' });
    await api.expectSellerBalanced(seller.userId);
  });

  it("is the seller's own: another seller sees none of it, a buyer is refused", async () => {
    const { api } = local;
    const { seller, buyer, orderId } = await api.completedOrder();
    expect((await balanceOf(seller)).entries.map((entry) => entry.orderId)).toEqual([orderId]);
    expect(await balanceOf(await api.actor('seller'))).toEqual({ balance: usd(0), entries: [], nextCursor: null });
    expect((await api.get('/v1/sellers/me/balance', buyer)).body).toMatchObject({ status: 403, code: 'FORBIDDEN_ROLE' });
  });

  it('keeps one balance per currency', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing({ price: { amount: 1800, currency: 'EUR' } });
    const order = await shippedOrderOf(seller, productId);
    expect((await api.post(`/v1/orders/${order.orderId}/confirm-receipt`, order.buyer)).status).toBe(200);
    expect((await balanceOf(seller, '?currency=EUR')).balance).toEqual({ amount: 1800, currency: 'EUR' });
    expect(await balanceOf(seller)).toEqual({ balance: usd(0), entries: [], nextCursor: null });
    await api.expectEscrowBalanced(order.orderId, order.buyer);
  });

  it('pays a negative balance back first from the next release (its repaid part)', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    // A debit no release covers yet (as a payout made before a reversal would leave), written the way
    // every balance movement is; the API paths themselves cap each reversal by its order's release.
    await transact(
      balanceWrites([{ sellerId: seller.userId, type: 'REVERSAL', amount: usd(1000), orderId: 'ord_01ARZ3NDEKTSV4RRFFQ69G5FAV', disputeId: null, sourceSeq: 1, at: new Date(Date.now() - 60_000).toISOString(), reason: 'seeded debit' }]),
    );
    expect((await balanceOf(seller)).balance).toEqual(usd(-1000));
    const order = await shippedOrderOf(seller, productId);
    expect((await api.post(`/v1/orders/${order.orderId}/confirm-receipt`, order.buyer)).status).toBe(200);
    const body = await balanceOf(seller);
    expect(body.balance).toEqual(usd(PRICE - 1000));
    expect(body.entries[0]).toMatchObject({ type: 'RELEASE', amount: usd(PRICE), repaid: usd(1000), balanceAfter: usd(PRICE - 1000) });
    expect(body.entries[1]).toMatchObject({ type: 'REVERSAL', repaid: usd(0), balanceAfter: usd(-1000) });
  });
});

describe('the per-seller invariant under races', () => {
  it('holds when one shop’s buyers confirm at once and refunds after completion race them, with refunds failing at random', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const orders = [];
    for (let n = 0; n < 6; n++) orders.push(await shippedOrderOf(seller, productId));
    expect((await api.request('POST', '/local/payments/failures', { body: { count: 1 + Math.floor(Math.random() * 8) } })).status).toBe(200);
    // Every buyer confirms twice at once: one release each, all on the same balance.
    const confirms = await Promise.all(orders.flatMap((order) => [1, 2].map(() => api.post(`/v1/orders/${order.orderId}/confirm-receipt`, order.buyer))));
    expect(confirms.filter((response) => response.status === 200)).toHaveLength(orders.length);
    // Half of them get a refund after completion while the others are confirmed again and refunds are attempted.
    await Promise.all([
      ...orders.slice(0, 3).map((order, index) => refundAfterCompletion(order, seller, 400 + 100 * index)),
      ...orders.slice(3).map((order) => api.post(`/v1/orders/${order.orderId}/confirm-receipt`, order.buyer)),
      api.runJob('timers'),
      api.runJob('timers'),
    ]);
    for (const wait of ['PT1H1M', 'PT4H1M', 'P3D']) {
      await api.moveClock(wait);
      await Promise.all([api.runJob('timers'), api.runJob('timers')]);
    }
    const { balance, entries } = await api.expectSellerBalanced(seller.userId);
    expect(balance).toBe(6 * PRICE - (400 + 500 + 600));
    expect(entries.filter((entry) => entry.type === 'RELEASE')).toHaveLength(6);
    expect(entries.filter((entry) => entry.type === 'REVERSAL')).toHaveLength(3);
    for (const order of orders) await api.expectEscrowBalanced(order.orderId, order.buyer);
  });
});
