/**
 * Buyer protection that a seller's claim cannot defeat (issue 8, holes 1 and 2), through the API: an
 * order auto-confirmed with no delivery ever shown still gets a NOT_RECEIVED dispute, and its refund,
 * with the escrow invariant held.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { useLocalApi } from '../support/local-api.js';

const local = useLocalApi();
afterEach(() => local.api.resetClock());

interface OrderBody {
  status: string;
  completedBy: string | null;
  deliveredAt: string | null;
  deliveryClaimedAt: string | null;
  total: { amount: number; currency: string };
}
interface DisputeBody {
  disputeId: string;
  status: string;
  agreement: { how: string } | null;
  resolution: { outcome: string; refundAmount: { amount: number } } | null;
}

describe('NOT_RECEIVED after an auto-confirm with no delivery (hole 2)', () => {
  it('is accepted, decided for a full refund by buyer protection, and the escrow balances', async () => {
    const { api } = local;
    const { buyer, seller, orderId } = await api.shippedOrder();
    // The seller claims a delivery: shown, but no proof.
    expect((await api.post(`/v1/orders/${orderId}/tracking-events`, seller, { status: 'DELIVERED', occurredAt: new Date().toISOString() })).status).toBe(201);
    await api.moveClock('P61D');
    await api.runJob('timers');
    const completed = (await api.get<OrderBody>(`/v1/orders/${orderId}`, buyer)).body;
    expect(completed).toMatchObject({ status: 'COMPLETED', completedBy: 'system', deliveredAt: null });
    expect(completed.deliveryClaimedAt).not.toBeNull();

    const opened = await api.post<DisputeBody>(`/v1/orders/${orderId}/disputes`, buyer, {
      reason: 'NOT_RECEIVED',
      request: { type: 'REFUND', amount: completed.total },
      description: 'The parcel never arrived.',
    });
    expect(opened.status, opened.text).toBe(201);

    await api.moveClock('P5DT1M');
    await api.runJob('timers');
    const decided = (await api.get<DisputeBody>(`/v1/disputes/${opened.body.disputeId}`, buyer)).body;
    expect(decided).toMatchObject({ status: 'RESOLVED', agreement: { how: 'BUYER_PROTECTION_REFUND' }, resolution: { outcome: 'REFUNDED', refundAmount: { amount: completed.total.amount } } });
    const ledger = await api.get<{ items: { type: string }[] }>(`/v1/orders/${orderId}/ledger`, seller);
    expect(ledger.body.items.map((entry) => entry.type)).toEqual(['HOLD', 'RELEASE', 'REVERSAL', 'REFUND']);
    await api.expectEscrowBalanced(orderId, buyer);
  });

  it('is closed 15 days after completion', async () => {
    const { api } = local;
    const { buyer, orderId, order } = await api.completedOrder();
    await api.moveClock('P15DT1M');
    const refused = await api.post(`/v1/orders/${orderId}/disputes`, buyer, { reason: 'NOT_RECEIVED', request: { type: 'REFUND', amount: order.total }, description: 'The parcel never arrived.' });
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.code).toBe('DISPUTE_WINDOW_CLOSED');
  });
});
