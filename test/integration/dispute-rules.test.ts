/**
 * Dispute rules through HTTP (DOMAIN.md "Disputes, returns and refunds"; issue 8 holes 4, 8 and 9):
 * one decided dispute per line, a withdrawn dispute reopened once, disputes naming lines with their own
 * cap, returnability and return window, the refunds per line adding up over several disputes, and
 * negotiation rounds that end in escalation 15 days after opening.
 */
import { describe, expect, it } from 'vitest';
import { anAddress, uniqueId } from '../support/bodies.js';
import { logLines } from '../support/log-lines.js';
import { aShipment, PNG_BYTES, useLocalApi, type Actor, type ApiResponse } from '../support/local-api.js';

const local = useLocalApi();

type Money = { amount: number; currency: string };
interface DisputeBody {
  disputeId: string;
  status: string;
  lines: { productId: string; quantity: number }[];
  resolution: { outcome: string; refundAmount: Money } | null;
}

const usd = (amount: number): Money => ({ amount, currency: 'USD' });
const aDispute = (overrides: Record<string, unknown> = {}) => ({ reason: 'DAMAGED', request: { type: 'REFUND', amount: usd(1000) }, description: 'The lid arrived cracked in two places.', evidence: [], ...overrides });
const ACCEPT = { action: 'ACCEPT', message: 'Sorry about that, refund approved.', evidence: [] };
const aCounterOffer = (amount: number) => ({ action: 'COUNTER_OFFER', counterOffer: { type: 'REFUND', amount: usd(amount) }, message: 'We can refund part of it.', evidence: [] });

function expectRefused(response: ApiResponse<unknown>, status: number, code: string): void {
  expect(response.status, response.text).toBe(status);
  expect((response.body as { code: string }).code).toBe(code);
}

/**
 * One seller's order of two lines, delivered: a returnable dripper (2 × 2450, 15-day window) and a mug
 * (2 × 1200) that is returnable for 30 days, or not returnable at all.
 */
async function mixedOrder(mug: { returnable: boolean; returnWindowDays?: number } = { returnable: true, returnWindowDays: 30 }) {
  const { api } = local;
  const { seller, productId: dripper } = await api.sellerWithListing();
  const mugId = (await api.reviewedListing(seller, { title: 'Stoneware mug', price: usd(1200), guarantee: mug })).productId;
  const buyer = await api.actor('buyer');
  const placed = await api.post('/v1/orders', buyer, { items: [{ productId: dripper, quantity: 2 }, { productId: mugId, quantity: 2 }], shippingAddress: anAddress(), paymentReference: `pay_${uniqueId('ref')}` });
  expect(placed.status, placed.text).toBe(201);
  const orderId = String(placed.body.orderId);
  expect((await api.post(`/v1/orders/${orderId}/shipment`, seller, aShipment())).status).toBe(200);
  return { seller, buyer, orderId, dripper, mug: mugId };
}

async function open(orderId: string, buyer: Actor, body: Record<string, unknown>): Promise<string> {
  const opened = await local.api.post<DisputeBody>(`/v1/orders/${orderId}/disputes`, buyer, aDispute(body));
  expect(opened.status, opened.text).toBe(201);
  return opened.body.disputeId;
}

describe('one decided dispute per order line (hole 4)', () => {
  it('refuses a new dispute on the same order after the platform decided no refund, so no automatic refund follows', async () => {
    const { api } = local;
    const { buyer, seller, orderId } = await api.shippedOrder();
    const disputeId = await open(orderId, buyer, {});
    expect((await api.post(`/v1/disputes/${disputeId}/response`, seller, aCounterOffer(100))).status).toBe(200);
    expect((await api.post(`/v1/disputes/${disputeId}/escalate`, buyer, { message: 'Please decide.' })).status).toBe(200);
    const decided = await api.post<DisputeBody>(`/v1/admin/disputes/${disputeId}/decision`, await api.actor('admin'), { refundAmount: usd(0), returnRequired: false, rationale: 'The photos show no damage at all.' });
    expect(decided.body).toMatchObject({ status: 'RESOLVED', resolution: { outcome: 'NO_REFUND' } });
    expectRefused(await api.post(`/v1/orders/${orderId}/disputes`, buyer, aDispute()), 409, 'DISPUTE_ALREADY_DECIDED');
    // Five days later nothing was refunded: no dispute exists to auto-accept.
    await api.moveClock('P6D');
    await api.runJob('timers');
    expect((await api.expectEscrowBalanced(orderId, buyer)).refunded).toBe(0);
    await api.resetClock();
  });

  it('lets a withdrawn dispute be opened again once, not twice', async () => {
    const { api } = local;
    const { buyer, orderId } = await api.shippedOrder();
    for (const _ of [1, 2]) {
      const disputeId = await open(orderId, buyer, {});
      expect((await api.post<DisputeBody>(`/v1/disputes/${disputeId}/cancel`, buyer)).body.status).toBe('CANCELLED');
    }
    expectRefused(await api.post(`/v1/orders/${orderId}/disputes`, buyer, aDispute()), 409, 'DISPUTE_REOPEN_LIMIT');
  });
});

describe('per-line disputes (hole 8)', () => {
  it('shows the whole order as the lines of a dispute that names none', async () => {
    const { buyer, orderId, dripper, mug } = await mixedOrder();
    const opened = await local.api.post<DisputeBody>(`/v1/orders/${orderId}/disputes`, buyer, aDispute());
    expect(opened.body.lines).toEqual([
      { productId: dripper, quantity: 2 },
      { productId: mug, quantity: 2 },
    ]);
  });

  it('returns the returnable line of a mixed order, and refuses the whole order or the other line', async () => {
    const { api } = local;
    const { buyer, orderId, dripper, mug } = await mixedOrder({ returnable: false });
    const asReturn = (lines?: unknown) => aDispute({ request: { type: 'RETURN_AND_REFUND', amount: usd(1000) }, ...(lines !== undefined && { lines }) });
    expectRefused(await api.post(`/v1/orders/${orderId}/disputes`, buyer, asReturn()), 409, 'NOT_RETURNABLE');
    expectRefused(await api.post(`/v1/orders/${orderId}/disputes`, buyer, asReturn([{ productId: mug, quantity: 1 }])), 409, 'NOT_RETURNABLE');
    const opened = await api.post<DisputeBody>(`/v1/orders/${orderId}/disputes`, buyer, asReturn([{ productId: dripper, quantity: 1 }]));
    expect(opened.status, opened.text).toBe(201);
    expect(opened.body.lines).toEqual([{ productId: dripper, quantity: 1 }]);
  });

  it('refuses a line that is not on the order (400) and a request above the lines’ value (409)', async () => {
    const { api } = local;
    const { buyer, orderId, mug } = await mixedOrder();
    const other = await api.sellerWithListing();
    const notOnOrder = await api.post(`/v1/orders/${orderId}/disputes`, buyer, aDispute({ lines: [{ productId: other.productId, quantity: 1 }] }));
    expectRefused(notOnOrder, 400, 'VALIDATION_FAILED');
    expectRefused(await api.post(`/v1/orders/${orderId}/disputes`, buyer, aDispute({ lines: [{ productId: mug, quantity: 1 }], request: { type: 'REFUND', amount: usd(1201) } })), 409, 'REFUND_EXCEEDS_REFUNDABLE');
  });

  it('refunds line by line over several disputes, each capped by its line less what it got, the escrow balanced after each', async () => {
    const { api } = local;
    const { buyer, seller, orderId, dripper, mug } = await mixedOrder();
    const first = await open(orderId, buyer, { lines: [{ productId: mug, quantity: 1 }], request: { type: 'REFUND', amount: usd(1200) } });
    expect((await api.post<DisputeBody>(`/v1/disputes/${first}/response`, seller, ACCEPT)).body.resolution).toMatchObject({ outcome: 'REFUNDED', refundAmount: usd(1200) });
    expect(await api.expectEscrowBalanced(orderId, buyer)).toMatchObject({ refunded: 1200, held: 6100 });
    // The mug's line is decided: the other mug goes with it (one decided dispute per line).
    expectRefused(await api.post(`/v1/orders/${orderId}/disputes`, buyer, aDispute({ lines: [{ productId: mug, quantity: 1 }] })), 409, 'DISPUTE_ALREADY_DECIDED');
    expect((await api.post(`/v1/orders/${orderId}/confirm-receipt`, buyer)).status).toBe(200);
    // After completion the dripper's line may still get its full value back, as a REVERSAL of the release.
    expectRefused(await api.post(`/v1/orders/${orderId}/disputes`, buyer, aDispute({ lines: [{ productId: dripper, quantity: 2 }], request: { type: 'REFUND', amount: usd(4901) } })), 409, 'REFUND_EXCEEDS_REFUNDABLE');
    const second = await open(orderId, buyer, { lines: [{ productId: dripper, quantity: 2 }], request: { type: 'REFUND', amount: usd(4900) } });
    expect((await api.post(`/v1/disputes/${second}/response`, seller, ACCEPT)).status).toBe(200);
    const ledger = await api.get<{ items: { type: string; amount: Money }[] }>(`/v1/orders/${orderId}/ledger`, buyer);
    expect(ledger.body.items.filter((entry) => entry.type === 'REVERSAL').map((entry) => entry.amount.amount)).toEqual([4900]);
    expect(await api.expectEscrowBalanced(orderId, buyer)).toMatchObject({ refunded: 6100, released: 1200, held: 0 });
  });
});

describe('negotiation rounds and the 15-day escalation (hole 9)', () => {
  interface Timed extends DisputeBody {
    openedAt: string;
    deadlines: Partial<Record<'sellerResponse' | 'buyerResponse' | 'autoEscalate', string>>;
    timeline: { actor: string; action: string; message: string | null }[];
  }

  it('lets the buyer revise, gives the seller 5 days again, and the timers job escalates the dispute still negotiating 15 days after opening', async () => {
    const { api } = local;
    const { buyer, seller, orderId } = await api.shippedOrder();
    const disputeId = await open(orderId, buyer, {});
    const revise = (amount: number) => api.post<Timed>(`/v1/disputes/${disputeId}/revise`, buyer, { request: { type: 'REFUND', amount: usd(amount) }, message: 'Meet me halfway, please.' });
    // Nothing to answer yet: the seller has not countered.
    expectRefused(await revise(800), 409, 'NO_COUNTER_OFFER');
    expect((await api.post(`/v1/disputes/${disputeId}/response`, seller, aCounterOffer(300))).status).toBe(200);
    const revisedAt = await api.moveClock('P5D');
    const revised = await revise(800);
    expect(revised.status, revised.text).toBe(200);
    expect(revised.body).toMatchObject({ status: 'AWAITING_SELLER', request: { type: 'REFUND', amount: usd(800) }, counterOffer: null });
    // The platform clock runs on from the moment it was moved: the new window starts at the revision, a moment later.
    const window = Date.parse(revised.body.deadlines.sellerResponse as string) - Date.parse(revisedAt);
    expect(window).toBeGreaterThanOrEqual(5 * 86_400_000);
    expect(window).toBeLessThan(5 * 86_400_000 + 60_000);
    expect(Date.parse(revised.body.deadlines.autoEscalate as string) - Date.parse(revised.body.openedAt)).toBe(15 * 86_400_000);
    await api.moveClock('P4D');
    expect((await api.post(`/v1/disputes/${disputeId}/response`, seller, aCounterOffer(500))).status).toBe(200);
    // Day 15 + 1 minute: the buyer's answer is due on day 16, but negotiation is over.
    await api.setClock(new Date(Date.parse(revised.body.openedAt) + 15 * 86_400_000 + 60_000).toISOString());
    await api.runJob('timers');
    const after = await api.get<Timed>(`/v1/disputes/${disputeId}`, buyer);
    expect(after.body.status).toBe('ESCALATED');
    expect(after.body.timeline.at(-1)).toMatchObject({ actor: 'system', action: 'AUTO_ESCALATED', message: expect.stringContaining('15 days after opening') });
    expect((await api.expectEscrowBalanced(orderId, buyer)).refunded).toBe(0);
    await api.resetClock();
  });
});

// ---- Arbitration: the SLA queue and appeals ----

interface Decided extends DisputeBody {
  decisionDueBy: string | null;
  escalatedAt?: string;
  appealableUntil: string | null;
  appeal: { by: string; statement: string; evidence: unknown[]; decision: { refundAmount: Money; compensation: Money; rationale: string } | null } | null;
  timeline: { actor: string; action: string; message: string | null; amount: Money | null }[];
}

const HOUR = 3_600_000;
const aDecision = (amount: number) => ({ refundAmount: usd(amount), returnRequired: false, rationale: 'The photos show the damage clearly.' });
const anAppealFile = (as: Actor) => local.api.upload(as, PNG_BYTES, { purpose: 'dispute-evidence', contentType: 'image/png' });

/** A shipped order whose buyer disputed 1000, the seller countered 100 and the buyer escalated. */
async function escalatedDispute() {
  const { api } = local;
  const deal = await api.shippedOrder();
  const disputeId = await open(deal.orderId, deal.buyer, {});
  expect((await api.post(`/v1/disputes/${disputeId}/response`, deal.seller, aCounterOffer(100))).status).toBe(200);
  const up = await api.post<Decided>(`/v1/disputes/${disputeId}/escalate`, deal.buyer, { message: 'Please decide.' });
  expect(up.status, up.text).toBe(200);
  return { ...deal, disputeId, escalated: up.body };
}

/** …and admin `first` decided a refund of 500: resolved, appealable for 30 days. */
async function decidedDispute() {
  const { api } = local;
  const escalated = await escalatedDispute();
  const first = await api.actor('admin');
  const decided = await api.post<Decided>(`/v1/admin/disputes/${escalated.disputeId}/decision`, first, aDecision(500));
  expect(decided.body).toMatchObject({ status: 'RESOLVED', resolution: { refundAmount: usd(500) }, decisionDueBy: null });
  return { ...escalated, first, decided: decided.body };
}

const refundsOf = async (orderId: string, as: Actor) =>
  (await local.api.get<{ items: { type: string; amount: Money }[] }>(`/v1/orders/${orderId}/ledger`, as)).body.items.filter((entry) => entry.type === 'REFUND').map((entry) => entry.amount.amount);

describe('the arbitration SLA', () => {
  it('gives each escalation 48 h and lists the queue by that deadline, the one due first first (not by opening)', async () => {
    const { api } = local;
    const [a, b] = [await api.shippedOrder(), await api.shippedOrder()];
    const [first, second] = [await open(a.orderId, a.buyer, {}), await open(b.orderId, b.buyer, {})];
    for (const [deal, disputeId] of [[a, first], [b, second]] as const) expect((await api.post(`/v1/disputes/${disputeId}/response`, deal.seller, aCounterOffer(100))).status).toBe(200);
    // The dispute opened second is escalated first.
    const escalatedAt = await api.moveClock('PT1H');
    const early = await api.post<Decided>(`/v1/disputes/${second}/escalate`, b.buyer, { message: 'Please decide.' });
    await api.moveClock('PT2H');
    const late = await api.post<Decided>(`/v1/disputes/${first}/escalate`, a.buyer, { message: 'Please decide.' });
    const due = Date.parse(early.body.decisionDueBy as string) - Date.parse(escalatedAt);
    expect(due).toBeGreaterThanOrEqual(48 * HOUR);
    expect(due).toBeLessThan(48 * HOUR + 60_000);
    expect(early.body.decisionDueBy! < late.body.decisionDueBy!).toBe(true);
    const queue = await api.get<{ items: Decided[] }>('/v1/disputes?status=ESCALATED&limit=100', await api.actor('admin'));
    expect(queue.status, queue.text).toBe(200);
    const dues = queue.body.items.map((item) => item.decisionDueBy as string);
    expect(dues).toEqual([...dues].sort());
    expect(queue.body.items.map((item) => item.disputeId).filter((id) => id === first || id === second)).toEqual([second, first]);
    await api.resetClock();
  });

  it('counts a decision overdue when its 48 h pass: an ArbitrationOverdue event and a timeline entry citing the rule, once', async () => {
    const { api } = local;
    const { disputeId, escalated, buyer } = await escalatedDispute();
    await api.setClock(new Date(Date.parse(escalated.decisionDueBy as string) + 60_000).toISOString());
    const { lines } = await logLines(() => api.runJob('timers'));
    expect(lines.filter((line) => line.businessEvent === 'ArbitrationOverdue' && line.disputeId === disputeId)).toHaveLength(1);
    const after = await api.get<Decided>(`/v1/disputes/${disputeId}`, buyer);
    expect(after.body.status).toBe('ESCALATED');
    expect(after.body.timeline.filter((item) => item.action === 'DECISION_OVERDUE')).toMatchObject([{ actor: 'system', message: expect.stringContaining('within 48 hours') }]);
    const { lines: again } = await logLines(() => api.runJob('timers'));
    expect(again.filter((line) => line.businessEvent === 'ArbitrationOverdue' && line.disputeId === disputeId)).toHaveLength(0);
    await api.resetClock();
  });
});

describe('appeals', () => {
  it("raises the refund on the buyer's appeal, decided by another admin, paying the difference through escrow; final", async () => {
    const { api } = local;
    const { buyer, seller, orderId, disputeId, first } = await decidedDispute();
    expect(await refundsOf(orderId, buyer)).toEqual([500]);
    const appealed = await api.post<Decided>(`/v1/disputes/${disputeId}/appeal`, buyer, { statement: 'These new photos show the crack runs through.', evidence: [await anAppealFile(buyer)] });
    expect(appealed.status, appealed.text).toBe(200);
    expect(appealed.body).toMatchObject({ status: 'APPEALED', appeal: { by: 'buyer', decision: null }, appealableUntil: null });
    expect(appealed.body.appeal?.evidence).toHaveLength(1);
    const queue = await api.get<{ items: Decided[] }>('/v1/disputes?status=APPEALED&limit=100', first);
    expect(queue.body.items.map((item) => item.disputeId)).toContain(disputeId);
    expectRefused(await api.post(`/v1/orders/${orderId}/confirm-receipt`, buyer), 409, 'ORDER_DISPUTE_OPEN');

    const decide = (admin: Actor, body: Record<string, unknown>) => api.post<Decided>(`/v1/admin/disputes/${disputeId}/decision`, admin, { rationale: 'Reviewed again with the new photos.', ...body });
    expectRefused(await decide(first, { refundAmount: usd(900) }), 409, 'SAME_ARBITER');
    const second = await api.actor('admin');
    expectRefused(await decide(second, { refundAmount: usd(400) }), 409, 'APPEAL_DECISION_NOT_ALLOWED');
    expectRefused(await decide(second, { compensation: usd(100) }), 409, 'APPEAL_DECISION_NOT_ALLOWED');
    const final = await decide(second, { refundAmount: usd(900) });
    expect(final.status, final.text).toBe(200);
    expect(final.body).toMatchObject({ status: 'RESOLVED', resolution: { outcome: 'REFUNDED', refundAmount: usd(900) }, appeal: { decision: { refundAmount: usd(900), compensation: usd(0) } } });
    expect(await refundsOf(orderId, buyer)).toEqual([500, 400]);
    await api.expectEscrowBalanced(orderId, buyer);
    expectRefused(await api.post(`/v1/disputes/${disputeId}/appeal`, seller, { statement: 'We disagree with the appeal.', evidence: [await anAppealFile(seller)] }), 409, 'ALREADY_APPEALED');
    expectRefused(await decide(second, { refundAmount: usd(1000) }), 409, 'DISPUTE_CLOSED');
  });

  it("answers the seller's appeal with a compensation recorded on the dispute and its timeline; the buyer keeps the refund", async () => {
    const { api } = local;
    const { buyer, seller, orderId, disputeId } = await decidedDispute();
    const appealed = await api.post<Decided>(`/v1/disputes/${disputeId}/appeal`, seller, { statement: 'The buyer damaged it; see the courier photo.', evidence: [await anAppealFile(seller)] });
    expect(appealed.status, appealed.text).toBe(200);
    const second = await api.actor('admin');
    expectRefused(await api.post(`/v1/admin/disputes/${disputeId}/decision`, second, { refundAmount: usd(0), rationale: 'The courier photo shows it intact.' }), 409, 'APPEAL_DECISION_NOT_ALLOWED');
    const final = await api.post<Decided>(`/v1/admin/disputes/${disputeId}/decision`, second, { compensation: usd(500), rationale: 'The courier photo shows it intact.' });
    expect(final.status, final.text).toBe(200);
    expect(final.body).toMatchObject({ status: 'RESOLVED', resolution: { refundAmount: usd(500) }, appeal: { by: 'seller', decision: { refundAmount: usd(500), compensation: usd(500) } } });
    const seen = await api.get<Decided>(`/v1/disputes/${disputeId}`, seller);
    expect(seen.body.timeline.at(-1)).toMatchObject({ actor: 'admin', action: 'COMPENSATION_GRANTED', amount: usd(500) });
    expect(await refundsOf(orderId, buyer)).toEqual([500]);
    await api.expectEscrowBalanced(orderId, buyer);
  });

  it('takes an appeal only with new evidence and only within 30 days; the window closing is a timer that says so', async () => {
    const { api } = local;
    const { buyer, disputeId, decided } = await decidedDispute();
    const statement = 'Please look at this decision again.';
    expectRefused(await api.post(`/v1/disputes/${disputeId}/appeal`, buyer, { statement, evidence: [] }), 400, 'VALIDATION_FAILED');
    // A file another dispute already used is not new evidence.
    const used = await anAppealFile(buyer);
    const other = await api.shippedOrder({});
    const otherOrder = await api.post('/v1/orders', buyer, { items: [{ productId: other.productId, quantity: 1 }], shippingAddress: anAddress(), paymentReference: `pay_${uniqueId('ref')}` });
    expect((await api.post(`/v1/orders/${String(otherOrder.body.orderId)}/shipment`, other.seller, aShipment())).status).toBe(200);
    expect((await api.post(`/v1/orders/${String(otherOrder.body.orderId)}/disputes`, buyer, aDispute({ evidence: [used] }))).status).toBe(201);
    expectRefused(await api.post(`/v1/disputes/${disputeId}/appeal`, buyer, { statement, evidence: [used] }), 400, 'UPLOAD_NOT_USABLE');
    expect(decided.appealableUntil).not.toBeNull();
    await api.setClock(new Date(Date.parse(decided.appealableUntil as string) + 60_000).toISOString());
    expectRefused(await api.post(`/v1/disputes/${disputeId}/appeal`, buyer, { statement, evidence: [await anAppealFile(buyer)] }), 409, 'APPEAL_WINDOW_CLOSED');
    await api.runJob('timers');
    const after = await api.get<Decided>(`/v1/disputes/${disputeId}`, buyer);
    expect(after.body.timeline.at(-1)).toMatchObject({ actor: 'system', action: 'APPEAL_WINDOW_CLOSED', message: expect.stringContaining('30 days') });
    await api.resetClock();
  });
});

describe('deciding, concurrently and incompletely', () => {
  it('pays the raised refund of an appeal once when two other admins decide it at the same time', async () => {
    const { api } = local;
    const { buyer, orderId, disputeId } = await decidedDispute();
    expect((await api.post(`/v1/disputes/${disputeId}/appeal`, buyer, { statement: 'These new photos show the crack runs through.', evidence: [await anAppealFile(buyer)] })).status).toBe(200);
    const [one, two] = [await api.actor('admin'), await api.actor('admin')];
    const answers = await Promise.all([one, two].map((admin, n) => api.post(`/v1/admin/disputes/${disputeId}/decision`, admin, { refundAmount: usd(700 + n * 100), rationale: 'Reviewed again with the new photos.' })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    const refunds = await refundsOf(orderId, buyer);
    expect(refunds).toHaveLength(2);
    expect(refunds[0]).toBe(500);
    await api.expectEscrowBalanced(orderId, buyer);
  });

  it('refuses a decision on an escalated dispute without the refund or the return, or with a compensation (400)', async () => {
    const { api } = local;
    const { disputeId } = await escalatedDispute();
    const admin = await api.actor('admin');
    const rationale = 'The photos show the damage clearly.';
    expectRefused(await api.post(`/v1/admin/disputes/${disputeId}/decision`, admin, { rationale, returnRequired: false }), 400, 'VALIDATION_FAILED');
    expectRefused(await api.post(`/v1/admin/disputes/${disputeId}/decision`, admin, { rationale, refundAmount: usd(100) }), 400, 'VALIDATION_FAILED');
    expectRefused(await api.post(`/v1/admin/disputes/${disputeId}/decision`, admin, { ...aDecision(100), compensation: usd(50) }), 400, 'VALIDATION_FAILED');
  });
});
