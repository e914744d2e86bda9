/**
 * Dispute deadlines and the jobs that enforce them (DOMAIN.md "Disputes, returns and refunds", "Scheduled
 * jobs"): each deadline is swept one second before it (nothing happens), exactly at it (its rule applies),
 * and once more (nothing more happens), with the escrow invariant checked after every money move.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { recordDynamoCalls, type DynamoCall } from '../../lambdas/store/client.js';
import { aShipment, aTrackingNumber, anOrder, useLocalApi, type Actor, type Api } from '../support/local-api.js';

const local = useLocalApi();
afterEach(() => local.api.resetClock());

// ---- Helpers ----

const DAY = 86_400_000;
const PRICE = 2450;
const usd = (amount: number) => ({ amount, currency: 'USD' });
const plus = (iso: string, ms: number) => new Date(new Date(iso).getTime() + ms).toISOString();
const oneSecondBefore = (iso: string) => plus(iso, -1000);

interface Money {
  amount: number;
  currency: string;
}
type DeadlineName = 'sellerResponse' | 'buyerResponse' | 'autoEscalate' | 'returnShipment' | 'returnReceipt' | 'returnDelivery';
interface DisputeBody {
  disputeId: string;
  orderId: string;
  status: string;
  deadlines: Partial<Record<DeadlineName, string>>;
  agreement: { terms: { type: string; amount: Money }; how: string; at: string } | null;
  returnShipment: { status: string; deliveredAt: string | null } | null;
  resolution: { outcome: string; refundAmount: Money; refundId: string | null; at: string } | null;
  timeline: { action: string; actor: string; at: string; message: string | null }[];
  openedAt: string;
}
interface OrderBody {
  status: string;
  disputeStatus: string | null;
  protectionEndsAt: string;
  completedBy: string | null;
}
interface RefundBody {
  status: string;
  amount: Money;
  requestedAt: string;
  expectedBy: string;
  history: { status: string; at: string }[];
}
interface Parties {
  buyer: Actor;
  seller: Actor;
  orderId: string;
}
type Request = { type: 'REFUND' | 'RETURN_AND_REFUND'; amount: number };

async function openDispute(api: Api, on: Parties, request: Request, reason = 'NOT_AS_DESCRIBED'): Promise<DisputeBody> {
  const opened = await api.post<DisputeBody>(`/v1/orders/${on.orderId}/disputes`, on.buyer, { reason, request: { type: request.type, amount: usd(request.amount) }, description: 'The glaze is chipped all around the rim.' });
  expect(opened.status, opened.text).toBe(201);
  return opened.body;
}

async function getDispute(api: Api, disputeId: string, as: Actor): Promise<DisputeBody> {
  const found = await api.get<DisputeBody>(`/v1/disputes/${disputeId}`, as);
  expect(found.status, found.text).toBe(200);
  return found.body;
}

async function respond(api: Api, dispute: DisputeBody, seller: Actor, counterOffer?: Request): Promise<DisputeBody> {
  const body = counterOffer
    ? { action: 'COUNTER_OFFER', counterOffer: { type: counterOffer.type, amount: usd(counterOffer.amount) }, message: 'We can offer part of the price.' }
    : { action: 'ACCEPT', message: 'Sorry about that.' };
  const answered = await api.post<DisputeBody>(`/v1/disputes/${dispute.disputeId}/response`, seller, body);
  expect(answered.status, answered.text).toBe(200);
  return answered.body;
}

const getOrder = async (api: Api, orderId: string, as: Actor) => (await api.get<OrderBody>(`/v1/orders/${orderId}`, as)).body;
const ledgerOf = async (api: Api, orderId: string, as: Actor) =>
  (await api.get<{ items: { type: string; amount: Money }[] }>(`/v1/orders/${orderId}/ledger`, as)).body.items.map((entry) => `${entry.type} ${entry.amount.amount}`);

/** Everything a sweep may change about one dispute: the dispute (with its timeline), its order, its ledger. */
async function snapshot(api: Api, dispute: DisputeBody, buyer: Actor) {
  return { dispute: await getDispute(api, dispute.disputeId, buyer), order: await getOrder(api, dispute.orderId, buyer), ledger: await ledgerOf(api, dispute.orderId, buyer) };
}

async function sweepAt(api: Api, iso: string) {
  await api.setClock(iso);
  return api.runJob('timers');
}

/**
 * Reads the deadline from GET /v1/disputes/{id}, sweeps one second before it (nothing may change), exactly
 * at it, and once more (nothing more may change); the escrow must balance. Returns the state after it fired.
 */
async function sweepThrough(api: Api, deadline: DeadlineName, dispute: DisputeBody, buyer: Actor) {
  const before = await snapshot(api, dispute, buyer);
  const due = before.dispute.deadlines[deadline];
  if (!due) throw new Error(`dispute ${dispute.disputeId} has no ${deadline} deadline: ${JSON.stringify(before.dispute.deadlines)}`);
  await sweepAt(api, oneSecondBefore(due));
  expect(await snapshot(api, dispute, buyer)).toEqual(before);
  await sweepAt(api, due);
  const after = await snapshot(api, dispute, buyer);
  await api.expectEscrowBalanced(dispute.orderId, buyer);
  await api.runJob('timers');
  expect(await snapshot(api, dispute, buyer)).toEqual(after);
  return after;
}

/** Business days (Monday–Friday, UTC) after an instant, counted here independently of the application. */
function businessDaysAfter(iso: string, days: number): string {
  let ms = new Date(iso).getTime();
  for (let left = days; left > 0; ) {
    ms += DAY;
    const weekday = new Date(ms).getUTCDay();
    if (weekday >= 1 && weekday <= 5) left--;
  }
  return new Date(ms).toISOString();
}

/** A shipped order whose dispute is in AGREED, the goods to come back (the seller accepted a return). */
async function agreedReturn(api: Api) {
  const order = await api.shippedOrder();
  const agreed = await respond(api, await openDispute(api, order, { type: 'RETURN_AND_REFUND', amount: PRICE }), order.seller);
  expect(agreed).toMatchObject({ status: 'AGREED', returnShipment: { status: 'AWAITING_SHIPMENT' } });
  return { ...order, dispute: agreed };
}

// ---- Tests ----

describe('seller response deadline (5 days)', () => {
  it('accepts an unanswered REFUND request automatically and refunds it', async () => {
    const { api } = local;
    const order = await api.shippedOrder();
    const dispute = await openDispute(api, order, { type: 'REFUND', amount: 1000 });
    expect(dispute.deadlines.sellerResponse).toBe(plus(dispute.openedAt, 5 * DAY));

    const after = await sweepThrough(api, 'sellerResponse', dispute, order.buyer);
    expect(after.dispute).toMatchObject({ status: 'RESOLVED', agreement: { how: 'AUTO_ACCEPTED_NO_SELLER_RESPONSE' }, resolution: { outcome: 'REFUNDED', refundAmount: usd(1000) } });
    expect(after.dispute.deadlines).toEqual({});
    expect(after.dispute.resolution?.refundId).toMatch(/^rfd/);
    expect(after.order).toMatchObject({ status: 'SHIPPED', disputeStatus: 'RESOLVED' });
    expect(after.ledger).toEqual([`HOLD ${PRICE}`, 'REFUND 1000']);
    expect(await api.expectEscrowBalanced(order.orderId, order.seller)).toMatchObject({ held: PRICE - 1000, refunded: 1000 });
  });

  it('agrees an unanswered RETURN_AND_REFUND request and waits for the return', async () => {
    const { api } = local;
    const order = await api.shippedOrder();
    const dispute = await openDispute(api, order, { type: 'RETURN_AND_REFUND', amount: PRICE });

    const after = await sweepThrough(api, 'sellerResponse', dispute, order.buyer);
    expect(after.dispute).toMatchObject({ status: 'AGREED', agreement: { how: 'AUTO_ACCEPTED_NO_SELLER_RESPONSE' }, returnShipment: { status: 'AWAITING_SHIPMENT' }, resolution: null });
    expect(after.dispute.deadlines).toEqual({ returnShipment: plus(after.dispute.agreement?.at as string, 7 * DAY) });
    expect(after.ledger).toEqual([`HOLD ${PRICE}`]);
  });

  it('pays once when two sweeps run at the same time at the deadline', async () => {
    const { api } = local;
    const order = await api.shippedOrder();
    const dispute = await openDispute(api, order, { type: 'REFUND', amount: 1000 });
    await api.setClock((await getDispute(api, dispute.disputeId, order.buyer)).deadlines.sellerResponse as string);
    await Promise.all([api.runJob('timers'), api.runJob('timers')]);
    expect((await getDispute(api, dispute.disputeId, order.buyer)).status).toBe('RESOLVED');
    expect(await ledgerOf(api, order.orderId, order.buyer)).toEqual([`HOLD ${PRICE}`, 'REFUND 1000']);
    await api.expectEscrowBalanced(order.orderId, order.buyer);
  });
});

describe('buyer protection: not received by the estimated delivery', () => {
  async function notReceivedWithCounterOffer(api: Api) {
    const start = await api.resetClock();
    const order = await api.shippedOrder({ estimatedDeliveryAt: plus(start, DAY) });
    await api.moveClock('P1DT1M');
    const dispute = await openDispute(api, order, { type: 'REFUND', amount: PRICE }, 'NOT_RECEIVED');
    const countered = await respond(api, dispute, order.seller, { type: 'REFUND', amount: 1000 });
    expect(countered.status).toBe('COUNTER_OFFERED');
    // The counter-offer does not end buyer protection: the seller-response deadline still decides.
    expect(countered.deadlines.sellerResponse).toBe(dispute.deadlines.sellerResponse);
    return { ...order, dispute: countered };
  }

  it('refunds in full at the seller-response deadline despite a counter-offer, and closes the order', async () => {
    const { api } = local;
    const { buyer, dispute } = await notReceivedWithCounterOffer(api);
    const after = await sweepThrough(api, 'sellerResponse', dispute, buyer);
    expect(after.dispute).toMatchObject({ status: 'RESOLVED', agreement: { how: 'BUYER_PROTECTION_REFUND', terms: { type: 'REFUND', amount: usd(PRICE) } }, resolution: { outcome: 'REFUNDED', refundAmount: usd(PRICE) } });
    expect(after.order.status).toBe('CLOSED');
    expect(after.ledger).toEqual([`HOLD ${PRICE}`, `REFUND ${PRICE}`]);
  });

  it("refunds in full all the same when the seller only claims a delivery before the deadline", async () => {
    const { api } = local;
    const { buyer, seller, orderId, dispute } = await notReceivedWithCounterOffer(api);
    const now = await api.moveClock('PT1H');
    expect((await api.post(`/v1/orders/${orderId}/tracking-events`, seller, { status: 'DELIVERED', occurredAt: now })).status).toBe(201);
    const after = await sweepThrough(api, 'sellerResponse', dispute, buyer);
    expect(after.dispute).toMatchObject({ status: 'RESOLVED', agreement: { how: 'BUYER_PROTECTION_REFUND' } });
    expect(after.ledger).toEqual([`HOLD ${PRICE}`, `REFUND ${PRICE}`]);
    await api.expectEscrowBalanced(orderId, buyer);
  });

  it('refunds nothing automatically when a delivery was proven before the deadline', async () => {
    const { api } = local;
    const { buyer, orderId, dispute } = await notReceivedWithCounterOffer(api);
    const admin = await api.actor('admin');
    const now = await api.moveClock('PT1H');
    const delivered = await api.post(`/v1/orders/${orderId}/tracking-events`, admin, { status: 'DELIVERED', occurredAt: now });
    expect(delivered.status, delivered.text).toBe(201);

    const after = await sweepThrough(api, 'sellerResponse', dispute, buyer);
    expect(after.dispute).toMatchObject({ status: 'COUNTER_OFFERED', resolution: null });
    // Only the buyer-protection deadline went away; the buyer still has their own to answer the offer.
    expect(after.dispute.deadlines).toEqual({ buyerResponse: dispute.deadlines.buyerResponse, autoEscalate: dispute.deadlines.autoEscalate });
    expect(after.order).toMatchObject({ status: 'DELIVERED', disputeStatus: 'COUNTER_OFFERED' });
    expect(after.ledger).toEqual([`HOLD ${PRICE}`]);
  });
});

/**
 * Auto-escalation (15 days after opening) cannot be reached through the API: unanswered, a dispute is
 * decided at day 5; counter-offered (at day 5 at the latest), it is accepted by day 12; escalated or agreed,
 * the deadline is dropped. So this checks only that its timer then does nothing.
 */
describe('buyer response deadline (7 days after a counter-offer)', () => {
  it('accepts the counter-offer automatically; the 15-day auto-escalation then has nothing left to do', async () => {
    const { api } = local;
    const order = await api.shippedOrder();
    const opened = await openDispute(api, order, { type: 'REFUND', amount: 2000 });
    // The seller answers on the last possible second, so the buyer's deadline is as late as it can be.
    await api.setClock(oneSecondBefore(opened.deadlines.sellerResponse as string));
    const dispute = await respond(api, opened, order.seller, { type: 'REFUND', amount: 800 });
    const offeredAt = dispute.timeline.find((entry) => entry.action === 'COUNTER_OFFERED')?.at as string;
    expect(dispute.deadlines).toEqual({ buyerResponse: plus(offeredAt, 7 * DAY), autoEscalate: opened.deadlines.autoEscalate });

    const after = await sweepThrough(api, 'buyerResponse', dispute, order.buyer);
    expect(after.dispute).toMatchObject({ status: 'RESOLVED', agreement: { how: 'AUTO_ACCEPTED_OFFER' }, resolution: { outcome: 'REFUNDED', refundAmount: usd(800) } });
    expect(after.dispute.deadlines).toEqual({});
    expect(after.ledger).toEqual([`HOLD ${PRICE}`, 'REFUND 800']);

    // A negotiation can last at most 5 + 7 = 12 days, so auto-escalation at 15 days never applies.
    await sweepAt(api, opened.deadlines.autoEscalate as string);
    expect(await snapshot(api, dispute, order.buyer)).toEqual(after);
  });
});

describe('return deadlines', () => {
  it('closes the dispute without a refund when the return is not shipped within 7 days; the order can then be confirmed', async () => {
    const { api } = local;
    const { buyer, orderId, dispute } = await agreedReturn(api);
    const after = await sweepThrough(api, 'returnShipment', dispute, buyer);
    expect(after.dispute).toMatchObject({ status: 'RESOLVED', resolution: { outcome: 'NO_REFUND', refundAmount: usd(0), refundId: null } });
    expect(after.dispute.deadlines).toEqual({});
    expect(after.dispute.timeline.at(-1)).toMatchObject({ actor: 'system', action: 'CLOSED_RETURN_NOT_SHIPPED' });
    expect(after.order).toMatchObject({ status: 'SHIPPED', disputeStatus: 'RESOLVED' });
    expect(after.ledger).toEqual([`HOLD ${PRICE}`]);

    const confirmed = await api.post<OrderBody>(`/v1/orders/${orderId}/confirm-receipt`, buyer);
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(confirmed.body.status).toBe('COMPLETED');
    expect(await api.expectEscrowBalanced(orderId, buyer)).toMatchObject({ held: 0, released: PRICE, refunded: 0 });
  });

  it('refunds automatically 10 days after the carrier delivered the return, citing the rule and the carrier event', async () => {
    const { api } = local;
    const { buyer, dispute } = await agreedReturn(api);
    await api.moveClock('P1D');
    const trackingNumber = aTrackingNumber('9400');
    const shipped = await api.post<DisputeBody & { returnShipment: { shippedAt: string } }>(`/v1/disputes/${dispute.disputeId}/return-shipment`, buyer, { carrier: 'USPS', trackingNumber });
    expect(shipped.status, shipped.text).toBe(200);
    expect(shipped.body.returnShipment).toMatchObject({ status: 'SHIPPED', deliveredAt: null });
    expect(shipped.body.deadlines).toEqual({ returnDelivery: plus(shipped.body.returnShipment.shippedAt, 20 * DAY) });

    const deliveredAt = await api.moveClock('P3D');
    const event = await api.carrierEvents('usps', { events: [{ eventId: `ret-${trackingNumber}`, trackingNumber, status: 'DELIVERED', occurredAt: deliveredAt }] });
    expect(event.body).toEqual({ matched: 1, unmatched: 0, duplicates: 0 });
    const delivered = await getDispute(api, dispute.disputeId, buyer);
    expect(delivered.returnShipment).toMatchObject({ status: 'DELIVERED', deliveredAt });
    // Ten days from when the platform learned of the delivery, which the timeline records with the event.
    const learned = delivered.timeline.find((entry) => entry.action === 'RETURN_DELIVERED');
    expect(learned?.message).toContain(`event ret-${trackingNumber}`);
    expect(delivered.deadlines).toEqual({ returnReceipt: plus(learned?.at ?? '', 10 * DAY) });

    const after = await sweepThrough(api, 'returnReceipt', delivered, buyer);
    expect(after.dispute).toMatchObject({ status: 'RESOLVED', resolution: { outcome: 'REFUNDED', refundAmount: usd(PRICE) } });
    expect(after.dispute.timeline.at(-1)).toMatchObject({ actor: 'system', action: 'AUTO_REFUND_RETURN_NOT_CONFIRMED', message: expect.stringContaining(trackingNumber) });
    expect(after.order.status).toBe('CLOSED');
    expect(after.ledger).toEqual([`HOLD ${PRICE}`, `REFUND ${PRICE}`]);
  });

  it('escalates a return the carrier has not delivered 20 days after it shipped', async () => {
    const { api } = local;
    const { buyer, dispute } = await agreedReturn(api);
    const trackingNumber = aTrackingNumber('9400');
    const shipped = await api.post<DisputeBody>(`/v1/disputes/${dispute.disputeId}/return-shipment`, buyer, { carrier: 'USPS', trackingNumber });
    expect(shipped.status, shipped.text).toBe(200);
    const after = await sweepThrough(api, 'returnDelivery', shipped.body, buyer);
    expect(after.dispute).toMatchObject({ status: 'ESCALATED', resolution: null, deadlines: {} });
    expect(after.dispute.timeline.at(-1)).toMatchObject({ actor: 'system', action: 'AUTO_ESCALATED', message: expect.stringContaining(`no carrier delivery of the return (USPS ${trackingNumber})`) });
    expect(after.ledger).toEqual([`HOLD ${PRICE}`]);
  });
});

describe('the refunds job', () => {
  it('moves a refund REQUESTED → PROCESSING → COMPLETED, expected 15 business days after the request', async () => {
    const { api } = local;
    // Start on a Friday (UTC), so both the settlement day and the expected date cross weekends.
    const friday = new Date(Date.now() + 2 * DAY);
    friday.setUTCDate(friday.getUTCDate() + ((5 - friday.getUTCDay() + 7) % 7));
    friday.setUTCHours(12, 20, 0, 0);
    await api.setClock(friday.toISOString());
    const order = await api.shippedOrder();
    const resolved = await respond(api, await openDispute(api, order, { type: 'REFUND', amount: 1200 }), order.seller);
    const refundId = resolved.resolution?.refundId as string;
    const refund = async () => (await api.get<RefundBody>(`/v1/refunds/${refundId}`, order.buyer)).body;

    const requested = await refund();
    expect(requested).toMatchObject({ status: 'REQUESTED', amount: usd(1200) });
    expect(requested.expectedBy).toBe(businessDaysAfter(requested.requestedAt, 15));
    expect(requested.expectedBy).toBe(plus(requested.requestedAt, 21 * DAY));
    await api.expectEscrowBalanced(order.orderId, order.buyer);

    await api.runJob('timers');
    const processing = await refund();
    expect(processing.status).toBe('PROCESSING');
    const settledAt = businessDaysAfter(processing.history[1]?.at as string, 1);
    expect(new Date(settledAt).getUTCDay()).toBe(1);

    await sweepAt(api, oneSecondBefore(settledAt));
    expect(await refund()).toEqual(processing);
    await sweepAt(api, settledAt);
    const completed = await refund();
    expect(completed).toMatchObject({ status: 'COMPLETED', expectedBy: requested.expectedBy });
    expect(completed.history.map((step) => step.status)).toEqual(['REQUESTED', 'PROCESSING', 'COMPLETED']);
    await api.runJob('timers');
    expect(await refund()).toEqual(completed);
    expect(await ledgerOf(api, order.orderId, order.buyer)).toEqual([`HOLD ${PRICE}`, 'REFUND 1200']);
  });
});

describe('the return window (15 days after delivery)', () => {
  it('refuses a return once the window has ended, but still allows a refund request', async () => {
    const { api } = local;
    const [early, late] = [await api.shippedOrder(), await api.shippedOrder()];
    const admin = await api.actor('admin');
    const deliveredAt = await api.moveClock('PT1H');
    for (const order of [early, late]) {
      const event = await api.post(`/v1/orders/${order.orderId}/tracking-events`, admin, { status: 'DELIVERED', occurredAt: deliveredAt });
      expect(event.status, event.text).toBe(201);
    }
    const windowEnd = plus(deliveredAt, 15 * DAY);

    // A minute before the end: the platform clock runs on while the sweep runs, a second is too little under load.
    await sweepAt(api, plus(windowEnd, -60_000));
    expect((await openDispute(api, early, { type: 'RETURN_AND_REFUND', amount: PRICE })).status).toBe('AWAITING_SELLER');

    await sweepAt(api, plus(windowEnd, 1000));
    const refused = await api.post(`/v1/orders/${late.orderId}/disputes`, late.buyer, { reason: 'DAMAGED', request: { type: 'RETURN_AND_REFUND', amount: usd(PRICE) }, description: 'The handle broke off on arrival.' });
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.code).toBe('RETURN_WINDOW_CLOSED');
    expect((await getOrder(api, late.orderId, late.buyer)).status).toBe('DELIVERED');
    expect((await openDispute(api, late, { type: 'REFUND', amount: 500 })).status).toBe('AWAITING_SELLER');
  });
});

describe('auto-confirmation and open disputes', () => {
  it('does not auto-confirm while a dispute is open, and does on the next sweep after it is withdrawn', async () => {
    const { api } = local;
    const order = await api.shippedOrder({ listing: { guarantee: { returnable: true, protectionDays: 15 } } });
    const protectionEnd = (order.order as unknown as OrderBody).protectionEndsAt;
    await api.setClock(plus(protectionEnd, -DAY));
    const dispute = await openDispute(api, order, { type: 'REFUND', amount: 500 });

    await sweepAt(api, protectionEnd);
    expect(await getOrder(api, order.orderId, order.buyer)).toMatchObject({ status: 'SHIPPED', disputeStatus: 'AWAITING_SELLER', completedBy: null });
    expect(await ledgerOf(api, order.orderId, order.buyer)).toEqual([`HOLD ${PRICE}`]);

    const withdrawn = await api.post<DisputeBody>(`/v1/disputes/${dispute.disputeId}/cancel`, order.buyer);
    expect(withdrawn.status, withdrawn.text).toBe(200);
    expect(withdrawn.body.status).toBe('CANCELLED');
    await api.runJob('timers');
    expect(await getOrder(api, order.orderId, order.buyer)).toMatchObject({ status: 'COMPLETED', completedBy: 'system', disputeStatus: 'CANCELLED' });
    expect(await ledgerOf(api, order.orderId, order.buyer)).toEqual([`HOLD ${PRICE}`, `RELEASE ${PRICE}`]);
    expect(await api.expectEscrowBalanced(order.orderId, order.buyer)).toMatchObject({ held: 0, released: PRICE });
  });
});

describe('cost of the deadline sweep', () => {
  /** `count` shipped orders with an open REFUND dispute each, spread over `shops` sellers working in parallel. */
  async function openDisputes(api: Api, shops: { seller: Actor; productId: string; buyer: Actor }[], count: number): Promise<void> {
    await Promise.all(
      shops.map(async ({ seller, productId, buyer }, index) => {
        for (let n = index; n < count; n += shops.length) {
          const placed = await api.post('/v1/orders', buyer, anOrder(productId));
          expect(placed.status, placed.text).toBe(201);
          const orderId = String(placed.body.orderId);
          const shipped = await api.post(`/v1/orders/${orderId}/shipment`, seller, aShipment());
          expect(shipped.status, shipped.text).toBe(200);
          await openDispute(api, { buyer, seller, orderId }, { type: 'REFUND', amount: 1000 });
        }
      }),
    );
  }

  const countBy = (calls: DynamoCall[]) => calls.reduce<Record<string, number>>((counts, call) => ({ ...counts, [call.operation]: (counts[call.operation] ?? 0) + 1 }), {});

  /** Sweeps at `at` until nothing is due: what it fires (other tests' leftovers) may set timers due now. */
  async function settleAt(api: Api, at: string) {
    await api.setClock(at);
    for (let round = 0; round < 5 && (await api.runJob('timers')).processed > 0; round++);
  }

  /** A warm-up sweep half a minute before `due`, so the measured one a minute after reads a single hour. */
  async function measuredSweep(api: Api, due: string) {
    await settleAt(api, plus(due, -30_000));
    await api.setClock(plus(due, 60_000));
    const recording = recordDynamoCalls();
    const result = await api.runJob('timers');
    return { processed: result.processed, calls: countBy(recording.stop()) };
  }

  it('reads in proportion to the due deadlines: with 200 open disputes of which 10 are due, the 190 others add no Query', async () => {
    const { api } = local;
    const shops = await Promise.all(Array.from({ length: 10 }, async () => ({ ...(await api.sellerWithListing()), buyer: await api.actor('buyer') })));
    // Far from every other test's timers, and 20 minutes into an hour so each measured sweep reads one bucket.
    const start = new Date(Date.now() + 150 * DAY);
    start.setUTCMinutes(20, 0, 0);
    const t0 = start.toISOString();
    // Fire every earlier test's leftovers first, an hour ahead, so nothing they set lands in a measured hour.
    await settleAt(api, plus(t0, -3_600_000));
    await api.setClock(t0);
    await openDisputes(api, shops, 10);
    await api.setClock(plus(t0, DAY));
    await openDisputes(api, shops, 10);

    // Day 5: the first ten are due; only the second ten are open and not due.
    const withoutBacklog = await measuredSweep(api, plus(t0, 5 * DAY));
    expect(withoutBacklog.processed).toBe(10);

    // 190 more open disputes, due on day 10. Day 6: 200 open, the second ten due, 190 not.
    await api.setClock(plus(t0, 5 * DAY + 60_000));
    await openDisputes(api, shops, 190);
    const withBacklog = await measuredSweep(api, plus(t0, 6 * DAY));
    expect(withBacklog.processed).toBe(10);

    expect(withoutBacklog.calls.Query).toBeGreaterThan(0);
    expect(withBacklog.calls.Query).toBe(withoutBacklog.calls.Query);
    expect(withBacklog.calls).toEqual(withoutBacklog.calls);
    expect(withBacklog.calls.Scan).toBeUndefined();
    // The reads that remain are per due dispute (the dispute and its order), plus the sweep's own marker.
    expect((withBacklog.calls.GetItem ?? 0) + (withBacklog.calls.BatchGetItem ?? 0)).toBeLessThanOrEqual(3 * 10 + 2);
  }, 180_000);
});
