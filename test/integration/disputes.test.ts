/**
 * Disputes through HTTP (DOMAIN.md "Disputes, returns and refunds", API.md "Disputes"): what each party
 * may do in each state, what the refusals say, and that money only moves through escrow. Deadlines and
 * the timers job are covered in dispute-deadlines.test.ts; these are the actions people take.
 */
import { PurgeQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { getUploads } from '../../lambdas/store/uploads.js';
import { anOrder, aShipment, aTrackingNumber, PNG_BYTES, useLocalApi, type Actor, type ApiResponse } from '../support/local-api.js';

const local = useLocalApi();

type Money = { amount: number; currency: string };
type Terms = { type: 'REFUND' | 'RETURN_AND_REFUND'; amount: Money };
interface Problem {
  status: number;
  code: string;
}
interface TimelineEntry {
  at: string;
  actor: string;
  action: string;
  message: string | null;
  amount: Money | null;
}
interface DisputeBody {
  disputeId: string;
  orderId: string;
  status: string;
  counterOffer: Terms | null;
  evidence: { url: string; contentType: string }[];
  returnShipment: { status: string; carrier: string | null; trackingNumber: string | null } | null;
  decision: { refundAmount: Money; returnRequired: boolean; rationale: string } | null;
  proposal?: { refundAmount: Money; returnRequired: boolean; rule: string; rationale: string } | null;
  caseFile?: { order: { status: string; deliveredAt?: string | null; deliveryClaimedAt?: string | null }; tracking: { status: string; source?: string }[]; ledger: { type: string }[] } | null;
  resolution: { outcome: string; refundAmount: Money; refundId: string | null } | null;
  deadlines: Partial<Record<'sellerResponse' | 'buyerResponse' | 'autoEscalate' | 'returnShipment' | 'returnReceipt' | 'returnDelivery', string>>;
  timeline?: TimelineEntry[];
  openedAt: string;
}
interface OrderBody {
  status: string;
  disputeStatus: string | null;
  escrow: { held: Money; released: Money; refunded: Money };
}
interface RefundBody {
  orderId: string;
  amount: Money;
  status: string;
  requestedAt: string;
  expectedBy: string;
}

// ---- Small builders: the default order costs 2450 USD. ----

const TOTAL = 2450;
const DAY = 86_400_000;
const usd = (amount: number): Money => ({ amount, currency: 'USD' });
const aDispute = (overrides: Record<string, unknown> = {}) => ({ reason: 'DAMAGED', request: { type: 'REFUND', amount: usd(1000) }, description: 'The lid arrived cracked in two places.', evidence: [], ...overrides });
const ACCEPT = { action: 'ACCEPT', message: 'Sorry about that, refund approved.', evidence: [] };
const aCounterOffer = (amount: number) => ({ action: 'COUNTER_OFFER', counterOffer: { type: 'REFUND', amount: usd(amount) }, message: 'We can refund part of it.', evidence: [] });
const aDecision = (amount: number, returnRequired: boolean) => ({ refundAmount: usd(amount), returnRequired, rationale: 'The photos show the damage clearly.' });
/** A return shipment with a tracking number of its own (one number, one parcel). */
const aReturn = () => ({ carrier: 'USPS', trackingNumber: aTrackingNumber('9400') });
const ESCALATE = { message: 'We cannot agree; please decide.' };
const at = (disputeId: string, action?: string) => `/v1/disputes/${disputeId}${action ? `/${action}` : ''}`;

function expectRefused(response: ApiResponse<unknown>, status: number, code: string): void {
  expect(response.status, response.text).toBe(status);
  expect((response.body as Problem).code).toBe(code);
}

/** A shipped (or completed) order with a dispute opened by its buyer. */
async function disputed(options: { dispute?: Record<string, unknown>; completed?: boolean; listing?: Record<string, unknown> } = {}) {
  const { api } = local;
  const deal = options.completed ? await api.completedOrder({ listing: options.listing }) : await api.shippedOrder({ listing: options.listing });
  const opened = await api.post<DisputeBody>(`/v1/orders/${deal.orderId}/disputes`, deal.buyer, aDispute(options.dispute));
  expect(opened.status, opened.text).toBe(201);
  return { ...deal, disputeId: opened.body.disputeId };
}

/** A dispute the buyer escalated after the seller's counter-offer of 500. */
async function escalated() {
  const { api } = local;
  const open = await disputed();
  expect((await api.post(at(open.disputeId, 'response'), open.seller, aCounterOffer(500))).status).toBe(200);
  const up = await api.post(at(open.disputeId, 'escalate'), open.buyer, ESCALATE);
  expect(up.status, up.text).toBe(200);
  return { ...open, admin: await api.actor('admin') };
}

async function refundsOf(orderId: string, as: Actor): Promise<number[]> {
  const ledger = await local.api.get<{ items: { type: string; amount: Money }[] }>(`/v1/orders/${orderId}/ledger`, as);
  return ledger.body.items.filter((entry) => entry.type === 'REFUND').map((entry) => entry.amount.amount);
}

const aPhoto = (as: Actor) => local.api.upload(as, PNG_BYTES, { purpose: 'dispute-evidence', contentType: 'image/png' });
const orderOf = async (orderId: string, as: Actor) => (await local.api.get<OrderBody>(`/v1/orders/${orderId}`, as)).body;

/** 15 business days (Mon–Fri) is three weeks from a weekday, 20 days from a Saturday, 19 from a Sunday. */
const fifteenBusinessDaysAfter = (iso: string) => new Date(new Date(iso).getTime() + ({ 0: 19, 6: 20 }[new Date(iso).getUTCDay()] ?? 21) * DAY).toISOString();

describe('opening a dispute', () => {
  it('opens it AWAITING_SELLER with a Location, an OPENED entry, deadlines, and blocks confirming receipt', async () => {
    const { api } = local;
    const { buyer, orderId } = await api.shippedOrder();
    const photo = await aPhoto(buyer);
    const opened = await api.post<DisputeBody>(`/v1/orders/${orderId}/disputes`, buyer, aDispute({ evidence: [photo] }));
    expect(opened.status, opened.text).toBe(201);
    const { disputeId, openedAt, deadlines } = opened.body;
    expect(disputeId).toMatch(/^dsp_[0-9A-Z]{26}$/);
    expect(opened.headers.get('location')).toBe(`/v1/disputes/${disputeId}`);
    expect(opened.body).toMatchObject({ orderId, status: 'AWAITING_SELLER', request: { type: 'REFUND', amount: usd(1000) }, counterOffer: null, resolution: null });
    expect(opened.body.evidence).toEqual([{ url: expect.any(String), contentType: 'image/png' }]);
    expect(opened.body.timeline).toMatchObject([{ actor: 'buyer', action: 'OPENED', message: 'The lid arrived cracked in two places.' }]);
    expect(Date.parse(deadlines.sellerResponse as string) - Date.parse(openedAt)).toBe(5 * DAY);
    expect(Date.parse(deadlines.autoEscalate as string) - Date.parse(openedAt)).toBe(15 * DAY);
    expect(await orderOf(orderId, buyer)).toMatchObject({ status: 'SHIPPED', disputeStatus: 'AWAITING_SELLER' });
    expectRefused(await api.post(`/v1/orders/${orderId}/confirm-receipt`, buyer), 409, 'ORDER_DISPUTE_OPEN');
    await api.expectEscrowBalanced(orderId, buyer);
  });

  it('refuses an order that has not shipped with ORDER_NOT_SHIPPED', async () => {
    const { api } = local;
    const { buyer, orderId } = await api.placedOrder();
    expectRefused(await api.post(`/v1/orders/${orderId}/disputes`, buyer, aDispute()), 409, 'ORDER_NOT_SHIPPED');
  });

  it('refuses a second open dispute on the same order with DISPUTE_ALREADY_OPEN', async () => {
    const { api } = local;
    const { buyer, orderId } = await disputed();
    expectRefused(await api.post(`/v1/orders/${orderId}/disputes`, buyer, aDispute({ reason: 'WRONG_ITEM' })), 409, 'DISPUTE_ALREADY_OPEN');
  });

  it("takes NOT_RECEIVED after the seller's own DELIVERED event: a claim is no proof", async () => {
    const { api } = local;
    const { buyer, seller, orderId } = await api.shippedOrder();
    expect((await api.post(`/v1/orders/${orderId}/tracking-events`, seller, { status: 'DELIVERED', occurredAt: new Date().toISOString() })).status).toBe(201);
    expect((await api.post(`/v1/orders/${orderId}/disputes`, buyer, aDispute({ reason: 'NOT_RECEIVED' }))).status).toBe(201);
  });

  it('refuses NOT_RECEIVED once a delivery is proven with ALREADY_DELIVERED, but takes other reasons', async () => {
    const { api } = local;
    const { buyer, orderId } = await api.shippedOrder();
    const admin = await api.actor('admin');
    expect((await api.post(`/v1/orders/${orderId}/tracking-events`, admin, { status: 'DELIVERED', occurredAt: new Date().toISOString() })).status).toBe(201);
    expectRefused(await api.post(`/v1/orders/${orderId}/disputes`, buyer, aDispute({ reason: 'NOT_RECEIVED' })), 409, 'ALREADY_DELIVERED');
    expect((await api.post(`/v1/orders/${orderId}/disputes`, buyer, aDispute({ reason: 'NOT_AS_DESCRIBED' }))).status).toBe(201);
  });

  it('refuses RETURN_AND_REFUND for a product sold as not returnable with NOT_RETURNABLE', async () => {
    const { api } = local;
    const { buyer, orderId } = await api.shippedOrder({ listing: { guarantee: { returnable: false } } });
    const refused = await api.post(`/v1/orders/${orderId}/disputes`, buyer, aDispute({ request: { type: 'RETURN_AND_REFUND', amount: usd(TOTAL) } }));
    expectRefused(refused, 409, 'NOT_RETURNABLE');
  });

  it('refuses more than can be refunded (REFUND_EXCEEDS_REFUNDABLE) and another currency (400 CURRENCY_MISMATCH), writing nothing', async () => {
    const { api } = local;
    const { buyer, orderId } = await api.shippedOrder();
    expectRefused(await api.post(`/v1/orders/${orderId}/disputes`, buyer, aDispute({ request: { type: 'REFUND', amount: usd(TOTAL + 1) } })), 409, 'REFUND_EXCEEDS_REFUNDABLE');
    const euros = aDispute({ request: { type: 'REFUND', amount: { amount: 100, currency: 'EUR' } } });
    expectRefused(await api.post(`/v1/orders/${orderId}/disputes`, buyer, euros), 400, 'CURRENCY_MISMATCH');
    expect((await orderOf(orderId, buyer)).disputeStatus).toBeNull();
  });

  it("refuses another user's upload as evidence with 400 UPLOAD_NOT_USABLE", async () => {
    const { api } = local;
    const { buyer, orderId } = await api.shippedOrder();
    const theirs = await aPhoto(await api.actor('buyer'));
    expectRefused(await api.post(`/v1/orders/${orderId}/disputes`, buyer, aDispute({ evidence: [theirs] })), 400, 'UPLOAD_NOT_USABLE');
  });

  it('takes up to 9 evidence files, and refuses a 10th', async () => {
    const { api } = local;
    const { buyer, orderId } = await api.shippedOrder();
    const photos = await Promise.all(Array.from({ length: 10 }, () => aPhoto(buyer)));
    expectRefused(await api.post(`/v1/orders/${orderId}/disputes`, buyer, aDispute({ evidence: photos })), 400, 'VALIDATION_FAILED');
    const opened = await api.post<DisputeBody>(`/v1/orders/${orderId}/disputes`, buyer, aDispute({ evidence: photos.slice(0, 9) }));
    expect(opened.status).toBe(201);
    expect(opened.body.evidence).toHaveLength(9);
  });

  it("answers 404 ORDER_NOT_FOUND for another buyer's order", async () => {
    const { api } = local;
    const { orderId } = await api.shippedOrder();
    expectRefused(await api.post(`/v1/orders/${orderId}/disputes`, await api.actor('buyer'), aDispute()), 404, 'ORDER_NOT_FOUND');
  });
});

describe('the seller accepts a refund request', () => {
  it('refunds part at once (tracked, expected in 15 business days); the buyer then confirms and the rest is released', async () => {
    const { api } = local;
    const { buyer, seller, orderId, disputeId } = await disputed();
    const accepted = await api.post<DisputeBody>(at(disputeId, 'response'), seller, ACCEPT);
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'RESOLVED', deadlines: {}, resolution: { outcome: 'REFUNDED', refundAmount: usd(1000), refundId: expect.stringMatching(/^rfd_/) } });
    const refund = await api.get<RefundBody>(`/v1/refunds/${accepted.body.resolution?.refundId}`, buyer);
    expect(refund.status).toBe(200);
    expect(refund.body).toMatchObject({ orderId, amount: usd(1000), status: 'REQUESTED' });
    expect(refund.body.expectedBy).toBe(fifteenBusinessDaysAfter(refund.body.requestedAt));
    expect(await refundsOf(orderId, buyer)).toEqual([1000]);
    expect(await orderOf(orderId, buyer)).toMatchObject({ status: 'SHIPPED', disputeStatus: 'RESOLVED', escrow: { held: usd(TOTAL - 1000), refunded: usd(1000) } });
    await api.expectEscrowBalanced(orderId, buyer);

    const confirmed = await api.post<OrderBody>(`/v1/orders/${orderId}/confirm-receipt`, buyer);
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'COMPLETED', escrow: { held: usd(0), released: usd(TOTAL - 1000), refunded: usd(1000) } });
    await api.expectEscrowBalanced(orderId, seller);
  });

  it('closes the order when the whole total is refunded', async () => {
    const { api } = local;
    const { buyer, seller, orderId, disputeId } = await disputed({ dispute: { request: { type: 'REFUND', amount: usd(TOTAL) } } });
    expect((await api.post(at(disputeId, 'response'), seller, ACCEPT)).status).toBe(200);
    expect(await orderOf(orderId, buyer)).toMatchObject({ status: 'CLOSED', escrow: { held: usd(0), refunded: usd(TOTAL) } });
    expect(await api.expectEscrowBalanced(orderId, buyer)).toMatchObject({ held: 0, refunded: TOTAL, released: 0 });
  });

  it('takes no later dispute on the same order once the first was agreed (one decided dispute per line)', async () => {
    const { api } = local;
    const { buyer, seller, orderId, disputeId } = await disputed();
    expect((await api.post(at(disputeId, 'response'), seller, ACCEPT)).status).toBe(200);
    expectRefused(await api.post(`/v1/orders/${orderId}/disputes`, buyer, aDispute({ request: { type: 'REFUND', amount: usd(TOTAL - 1000) } })), 409, 'DISPUTE_ALREADY_DECIDED');
    expect(await refundsOf(orderId, buyer)).toEqual([1000]);
    await api.expectEscrowBalanced(orderId, buyer);
  });
});

describe('counter-offers', () => {
  it('lets the buyer accept the counter-offer, refunding the offered amount', async () => {
    const { api } = local;
    const { buyer, seller, orderId, disputeId } = await disputed();
    const countered = await api.post<DisputeBody>(at(disputeId, 'response'), seller, aCounterOffer(600));
    expect(countered.status, countered.text).toBe(200);
    expect(countered.body).toMatchObject({ status: 'COUNTER_OFFERED', counterOffer: { type: 'REFUND', amount: usd(600) } });
    expect(countered.body.deadlines.buyerResponse).toBeDefined();
    const accepted = await api.post<DisputeBody>(at(disputeId, 'accept-offer'), buyer);
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'RESOLVED', resolution: { outcome: 'REFUNDED', refundAmount: usd(600) } });
    expect(await refundsOf(orderId, buyer)).toEqual([600]);
    await api.expectEscrowBalanced(orderId, buyer);
  });

  it("marks the seller's evidence used by the dispute in the response's own transaction", async () => {
    const { api } = local;
    const { seller, disputeId } = await disputed();
    const photo = await aPhoto(seller);
    expect((await api.post(at(disputeId, 'response'), seller, { ...aCounterOffer(500), evidence: [photo] })).status).toBe(200);
    expect((await getUploads([photo])).get(photo)?.usedBy).toBe(disputeId);
  });

  it('refuses accept-offer without an offer (NO_COUNTER_OFFER) and a second seller response (DISPUTE_NOT_AWAITING_SELLER)', async () => {
    const { api } = local;
    const { buyer, seller, disputeId } = await disputed();
    expectRefused(await api.post(at(disputeId, 'accept-offer'), buyer), 409, 'NO_COUNTER_OFFER');
    expectRefused(await api.post(at(disputeId, 'response'), seller, aCounterOffer(TOTAL + 1)), 409, 'REFUND_EXCEEDS_REFUNDABLE');
    expect((await api.post(at(disputeId, 'response'), seller, aCounterOffer(300))).status).toBe(200);
    expectRefused(await api.post(at(disputeId, 'response'), seller, ACCEPT), 409, 'DISPUTE_NOT_AWAITING_SELLER');
  });
});

describe('returns', () => {
  it('refunds once the seller confirms the returned goods arrived', async () => {
    const { api } = local;
    const { buyer, seller, orderId, disputeId } = await disputed({ dispute: { request: { type: 'RETURN_AND_REFUND', amount: usd(TOTAL) } } });
    const agreed = await api.post<DisputeBody>(at(disputeId, 'response'), seller, ACCEPT);
    expect(agreed.body).toMatchObject({ status: 'AGREED', returnShipment: { status: 'AWAITING_SHIPMENT' }, resolution: null });
    expect(agreed.body.deadlines.returnShipment).toBeDefined();
    expect(await refundsOf(orderId, buyer)).toEqual([]);
    expectRefused(await api.post(at(disputeId, 'return-received'), seller), 409, 'RETURN_NOT_SHIPPED');

    const sent = aReturn();
    const shipped = await api.post<DisputeBody>(at(disputeId, 'return-shipment'), buyer, sent);
    expect(shipped.status, shipped.text).toBe(200);
    expect(shipped.body.returnShipment).toMatchObject({ status: 'SHIPPED', ...sent });
    const received = await api.post<DisputeBody>(at(disputeId, 'return-received'), seller);
    expect(received.status, received.text).toBe(200);
    expect(received.body).toMatchObject({ status: 'RESOLVED', returnShipment: { status: 'RECEIVED' }, resolution: { outcome: 'REFUNDED', refundAmount: usd(TOTAL) } });
    expect(await refundsOf(orderId, buyer)).toEqual([TOTAL]);
    expect((await orderOf(orderId, buyer)).status).toBe('CLOSED');
    await api.expectEscrowBalanced(orderId, buyer);
  });
});

describe('escalation and arbitration', () => {
  it('refuses escalation right after opening with ESCALATION_NOT_ALLOWED_YET', async () => {
    const { api } = local;
    const { buyer, seller, disputeId } = await disputed();
    expectRefused(await api.post(at(disputeId, 'escalate'), buyer, ESCALATE), 409, 'ESCALATION_NOT_ALLOWED_YET');
    expectRefused(await api.post(at(disputeId, 'escalate'), seller, ESCALATE), 409, 'ESCALATION_NOT_ALLOWED_YET');
  });

  it('queues an escalated dispute for admins with a case file and a proposal that only admins see; the rationale of the decision is shown to both sides', async () => {
    const { api } = local;
    const { buyer, seller, orderId } = await api.shippedOrder();
    const photo = await aPhoto(buyer);
    expect((await api.post(`/v1/orders/${orderId}/tracking-events`, seller, { status: 'IN_TRANSIT', occurredAt: new Date().toISOString() })).status).toBe(201);
    // The seller's own DELIVERED: the case file shows it as a claim, not as a delivery.
    const claimedAt = new Date().toISOString();
    expect((await api.post(`/v1/orders/${orderId}/tracking-events`, seller, { status: 'DELIVERED', occurredAt: claimedAt })).status).toBe(201);
    const { disputeId } = (await api.post<DisputeBody>(`/v1/orders/${orderId}/disputes`, buyer, aDispute({ evidence: [photo] }))).body;
    expect((await api.post(at(disputeId, 'response'), seller, aCounterOffer(500))).status).toBe(200);
    const up = await api.post<DisputeBody>(at(disputeId, 'escalate'), buyer, ESCALATE);
    expect(up.body).toMatchObject({ status: 'ESCALATED', deadlines: {} });
    expect((await orderOf(orderId, buyer)).disputeStatus).toBe('ESCALATED');
    const admin = await api.actor('admin');
    const queue = await api.get<{ items: DisputeBody[] }>('/v1/disputes?status=ESCALATED&limit=100', admin);
    expect(queue.body.items.map((item) => item.disputeId)).toContain(disputeId);

    await api.drainQueues();
    const forAdmin = await api.get<DisputeBody>(at(disputeId), admin);
    expect(forAdmin.body.proposal).toMatchObject({ rule: 'DEFECT_WITH_EVIDENCE_RETURNABLE', rationale: expect.any(String), refundAmount: usd(1000), returnRequired: true });
    expect(forAdmin.body.caseFile).toMatchObject({
      order: { status: 'SHIPPED', deliveredAt: null, deliveryClaimedAt: claimedAt },
      tracking: [{ status: 'IN_TRANSIT' }, { status: 'DELIVERED', source: 'seller' }],
      ledger: [{ type: 'HOLD' }],
    });
    for (const party of [buyer, seller]) {
      const seen = await api.get<DisputeBody>(at(disputeId), party);
      expect(seen.body).not.toHaveProperty('proposal');
      expect(seen.body).not.toHaveProperty('caseFile');
    }

    const decided = await api.post<DisputeBody>(`/v1/admin/disputes/${disputeId}/decision`, admin, aDecision(1500, false));
    expect(decided.status, decided.text).toBe(200);
    expect(decided.body).toMatchObject({ status: 'RESOLVED', resolution: { outcome: 'REFUNDED', refundAmount: usd(1500), refundId: expect.stringMatching(/^rfd_/) } });
    for (const party of [buyer, seller]) {
      expect((await api.get<DisputeBody>(at(disputeId), party)).body.decision).toMatchObject({ refundAmount: usd(1500), returnRequired: false, rationale: 'The photos show the damage clearly.' });
    }
    expect(await refundsOf(orderId, buyer)).toEqual([1500]);
    await api.expectEscrowBalanced(orderId, buyer);
    const after = await api.get<{ items: DisputeBody[] }>('/v1/disputes?status=ESCALATED&limit=100', admin);
    expect(after.body.items.map((item) => item.disputeId)).not.toContain(disputeId);
  });

  it('sends the case-file request again from its outbox timer when the send after the escalation was lost', async () => {
    const { api } = local;
    const { disputeId, admin } = await escalated();
    await new SQSClient({}).send(new PurgeQueueCommand({ QueueUrl: api.host.engines.queueUrls.disputes }));
    // What is left to deliver is the parties' notifications: the case-file request is lost (no proposal).
    await api.drainQueues();
    expect((await api.get<DisputeBody>(at(disputeId), admin)).body.proposal).toBeNull();
    try {
      await api.moveClock('PT10M1S');
      await api.runJob('timers');
      expect(await api.drainQueues()).toBeGreaterThanOrEqual(1);
    } finally {
      await api.resetClock();
    }
    expect((await api.get<DisputeBody>(at(disputeId), admin)).body.proposal).toMatchObject({ rule: expect.any(String) });
  });

  it('builds the case file once when the disputes queue delivers the same request three times', async () => {
    const { api } = local;
    const { disputeId, buyer } = await escalated();
    const sqs = new SQSClient({});
    for (let copy = 0; copy < 2; copy++) await sqs.send(new SendMessageCommand({ QueueUrl: api.host.engines.queueUrls.disputes, MessageBody: JSON.stringify({ disputeId }) }));
    expect(await api.drainQueues()).toBeGreaterThanOrEqual(3);
    const timeline = (await api.get<DisputeBody>(at(disputeId), buyer)).body.timeline ?? [];
    expect(timeline.filter((entry) => entry.action === 'CASE_FILE_READY')).toHaveLength(1);
  });

  it('sends the goods back first when the admin requires a return', async () => {
    const { api } = local;
    const { buyer, admin, orderId, disputeId } = await escalated();
    const decided = await api.post<DisputeBody>(`/v1/admin/disputes/${disputeId}/decision`, admin, aDecision(TOTAL, true));
    expect(decided.body).toMatchObject({ status: 'AGREED', returnShipment: { status: 'AWAITING_SHIPMENT' }, resolution: null });
    expect(await refundsOf(orderId, buyer)).toEqual([]);
    await api.expectEscrowBalanced(orderId, buyer);
  });

  it('closes without a refund when the admin decides 0, after which the buyer can confirm receipt', async () => {
    const { api } = local;
    const { buyer, admin, orderId, disputeId } = await escalated();
    const decided = await api.post<DisputeBody>(`/v1/admin/disputes/${disputeId}/decision`, admin, aDecision(0, false));
    expect(decided.body).toMatchObject({ status: 'RESOLVED', resolution: { outcome: 'NO_REFUND', refundAmount: usd(0), refundId: null } });
    expect(await refundsOf(orderId, buyer)).toEqual([]);
    expect((await api.post(`/v1/orders/${orderId}/confirm-receipt`, buyer)).status).toBe(200);
    expect(await api.expectEscrowBalanced(orderId, buyer)).toMatchObject({ released: TOTAL, refunded: 0 });
  });

  it('refuses to decide a dispute that is not escalated with DISPUTE_NOT_ESCALATED', async () => {
    const { api } = local;
    const { disputeId } = await disputed();
    expectRefused(await api.post(`/v1/admin/disputes/${disputeId}/decision`, await api.actor('admin'), aDecision(100, false)), 409, 'DISPUTE_NOT_ESCALATED');
  });
});

describe('withdrawing a dispute', () => {
  it('cancels it, after which the buyer can confirm receipt', async () => {
    const { api } = local;
    const { buyer, orderId, disputeId } = await disputed();
    const cancelled = await api.post<DisputeBody>(at(disputeId, 'cancel'), buyer);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', resolution: { outcome: 'WITHDRAWN', refundAmount: usd(0) } });
    expect((await orderOf(orderId, buyer)).disputeStatus).toBe('CANCELLED');
    expect((await api.post(`/v1/orders/${orderId}/confirm-receipt`, buyer)).status).toBe(200);
    expect(await api.expectEscrowBalanced(orderId, buyer)).toMatchObject({ released: TOTAL, refunded: 0 });
  });

  it('refuses to withdraw a resolved dispute with DISPUTE_CLOSED', async () => {
    const { api } = local;
    const { buyer, seller, disputeId } = await disputed();
    expect((await api.post(at(disputeId, 'response'), seller, ACCEPT)).status).toBe(200);
    expectRefused(await api.post(at(disputeId, 'cancel'), buyer), 409, 'DISPUTE_CLOSED');
  });
});

describe('a dispute after completion', () => {
  it('takes the refund back from the seller: a REVERSAL, then the REFUND', async () => {
    const { api } = local;
    const { buyer, seller, orderId, disputeId } = await disputed({ completed: true });
    expect((await api.post(at(disputeId, 'response'), seller, ACCEPT)).status).toBe(200);
    const ledger = await api.get<{ items: { type: string; amount: Money }[] }>(`/v1/orders/${orderId}/ledger`, buyer);
    expect(ledger.body.items.map((entry) => [entry.type, entry.amount.amount])).toEqual([['HOLD', TOTAL], ['RELEASE', TOTAL], ['REVERSAL', 1000], ['REFUND', 1000]]);
    expect(await orderOf(orderId, seller)).toMatchObject({ status: 'COMPLETED', escrow: { held: usd(0), released: usd(TOTAL - 1000), refunded: usd(0), reversed: usd(1000) } });
    await api.expectEscrowBalanced(orderId, seller);
  });

  it('closes the completed order when the whole total is refunded', async () => {
    const { api } = local;
    const { seller, orderId, disputeId } = await disputed({ completed: true, dispute: { request: { type: 'REFUND', amount: usd(TOTAL) } } });
    expect((await api.post(at(disputeId, 'response'), seller, ACCEPT)).status).toBe(200);
    expect((await orderOf(orderId, seller)).status).toBe('CLOSED');
    expect(await api.expectEscrowBalanced(orderId, seller)).toMatchObject({ held: 0, released: 0, refunded: TOTAL });
  });
});

describe('simultaneous actions', () => {
  const winners = (responses: ApiResponse<unknown>[]) => responses.map((response) => response.status).sort();

  it('lets exactly one of accept-offer and escalate win, refunding at most once', async () => {
    const { api } = local;
    const { buyer, seller, orderId, disputeId } = await disputed();
    expect((await api.post(at(disputeId, 'response'), seller, aCounterOffer(700))).status).toBe(200);
    const [accept, escalate] = await Promise.all([api.post(at(disputeId, 'accept-offer'), buyer), api.post(at(disputeId, 'escalate'), seller, ESCALATE)]);
    expect(winners([accept, escalate])).toEqual([200, 409]);
    const { status } = (await api.get<DisputeBody>(at(disputeId), buyer)).body;
    expect(status).toBe(accept.status === 200 ? 'RESOLVED' : 'ESCALATED');
    expect(await refundsOf(orderId, buyer)).toEqual(accept.status === 200 ? [700] : []);
    await api.expectEscrowBalanced(orderId, buyer);
  });

  it('lets exactly one of a seller ACCEPT and a buyer withdrawal win, refunding at most once', async () => {
    const { api } = local;
    const { buyer, seller, orderId, disputeId } = await disputed();
    const [accept, cancel] = await Promise.all([api.post(at(disputeId, 'response'), seller, ACCEPT), api.post(at(disputeId, 'cancel'), buyer)]);
    expect(winners([accept, cancel])).toEqual([200, 409]);
    expectRefused(accept.status === 200 ? cancel : accept, 409, 'DISPUTE_CLOSED');
    expect(await refundsOf(orderId, buyer)).toEqual(accept.status === 200 ? [1000] : []);
    await api.expectEscrowBalanced(orderId, buyer);
  });

  it('opens one dispute when the buyer submits it 3 times at once', async () => {
    const { api } = local;
    const { buyer, orderId } = await api.shippedOrder();
    const responses = await Promise.all([1, 2, 3].map(() => api.post(`/v1/orders/${orderId}/disputes`, buyer, aDispute())));
    expect(winners(responses)).toEqual([201, 409, 409]);
    for (const refused of responses.filter((response) => response.status === 409)) expectRefused(refused, 409, 'DISPUTE_ALREADY_OPEN');
    expect((await api.get<{ items: DisputeBody[] }>('/v1/disputes', buyer)).body.items).toHaveLength(1);
  });

  it('opens one dispute when the buyer submits it 3 times at once with evidence, answering the others as duplicates', async () => {
    const { api } = local;
    const { buyer, orderId } = await api.shippedOrder();
    const photo = await aPhoto(buyer);
    const responses = await Promise.all([1, 2, 3].map(() => api.post(`/v1/orders/${orderId}/disputes`, buyer, aDispute({ evidence: [photo] }))));
    expect(winners(responses)).toEqual([201, 409, 409]);
    for (const refused of responses.filter((response) => response.status === 409)) expectRefused(refused, 409, 'DISPUTE_ALREADY_OPEN');
  });

  it('lets exactly one of two disputes racing for the same evidence upload have it, naming the file to the other', async () => {
    const { api } = local;
    const first = await api.shippedOrder();
    // A second shipped order of the same buyer, from another shop.
    const { seller, productId } = await api.sellerWithListing();
    const placed = await api.post<{ orderId: string }>('/v1/orders', first.buyer, anOrder(productId, 1));
    expect((await api.post(`/v1/orders/${placed.body.orderId}/shipment`, seller, aShipment())).status).toBe(200);
    const photo = await aPhoto(first.buyer);
    const responses = await Promise.all([first.orderId, placed.body.orderId].map((orderId) => api.post(`/v1/orders/${orderId}/disputes`, first.buyer, aDispute({ evidence: [photo] }))));
    expect(winners(responses)).toEqual([201, 400]);
    expect(responses.find((response) => response.status === 400)?.body).toMatchObject({ code: 'UPLOAD_NOT_USABLE', errors: [{ path: 'body.evidence.0', message: 'already used; upload the file again' }] });
  });

  it('opens one dispute for one Idempotency-Key, evidence included: retries (even sent at once) replay it, another body is refused', async () => {
    const { api } = local;
    const { buyer, orderId } = await api.shippedOrder();
    const body = aDispute({ evidence: [await aPhoto(buyer)] });
    const key = { 'idempotency-key': 'dispute-1' };
    const [first, concurrent] = await Promise.all([1, 2].map(() => api.post<DisputeBody>(`/v1/orders/${orderId}/disputes`, buyer, body, key)));
    const retry = await api.post<DisputeBody>(`/v1/orders/${orderId}/disputes`, buyer, body, key);
    for (const response of [first, concurrent, retry]) expect(response?.status, response?.text).toBe(201);
    expect(new Set([first, concurrent, retry].map((response) => response?.body.disputeId)).size).toBe(1);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('location')).toBe(`/v1/disputes/${retry.body.disputeId}`);
    expectRefused(await api.post(`/v1/orders/${orderId}/disputes`, buyer, aDispute(), key), 409, 'IDEMPOTENCY_KEY_REUSED');
    expect((await api.get<{ items: DisputeBody[] }>('/v1/disputes', buyer)).body.items).toHaveLength(1);
  });

  it('refunds once when two admins decide the same dispute at once', async () => {
    const { api } = local;
    const { buyer, admin, orderId, disputeId } = await escalated();
    const decide = (who: Actor, amount: number) => api.post(`/v1/admin/disputes/${disputeId}/decision`, who, aDecision(amount, false));
    const responses = await Promise.all([decide(admin, 300), decide(await api.actor('admin'), 400)]);
    expect(winners(responses)).toEqual([200, 409]);
    expect(await refundsOf(orderId, buyer)).toHaveLength(1);
    await api.expectEscrowBalanced(orderId, buyer);
  });

  it('refunds once when the seller confirms a returned parcel 5 times at once', async () => {
    const { api } = local;
    const { buyer, seller, orderId, disputeId } = await disputed({ dispute: { request: { type: 'RETURN_AND_REFUND', amount: usd(1200) } } });
    expect((await api.post(at(disputeId, 'response'), seller, ACCEPT)).status).toBe(200);
    expect((await api.post(at(disputeId, 'return-shipment'), buyer, aReturn())).status).toBe(200);
    const responses = await Promise.all(Array.from({ length: 5 }, () => api.post(at(disputeId, 'return-received'), seller)));
    expect(winners(responses)).toEqual([200, 409, 409, 409, 409]);
    expect(await refundsOf(orderId, buyer)).toEqual([1200]);
    await api.expectEscrowBalanced(orderId, buyer);
  });
});

describe('who sees a dispute', () => {
  it('answers 404 DISPUTE_NOT_FOUND to another buyer and another seller for reads and every action; admins may read it', async () => {
    const { api } = local;
    const { buyer, disputeId } = await disputed();
    const [otherBuyer, otherSeller, admin] = [await api.actor('buyer'), await api.actor('seller'), await api.actor('admin')];
    const attempts: [Actor, string, unknown?][] = [
      [otherBuyer, ''],
      [otherSeller, ''],
      [otherSeller, 'response', ACCEPT],
      [otherBuyer, 'accept-offer'],
      [otherBuyer, 'escalate', ESCALATE],
      [otherSeller, 'escalate', ESCALATE],
      [otherBuyer, 'cancel'],
      [otherBuyer, 'return-shipment', aReturn()],
      [otherSeller, 'return-received'],
    ];
    for (const [who, action, body] of attempts) {
      const response = action ? await api.post(at(disputeId, action), who, body) : await api.get(at(disputeId), who);
      expectRefused(response, 404, 'DISPUTE_NOT_FOUND');
    }
    expect((await api.get(at(disputeId), admin)).status).toBe(200);
    const untouched = await api.get<DisputeBody>(at(disputeId), buyer);
    expect(untouched.body.status).toBe('AWAITING_SELLER');
    expect(untouched.body.timeline).toHaveLength(1);
  });

  it('lists only the caller’s own disputes', async () => {
    const { api } = local;
    const first = await disputed();
    const second = await disputed();
    const ids = async (who: Actor) => (await api.get<{ items: DisputeBody[] }>('/v1/disputes', who)).body.items.map((item) => item.disputeId);
    expect(await ids(first.buyer)).toEqual([first.disputeId]);
    expect(await ids(first.seller)).toEqual([first.disputeId]);
    expect(await ids(second.buyer)).toEqual([second.disputeId]);
    expect(await ids(second.seller)).toEqual([second.disputeId]);
    expect(await ids(await api.actor('buyer'))).toEqual([]);
  });

  it('shows a refund to its buyer, its seller and admins only', async () => {
    const { api } = local;
    const { buyer, seller, disputeId } = await disputed();
    const refundId = (await api.post<DisputeBody>(at(disputeId, 'response'), seller, ACCEPT)).body.resolution?.refundId;
    for (const who of [buyer, seller, await api.actor('admin')]) expect((await api.get(`/v1/refunds/${refundId}`, who)).status).toBe(200);
    expectRefused(await api.get(`/v1/refunds/${refundId}`, await api.actor('buyer')), 404, 'REFUND_NOT_FOUND');
    expectRefused(await api.get(`/v1/refunds/${refundId}`, await api.actor('seller')), 404, 'REFUND_NOT_FOUND');
  });

  it('answers 403 FORBIDDEN_ROLE to the wrong role, before looking at the dispute', async () => {
    const { api } = local;
    const { buyer, seller, disputeId } = await disputed();
    expectRefused(await api.post(at(disputeId, 'response'), buyer, ACCEPT), 403, 'FORBIDDEN_ROLE');
    expectRefused(await api.post(at(disputeId, 'accept-offer'), seller), 403, 'FORBIDDEN_ROLE');
    expectRefused(await api.post(at(disputeId, 'return-received'), buyer), 403, 'FORBIDDEN_ROLE');
    expectRefused(await api.post(`/v1/admin/disputes/${disputeId}/decision`, buyer, aDecision(100, false)), 403, 'FORBIDDEN_ROLE');
  });
});

describe('the timeline', () => {
  it('records every step of an arbitrated dispute in order, with who did it', async () => {
    const { api } = local;
    const { buyer, admin, disputeId } = await escalated();
    await api.drainQueues();
    expect((await api.post(`/v1/admin/disputes/${disputeId}/decision`, admin, aDecision(800, false))).status).toBe(200);
    const { timeline = [] } = (await api.get<DisputeBody>(at(disputeId), buyer)).body;
    expect(timeline.map((entry) => `${entry.actor} ${entry.action}`)).toEqual([
      'buyer OPENED',
      'seller COUNTER_OFFERED',
      'buyer ESCALATED',
      'system CASE_FILE_READY',
      'admin DECIDED',
      'admin PLATFORM_DECIDED',
      'admin REFUND_ISSUED',
    ]);
    const times = timeline.map((entry) => Date.parse(entry.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(timeline[1]).toMatchObject({ message: 'We can refund part of it.' });
    expect(timeline[4]).toMatchObject({ message: 'The photos show the damage clearly.', amount: usd(800) });
  });
});
