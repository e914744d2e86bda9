/**
 * Returns with carrier proof through the API (issue 8 hole 7): the buyer can no longer pick the date a
 * return counts as delivered; the carrier's signed webhook says it, and the seller can contest the return.
 * The escrow invariant is checked on every path that moves money.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { aTrackingNumber, PNG_BYTES, useLocalApi, type Actor, type Api } from '../support/local-api.js';

const local = useLocalApi();
afterEach(() => local.api.resetClock());

const PRICE = 2450;
const usd = (amount: number) => ({ amount, currency: 'USD' });

interface DisputeBody {
  disputeId: string;
  status: string;
  returnShipment: { status: string; trackingNumber: string | null; deliveredAt: string | null } | null;
  deadlines: Record<string, string>;
  resolution: { outcome: string; refundAmount: { amount: number } } | null;
  timeline: { action: string; actor: string; message: string | null; evidence: unknown[] }[];
}

/** An order whose buyer and seller agreed on a full return; the buyer shipped it with a fresh tracking number. */
async function returnOnItsWay(api: Api) {
  const order = await api.shippedOrder();
  const opened = await api.post<DisputeBody>(`/v1/orders/${order.orderId}/disputes`, order.buyer, { reason: 'DAMAGED', request: { type: 'RETURN_AND_REFUND', amount: usd(PRICE) }, description: 'The handle broke off on arrival.' });
  expect(opened.status, opened.text).toBe(201);
  const agreed = await api.post<DisputeBody>(`/v1/disputes/${opened.body.disputeId}/response`, order.seller, { action: 'ACCEPT', message: 'Send it back, sorry.' });
  expect(agreed.body.status).toBe('AGREED');
  const trackingNumber = aTrackingNumber('RET');
  const shipped = await api.post<DisputeBody>(`/v1/disputes/${opened.body.disputeId}/return-shipment`, order.buyer, { carrier: 'DHL', trackingNumber });
  expect(shipped.status, shipped.text).toBe(200);
  return { ...order, disputeId: opened.body.disputeId, trackingNumber };
}

const disputeOf = async (api: Api, disputeId: string, as: Actor) => (await api.get<DisputeBody>(`/v1/disputes/${disputeId}`, as)).body;

describe('the return shipment', () => {
  it('takes no delivery date from the buyer (400), and one tracking number names one parcel (409)', async () => {
    const { api } = local;
    const first = await returnOnItsWay(api);
    const order = await api.shippedOrder();
    const opened = await api.post<DisputeBody>(`/v1/orders/${order.orderId}/disputes`, order.buyer, { reason: 'DAMAGED', request: { type: 'RETURN_AND_REFUND', amount: usd(PRICE) }, description: 'The lid is cracked in two.' });
    await api.post(`/v1/disputes/${opened.body.disputeId}/response`, order.seller, { action: 'ACCEPT', message: 'Send it back.' });
    const picked = await api.post(`/v1/disputes/${opened.body.disputeId}/return-shipment`, order.buyer, { carrier: 'DHL', trackingNumber: aTrackingNumber('RET'), estimatedDeliveryAt: new Date().toISOString() });
    expect(picked.status, picked.text).toBe(400);
    const reused = await api.post(`/v1/disputes/${opened.body.disputeId}/return-shipment`, order.buyer, { carrier: 'DHL', trackingNumber: first.trackingNumber });
    expect(reused.status, reused.text).toBe(409);
    expect(reused.body.code).toBe('TRACKING_NUMBER_IN_USE');
  });
});

describe('a return delivered by the carrier', () => {
  it('is refunded 10 days after the carrier’s delivery (webhook → clock → timers job), and the escrow balances', async () => {
    const { api } = local;
    const { buyer, seller, orderId, disputeId, trackingNumber } = await returnOnItsWay(api);
    // Nothing the buyer says makes it delivered; the carrier's webhook does.
    await api.moveClock('P2D');
    const received = await api.carrierEvents('dhl', { events: [{ eventId: `dhl-${trackingNumber}`, trackingNumber, status: 'DELIVERED', occurredAt: new Date(Date.now() + 2 * 86_400_000 - 60_000).toISOString(), signedBy: 'STORE' }] });
    expect(received.body).toEqual({ matched: 1, unmatched: 0, duplicates: 0 });
    const delivered = await disputeOf(api, disputeId, seller);
    expect(delivered).toMatchObject({ status: 'AGREED', returnShipment: { status: 'DELIVERED' } });
    expect(delivered.timeline.at(-1)).toMatchObject({ actor: 'system', action: 'RETURN_DELIVERED' });

    await api.moveClock('P9D');
    await api.runJob('timers');
    expect((await disputeOf(api, disputeId, buyer)).status).toBe('AGREED');
    await api.moveClock('P1DT1M');
    await api.runJob('timers');
    const refunded = await disputeOf(api, disputeId, buyer);
    expect(refunded).toMatchObject({ status: 'RESOLVED', resolution: { outcome: 'REFUNDED', refundAmount: { amount: PRICE } } });
    expect(refunded.timeline.at(-1)?.message).toContain(trackingNumber);
    await api.expectEscrowBalanced(orderId, buyer);
  });

  it('the seller may report a problem with evidence until the refund is issued: ESCALATED, no automatic refund; then refused', async () => {
    const { api } = local;
    const { buyer, seller, orderId, disputeId, trackingNumber } = await returnOnItsWay(api);
    await api.carrierEvents('dhl', { events: [{ eventId: `dhl-${trackingNumber}`, trackingNumber, status: 'DELIVERED', occurredAt: new Date().toISOString() }] });
    const photo = await api.upload(seller, PNG_BYTES, { purpose: 'dispute-evidence', contentType: 'image/png' });
    const reported = await api.post<DisputeBody>(`/v1/disputes/${disputeId}/return-problem`, seller, { problem: 'NOT_AS_SENT', message: 'A different, older mug came back.', evidence: [photo] });
    expect(reported.status, reported.text).toBe(200);
    expect(reported.body).toMatchObject({ status: 'ESCALATED', deadlines: {}, resolution: null });
    expect(reported.body.timeline.at(-1)).toMatchObject({ actor: 'seller', action: 'RETURN_PROBLEM_REPORTED', message: 'NOT_AS_SENT: A different, older mug came back.' });
    expect(reported.body.timeline.at(-1)?.evidence).toHaveLength(1);

    // The carrier's 10 days pass: nothing is refunded while the platform decides.
    await api.moveClock('P11D');
    await api.runJob('timers');
    expect((await disputeOf(api, disputeId, buyer)).status).toBe('ESCALATED');
    const admin = await api.actor('admin');
    const decided = await api.post<DisputeBody>(`/v1/admin/disputes/${disputeId}/decision`, admin, { refundAmount: usd(0), returnRequired: false, rationale: 'The photos show a different item came back.' });
    expect(decided.body.status, decided.text).toBe('RESOLVED');
    const late = await api.post(`/v1/disputes/${disputeId}/return-problem`, seller, { problem: 'NOT_RECEIVED', message: 'Trying again.' });
    expect(late.status, late.text).toBe(409);
    expect(late.body.code).toBe('DISPUTE_CLOSED');
    await api.expectEscrowBalanced(orderId, buyer);
  });

  it('a return problem before the return ships is 409 RETURN_NOT_SHIPPED', async () => {
    const { api } = local;
    const order = await api.shippedOrder();
    const opened = await api.post<DisputeBody>(`/v1/orders/${order.orderId}/disputes`, order.buyer, { reason: 'DAMAGED', request: { type: 'RETURN_AND_REFUND', amount: usd(PRICE) }, description: 'The glaze is chipped all over.' });
    await api.post(`/v1/disputes/${opened.body.disputeId}/response`, order.seller, { action: 'ACCEPT', message: 'Send it back.' });
    const early = await api.post(`/v1/disputes/${opened.body.disputeId}/return-problem`, order.seller, { problem: 'NOT_RECEIVED', message: 'Nothing here yet.' });
    expect(early.status, early.text).toBe(409);
    expect(early.body.code).toBe('RETURN_NOT_SHIPPED');
  });
});
