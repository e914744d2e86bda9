/**
 * Calls per operation of the disputes routes. Four shipped orders of one store, one dispute each, walked
 * down the paths that reach every route:
 *   A  return and refund: open → seller ACCEPTs → return shipped → return received (refund) → the refund
 *   B  seller's COUNTER_OFFER → buyer accepts the offer
 *   C  COUNTER_OFFER → escalation → admin decision
 *   D  buyer withdraws
 *   E  opened with an Idempotency-Key, then the retry (a replay)
 * Each dispute action reads the dispute, then its order, and writes one transaction: the derived target is
 * ≤ 3 calls (two deciding reads + the write), marked `*`.
 */
import type { LocalHost } from '../../lib/local/host.js';
import { stringField, usd, type Actor, type BenchClient, type Json } from './client.js';
import { costProbes, DISPUTE_ACTION_CALLS, type CostRow, type Probe } from './dynamo-costs.js';

const TOTAL = 2450;
const aDispute = (type: 'REFUND' | 'RETURN_AND_REFUND'): Json => ({ reason: 'NOT_AS_DESCRIBED', request: { type, amount: usd(TOTAL) }, description: 'The colour and the size differ from the listing photos.', evidence: [] });
const aCounterOffer = (amount: number): Json => ({ action: 'COUNTER_OFFER', counterOffer: { type: 'REFUND', amount: usd(amount) }, message: 'We can refund part of it and you keep the item.', evidence: [] });

export async function measureDisputeCosts(host: LocalHost, client: BenchClient): Promise<CostRow[]> {
  const { rows, run } = costProbes(client);
  const { seller, productId } = await client.sellerWithListing();
  const buyer = await client.actor('buyer');
  const admin = await client.actor('admin');
  const [a, b, c, d, e] = await Promise.all([0, 1, 2, 3, 4].map(() => client.shippedOrder(seller, buyer, [productId])));

  const open = async (orderId: string | undefined, type: 'REFUND' | 'RETURN_AND_REFUND', label?: string): Promise<string> => {
    const path = `/v1/orders/${orderId}/disputes`;
    const options = { as: buyer, body: aDispute(type) };
    const opened = label ? await run({ label, route: 'POST /v1/orders/{orderId}/disputes', maxCalls: 2, status: 201, path, options }) : await client.expect(201, 'POST', path, options);
    return stringField(opened.body, 'disputeId');
  };
  const act = (label: string, route: Probe['route'], disputeId: string, as: Actor, body?: Json) =>
    run({ label, route, maxCalls: DISPUTE_ACTION_CALLS, status: 200, path: route.slice(route.indexOf(' ') + 1).replace('{disputeId}', disputeId), options: { as, body } });

  // A: the return path, and the reads.
  const disputeA = await open(a, 'RETURN_AND_REFUND', 'open dispute');
  await run({ label: 'get dispute (with timeline)', route: 'GET /v1/disputes/{disputeId}', maxCalls: 1, status: 200, path: `/v1/disputes/${disputeA}`, options: { as: buyer } });
  await run({ label: 'my disputes, page (buyer)', route: 'GET /v1/disputes', maxCalls: 1, status: 200, path: '/v1/disputes?limit=20', options: { as: buyer } });
  await run({ label: "my store's disputes, page (seller)", route: 'GET /v1/disputes', maxCalls: 1, status: 200, path: '/v1/disputes?limit=20', options: { as: seller } });
  await act('seller response: ACCEPT', 'POST /v1/disputes/{disputeId}/response', disputeA, seller, { action: 'ACCEPT', message: 'Sorry about that; send it back for a full refund.', evidence: [] });
  await act('return shipped', 'POST /v1/disputes/{disputeId}/return-shipment', disputeA, buyer, { carrier: 'USPS', trackingNumber: '9400-1000-0000' });
  const received = await act('return received (refund issued)', 'POST /v1/disputes/{disputeId}/return-received', disputeA, seller);
  const resolution = received.body.resolution as Json | null;
  const refundId = resolution && typeof resolution.refundId === 'string' ? resolution.refundId : undefined;
  if (!refundId) throw new Error(`the return did not issue a refund: ${received.text.slice(0, 300)}`);
  await run({ label: 'get refund', route: 'GET /v1/refunds/{refundId}', maxCalls: 1, status: 200, path: `/v1/refunds/${refundId}`, options: { as: buyer } });

  // B: counter-offer accepted.
  const disputeB = await open(b, 'REFUND');
  await act('seller response: COUNTER_OFFER', 'POST /v1/disputes/{disputeId}/response', disputeB, seller, aCounterOffer(1200));
  await act('accept counter-offer', 'POST /v1/disputes/{disputeId}/accept-offer', disputeB, buyer);

  // C: escalated (needs the seller's first response) and decided by an admin.
  const disputeC = await open(c, 'REFUND');
  await client.expect(200, 'POST', `/v1/disputes/${disputeC}/response`, { as: seller, body: aCounterOffer(500) });
  await act('escalate', 'POST /v1/disputes/{disputeId}/escalate', disputeC, buyer, { message: 'We cannot agree; please decide.' });
  await run({ label: 'escalated disputes, page (admin)', route: 'GET /v1/disputes', maxCalls: 1, status: 200, path: '/v1/disputes?status=ESCALATED&limit=20', options: { as: admin } });
  await act('admin decision (refund)', 'POST /v1/admin/disputes/{disputeId}/decision', disputeC, admin, { refundAmount: usd(TOTAL), returnRequired: false, rationale: 'The photos show the difference clearly.' });

  // D: withdrawn.
  const disputeD = await open(d, 'REFUND');
  await act('withdraw (buyer cancels)', 'POST /v1/disputes/{disputeId}/cancel', disputeD, buyer);

  // E: the key's record is read with the order (one BatchGetItem) and written in the dispute's transaction.
  const keyed = { as: buyer, body: aDispute('REFUND'), headers: { 'idempotency-key': `bench-${e}` } };
  const openE = { route: 'POST /v1/orders/{orderId}/disputes', status: 201, path: `/v1/orders/${e}/disputes`, options: keyed } as const;
  const first = await run({ ...openE, label: 'open dispute, with Idempotency-Key', maxCalls: 2 });
  const replay = await run({ ...openE, label: 'open dispute, idempotent replay', maxCalls: 1 });
  if (stringField(replay.body, 'disputeId') !== stringField(first.body, 'disputeId')) throw new Error('the replay did not return the first dispute');

  await host.drainQueues(); // the escalation's case-file request, so later measurements start from empty queues
  return rows;
}
