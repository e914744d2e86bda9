/**
 * Reminders before deadlines (DOMAIN.md "Notifications"), through the API, the clock and the timers job:
 * 48 h before the seller's response, the buyer's counter-offer answer and the return shipment; 3 days
 * before buyer protection ends. Each fires once, not before its time, not again on a later sweep, and
 * not at all when the action was taken.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { documentClient } from '../../lambdas/store/client.js';
import { useLocalApi, type Actor } from '../support/local-api.js';
import { noticesOf } from '../support/notifications.js';

const local = useLocalApi();

const HOUR = 3_600_000;
const usd = (amount: number) => ({ amount, currency: 'USD' });
const aDispute = (type = 'REFUND') => ({ reason: 'DAMAGED', request: { type, amount: usd(1000) }, description: 'The lid arrived cracked in two places.', evidence: [] });
const aCounterOffer = (amount: number) => ({ action: 'COUNTER_OFFER', counterOffer: { type: 'REFUND', amount: usd(amount) }, message: 'We can refund part of it.', evidence: [] });
const ACCEPT = { action: 'ACCEPT', message: 'Send it back, please.', evidence: [] };
/** The REMINDER timer of a deadline, as stored: present while the reminder waits. */
const reminderTimer = async (entityId: string) => (await documentClient().send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { PK: `TIMER#REMINDER#${entityId}`, SK: 'TIMER' } }))).Item;
const shift = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/**
 * The timer sweep remembers how far each shard was swept, so each test starts later than any sweep
 * before it (protection ends up to 75 days out) and leaves the clock there.
 */
let nextStart = Date.now() + 86_400_000;
async function startLater(): Promise<void> {
  nextStart += 120 * 86_400_000;
  await local.api.setClock(new Date(nextStart).toISOString());
}

/** Sweeps at `at`, then returns the reminders about `subjectId` in the actor's inbox. */
async function sweepAt(at: string, as: Actor, type: string, subjectId: string) {
  await local.api.setClock(at);
  await local.api.runJob('timers');
  return noticesOf(local.api, as, type, subjectId);
}

async function opened(type = 'REFUND') {
  const { api } = local;
  await startLater();
  const deal = await api.shippedOrder();
  const dispute = await api.post<{ disputeId: string; deadlines: Record<string, string> }>(`/v1/orders/${deal.orderId}/disputes`, deal.buyer, aDispute(type));
  expect(dispute.status, dispute.text).toBe(201);
  return { ...deal, disputeId: dispute.body.disputeId, deadlines: dispute.body.deadlines };
}

describe('dispute deadline reminders', () => {
  it("reminds the seller (only) 48 h before the response deadline, once, with it", async () => {
    const { buyer, seller, disputeId, deadlines } = await opened();
    const due = deadlines.sellerResponse as string;
    expect(await sweepAt(shift(due, -48 * HOUR - 60_000), seller, 'DEADLINE_REMINDER', disputeId)).toEqual([]);
    const [reminder] = await sweepAt(shift(due, -48 * HOUR + 60_000), seller, 'DEADLINE_REMINDER', disputeId);
    expect(reminder).toMatchObject({ dueAt: due, read: false, subject: { kind: 'dispute', id: disputeId } });
    expect(await sweepAt(shift(due, -47 * HOUR), seller, 'DEADLINE_REMINDER', disputeId)).toHaveLength(1);
    expect(await noticesOf(local.api, buyer, 'DEADLINE_REMINDER', disputeId)).toEqual([]);
  });

  it('does not remind a seller who responded, and reminds the buyer of the counter-offer 48 h before its deadline', async () => {
    const { api } = local;
    const { buyer, seller, disputeId, deadlines } = await opened();
    expect(await reminderTimer(`${disputeId}#sellerResponse`)).toBeDefined();
    const countered = await api.post<{ deadlines: Record<string, string> }>(`/v1/disputes/${disputeId}/response`, seller, aCounterOffer(500));
    expect(countered.status, countered.text).toBe(200);
    // Removed in the response's own transaction; the counter-offer's is set there too.
    expect(await reminderTimer(`${disputeId}#sellerResponse`)).toBeUndefined();
    expect(await reminderTimer(`${disputeId}#buyerResponse`)).toBeDefined();
    expect(await sweepAt(shift(deadlines.sellerResponse as string, -47 * HOUR), seller, 'DEADLINE_REMINDER', disputeId)).toEqual([]);
    const due = countered.body.deadlines.buyerResponse as string;
    const [reminder] = await sweepAt(shift(due, -47 * HOUR), buyer, 'DEADLINE_REMINDER', disputeId);
    expect(reminder?.dueAt).toBe(due);
    expect(await noticesOf(api, seller, 'DEADLINE_REMINDER', disputeId)).toEqual([]);
  });

  it('does not remind a buyer who answered the counter-offer', async () => {
    const { api } = local;
    const { buyer, seller, disputeId } = await opened();
    const countered = await api.post<{ deadlines: Record<string, string> }>(`/v1/disputes/${disputeId}/response`, seller, aCounterOffer(500));
    expect((await api.post(`/v1/disputes/${disputeId}/accept-offer`, buyer)).status).toBe(200);
    expect(await sweepAt(shift(countered.body.deadlines.buyerResponse as string, -47 * HOUR), buyer, 'DEADLINE_REMINDER', disputeId)).toEqual([]);
  });

  it('reminds the buyer 48 h before the return shipment deadline, and not once the return shipped', async () => {
    const { api } = local;
    const first = await opened('RETURN_AND_REFUND');
    const agreed = await api.post<{ deadlines: Record<string, string> }>(`/v1/disputes/${first.disputeId}/response`, first.seller, ACCEPT);
    expect(agreed.status, agreed.text).toBe(200);
    const due = agreed.body.deadlines.returnShipment as string;
    const [reminder] = await sweepAt(shift(due, -47 * HOUR), first.buyer, 'DEADLINE_REMINDER', first.disputeId);
    expect(reminder?.dueAt).toBe(due);

    const second = await opened('RETURN_AND_REFUND');
    const agreedAgain = await api.post<{ deadlines: Record<string, string> }>(`/v1/disputes/${second.disputeId}/response`, second.seller, ACCEPT);
    const shipped = await api.post(`/v1/disputes/${second.disputeId}/return-shipment`, second.buyer, { carrier: 'USPS', trackingNumber: `9400${Date.now()}` });
    expect(shipped.status, shipped.text).toBe(200);
    expect(await sweepAt(shift(agreedAgain.body.deadlines.returnShipment as string, -47 * HOUR), second.buyer, 'DEADLINE_REMINDER', second.disputeId)).toEqual([]);
  });
});

describe('protection-ending reminder', () => {
  it('reminds the buyer (only) 3 days before protection ends, once, with its end', async () => {
    const { api } = local;
    await startLater();
    const { buyer, seller, orderId, order } = await api.shippedOrder();
    const endsAt = String(order.protectionEndsAt);
    expect(await sweepAt(shift(endsAt, -72 * HOUR - 60_000), buyer, 'PROTECTION_ENDING', orderId)).toEqual([]);
    const [reminder] = await sweepAt(shift(endsAt, -71 * HOUR), buyer, 'PROTECTION_ENDING', orderId);
    expect(reminder).toMatchObject({ dueAt: endsAt, subject: { kind: 'order', id: orderId } });
    expect(await sweepAt(shift(endsAt, -70 * HOUR), buyer, 'PROTECTION_ENDING', orderId)).toHaveLength(1);
    expect(await noticesOf(api, seller, 'PROTECTION_ENDING', orderId)).toEqual([]);
  });

  it('does not remind a buyer who confirmed receipt, nor one whose dispute is open', async () => {
    const { api } = local;
    await startLater();
    const confirmed = await api.shippedOrder();
    expect(await reminderTimer(`${confirmed.orderId}#protection`)).toBeDefined();
    expect((await api.post(`/v1/orders/${confirmed.orderId}/confirm-receipt`, confirmed.buyer)).status).toBe(200);
    expect(await reminderTimer(`${confirmed.orderId}#protection`)).toBeUndefined();
    const disputed = await api.shippedOrder();
    expect((await api.post(`/v1/orders/${disputed.orderId}/disputes`, disputed.buyer, aDispute())).status).toBe(201);
    expect(await reminderTimer(`${disputed.orderId}#protection`)).toBeUndefined();
    const endsAt = String(disputed.order.protectionEndsAt);
    await sweepAt(shift(endsAt, -71 * HOUR), confirmed.buyer, 'PROTECTION_ENDING', confirmed.orderId);
    expect(await noticesOf(api, confirmed.buyer, 'PROTECTION_ENDING', confirmed.orderId)).toEqual([]);
    expect(await noticesOf(api, disputed.buyer, 'PROTECTION_ENDING', disputed.orderId)).toEqual([]);
  });

  it('moves with an extension of protection: the reminder warns of the new end', async () => {
    const { api } = local;
    await startLater();
    const { buyer, orderId, order } = await api.shippedOrder();
    const extended = await api.post<{ protectionEndsAt: string }>(`/v1/orders/${orderId}/extend-protection`, buyer);
    expect(extended.status, extended.text).toBe(200);
    expect(await sweepAt(shift(String(order.protectionEndsAt), -71 * HOUR), buyer, 'PROTECTION_ENDING', orderId)).toEqual([]);
    const [reminder] = await sweepAt(shift(extended.body.protectionEndsAt, -71 * HOUR), buyer, 'PROTECTION_ENDING', orderId);
    expect(reminder?.dueAt).toBe(extended.body.protectionEndsAt);
  });
});
