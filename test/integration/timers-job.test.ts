import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { documentClient, recordDynamoCalls } from '../../lambdas/store/client.js';
import { setTimer } from '../../lambdas/store/timers.js';
import { useLocalApi } from '../support/local-api.js';

const local = useLocalApi();

interface OrderBody {
  status: string;
  protectionEndsAt: string;
  completedBy: string | null;
  completedAt: string | null;
}

const oneSecondBefore = (iso: string) => new Date(new Date(iso).getTime() - 1000).toISOString();

afterEach(async () => {
  await local.api.resetClock();
});

describe('the timers job: auto-confirm receipt', () => {
  it('fires at the end of the protection period and not a second before', async () => {
    const { api } = local;
    const { buyer, orderId, order } = await api.shippedOrder();
    const endsAt = (order as unknown as OrderBody).protectionEndsAt;

    await api.setClock(oneSecondBefore(endsAt));
    await api.runJob('timers');
    expect((await api.get<OrderBody>(`/v1/orders/${orderId}`, buyer)).body.status).toBe('SHIPPED');

    await api.setClock(endsAt);
    const run = await api.runJob('timers');
    expect(run.processed).toBeGreaterThanOrEqual(1);
    const completed = await api.get<OrderBody>(`/v1/orders/${orderId}`, buyer);
    expect(completed.body).toMatchObject({ status: 'COMPLETED', completedBy: 'system' });
    // The clock keeps running after it is set, so completion is at (or just after) the end of protection.
    expect(completed.body.completedAt! >= endsAt).toBe(true);
    expect(await api.expectEscrowBalanced(orderId, buyer)).toMatchObject({ held: 0, released: 2450 });
  });

  it('changes nothing when run twice', async () => {
    const { api } = local;
    const { buyer, orderId, order } = await api.shippedOrder();
    await api.setClock((order as unknown as OrderBody).protectionEndsAt);
    await api.runJob('timers');
    const ledgerAfterFirst = await api.get(`/v1/orders/${orderId}/ledger`, buyer);
    const second = await api.runJob('timers');
    expect(second.processed).toBe(0);
    expect((await api.get(`/v1/orders/${orderId}/ledger`, buyer)).body).toEqual(ledgerAfterFirst.body);
  });

  it('releases once when two sweeps run at the same time', async () => {
    const { api } = local;
    const { buyer, orderId, order } = await api.shippedOrder();
    await api.setClock((order as unknown as OrderBody).protectionEndsAt);
    await Promise.all([api.runJob('timers'), api.runJob('timers')]);
    const ledger = await api.get<{ items: { type: string }[] }>(`/v1/orders/${orderId}/ledger`, buyer);
    expect(ledger.body.items.map((entry) => entry.type)).toEqual(['HOLD', 'RELEASE']);
    await api.expectEscrowBalanced(orderId, buyer);
  });

  it('waits for the extended end when the buyer extended protection', async () => {
    const { api } = local;
    const { buyer, orderId, order } = await api.shippedOrder();
    const originalEnd = (order as unknown as OrderBody).protectionEndsAt;
    const extended = await api.post<OrderBody>(`/v1/orders/${orderId}/extend-protection`, buyer);
    await api.setClock(originalEnd);
    await api.runJob('timers');
    expect((await api.get<OrderBody>(`/v1/orders/${orderId}`, buyer)).body.status).toBe('SHIPPED');
    await api.setClock(oneSecondBefore(extended.body.protectionEndsAt));
    await api.runJob('timers');
    expect((await api.get<OrderBody>(`/v1/orders/${orderId}`, buyer)).body.status).toBe('SHIPPED');
    await api.setClock(extended.body.protectionEndsAt);
    await api.runJob('timers');
    expect((await api.get<OrderBody>(`/v1/orders/${orderId}`, buyer)).body.status).toBe('COMPLETED');
  });

  it('has nothing left to do for an order the buyer already confirmed', async () => {
    const { api } = local;
    const { buyer, orderId, order } = await api.shippedOrder();
    await api.post(`/v1/orders/${orderId}/confirm-receipt`, buyer);
    await api.setClock((order as unknown as OrderBody).protectionEndsAt);
    expect((await api.runJob('timers')).processed).toBe(0);
    await api.expectEscrowBalanced(orderId, buyer);
  });

  it('reads only what is due: 1,000 timers that are not due add no reads to a sweep', async () => {
    const { api } = local;
    const { order } = await api.shippedOrder();
    const dueAt = (order as unknown as OrderBody).protectionEndsAt;
    await api.setClock(dueAt);
    // Measure a sweep on an empty backlog, then add 1,000 timers due later and sweep again at the same instant.
    await api.runJob('timers');
    const sweep = async () => {
      const recording = recordDynamoCalls();
      const result = await api.runJob('timers');
      return { result, calls: recording.stop() };
    };
    const before = await sweep();
    const later = new Date(new Date(dueAt).getTime() + 3 * 86_400_000).getTime();
    // Written as shipping an order writes them (setTimer), straight to the table: 1,000 orders over HTTP is slow.
    const items = Array.from({ length: 1000 }, (_, i) => ({
      PutRequest: { Item: setTimer({ kind: 'AUTO_CONFIRM', entityId: `ord_notdue${i}`, dueAt: new Date(later + i * 60_000).toISOString() }, dueAt).Put!.Item! },
    }));
    for (let i = 0; i < items.length; i += 25) {
      await documentClient().send(new BatchWriteCommand({ RequestItems: { [process.env.TABLE_NAME as string]: items.slice(i, i + 25) } }));
    }
    const after = await sweep();
    expect(after.result.processed).toBe(0);
    expect(after.calls.map((call) => call.operation)).toEqual(before.calls.map((call) => call.operation));
    expect(after.calls.reduce((sum, call) => sum + call.capacity, 0)).toBe(before.calls.reduce((sum, call) => sum + call.capacity, 0));
    expect(after.calls.some((call) => call.operation === 'Scan')).toBe(false);
  });
});
