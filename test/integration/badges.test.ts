/**
 * The daily badge job (decision 022): badges come and go with the job, a seller whose window moved is
 * recomputed by its BADGES_WINDOW timer's mark, idle sellers cost the job nothing, and a second run
 * changes nothing.
 */
import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { runBadgeJob } from '../../lambdas/jobs/badges.js';
import { clock } from '../../lambdas/platform/clock.js';
import { documentClient, recordDynamoCalls } from '../../lambdas/store/client.js';
import { markReputationDirty, reputationMarkEntity, sellerBadgesEntity } from '../../lambdas/store/reputation-badges.js';
import { partitionItems } from '../../lambdas/store/reads.js';
import { shardFor } from '../../lambdas/store/sharded-counter.js';
import { transact } from '../../lambdas/store/transactions.js';
import { recomputeBadges } from '../../lambdas/services/badges.js';
import { sellerProfileEntity, sellerStatsShards } from '../../lambdas/store/sellers.js';
import { anAddress, useLocalApi, type Actor } from '../support/local-api.js';

const local = useLocalApi();

afterEach(async () => {
  await local.api.resetClock();
});

interface Shop {
  badges: { code: string; reason: string }[];
}
const badgesOf = async (seller: Actor) => {
  const shop = await local.api.get<Shop>(`/v1/sellers/${seller.userId}`);
  expect(shop.status, shop.text).toBe(200);
  return shop.body.badges;
};

const marksOf = async (sellerId: string) =>
  (await partitionItems(`SELLER#${sellerId}`, { from: 'DIRTY#REPUTATION#', to: 'DIRTY#REPUTATION#~' })).map(reputationMarkEntity.parse);

/** A source id that the counters (and the marks) put on `shard`. */
const sourceOnShard = (shard: number): string => {
  for (let i = 0; ; i++) if (shardFor(`source-${i}`) === shard) return `source-${i}`;
};

/** A buyer writes to the seller and the seller answers two hours later: a response within 24 h. */
async function answeredConversation(seller: Actor, productId: string): Promise<void> {
  const { api } = local;
  const buyer = await api.actor('buyer');
  const started = await api.post<{ conversationId: string }>('/v1/conversations', buyer, { sellerId: seller.userId, productId });
  expect(started.status, started.text).toBe(201);
  const path = `/v1/conversations/${started.body.conversationId}/messages`;
  expect((await api.post(path, buyer, { text: 'Is the kettle still available?', attachments: [] })).status).toBe(201);
  await api.moveClock('PT2H');
  expect((await api.post(path, seller, { text: 'Yes, it ships tomorrow.', attachments: [] })).status).toBe(201);
}

describe('the badge job', () => {
  it('grants a badge with its reason once its threshold is met, and takes it away when the window moved past the figures', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    await answeredConversation(seller, productId);
    expect(await badgesOf(seller)).toEqual([]);

    const first = await api.runJob('badges');
    expect(first.processed).toBeGreaterThanOrEqual(1);
    expect(await badgesOf(seller)).toContainEqual({ code: 'RESPONSIVE', reason: 'answered 100 % of 1 buyer conversations within 24 h' });

    // Three months later the response is out of its window: no event happened, the window's timer marks the seller.
    await api.runJob('timers'); // the sweep's progress starts here, as it does in a running system
    await api.moveClock('P95D');
    await api.runJob('timers');
    expect(await api.runJob('badges')).toMatchObject({ processed: 1, changed: 1 });
    expect((await badgesOf(seller)).map((badge) => badge.code)).not.toContain('RESPONSIVE');
  });

  it('runs twice without changing anything: the second run finds no marked seller', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    await answeredConversation(seller, productId);
    await api.runJob('badges');
    const granted = await badgesOf(seller);
    expect(granted.map((badge) => badge.code)).toContain('RESPONSIVE');
    expect(await runBadgeJob()).toEqual({ processed: 0, changed: 0, deferred: 0 });
    expect(await badgesOf(seller)).toEqual(granted);
  });

  it('does not rewrite a marked seller whose badges did not change', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    await answeredConversation(seller, productId);
    await runBadgeJob();
    const stored = async () => (await documentClient().send(new GetCommand({ TableName: String(process.env.TABLE_NAME), Key: sellerBadgesEntity.key({ sellerId: seller.userId }), ConsistentRead: true }))).Item;
    const before = await stored();
    expect(before).toMatchObject({ version: 1 });
    // An order placed counts for the seller and marks it; no badge nor reason depends on it.
    const buyer = await api.actor('buyer');
    const placed = await api.post('/v1/orders', buyer, { items: [{ productId, quantity: 1 }], shippingAddress: anAddress(), paymentReference: `pay_${buyer.userId}` });
    expect(placed.status, placed.text).toBe(201);
    expect(await runBadgeJob()).toEqual({ processed: 1, changed: 0, deferred: 0 });
    expect(await stored()).toEqual(before);
  });

  it('keeps a mark written while the job computed, so the newer count is recomputed by the next run', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    await runBadgeJob();
    await answeredConversation(seller, productId);
    const read = await marksOf(seller.userId);
    expect(read.length).toBeGreaterThan(0);
    // The seller is counted again on every shard it was marked on, between the job's read and its write.
    await transact(read.map((mark) => markReputationDirty(seller.userId, sourceOnShard(mark.shard))));
    expect(await recomputeBadges(seller.userId, read)).toBe('deferred');
    expect(await badgesOf(seller)).toEqual([{ code: 'VERIFIED', reason: 'identity verified by the platform' }]);
    expect((await marksOf(seller.userId)).map((mark) => mark.shard)).toEqual(read.map((mark) => mark.shard));

    expect(await runBadgeJob()).toMatchObject({ processed: 1, changed: 1, deferred: 0 });
    expect(await badgesOf(seller)).toContainEqual({ code: 'RESPONSIVE', reason: 'answered 100 % of 1 buyer conversations within 24 h' });
    expect(await marksOf(seller.userId)).toEqual([]);
  });

  it('costs the same calls with 0 and with 200 idle sellers', async () => {
    await runBadgeJob(); // marks left by this file's earlier tests
    const idle = async () => {
      const calls = recordDynamoCalls();
      const run = await runBadgeJob();
      return { run, calls: calls.stop().length };
    };
    const none = await idle();

    const now = clock.nowIso();
    const month = now.slice(0, 7);
    const items = Array.from({ length: 200 }, (_, i) => `sel_idle${Date.now()}x${i}`).flatMap((sellerId) => [
      sellerProfileEntity.item({ sellerId, storeName: 'Idle shop', country: 'DE', createdAt: now, updatedAt: now, ordersBlockedUntil: null, closedAt: null }),
      { ...sellerStatsShards.entity.key({ sellerId, month, shard: 0 }), entity: 'sellerStats', shipments: 30, lateShipments: 0 },
      sellerBadgesEntity.item({ sellerId, badges: [{ code: 'FAST_SHIPPER', reason: '100 % of 30 shipments on time in the last 6 months' }], computedAt: now, windowMovesAt: null, version: 1 }),
    ]);
    for (let start = 0; start < items.length; start += 25) {
      const puts = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
      await documentClient().send(new BatchWriteCommand({ RequestItems: { [String(process.env.TABLE_NAME)]: puts } }));
    }
    const many = await idle();
    expect(none.run).toEqual({ processed: 0, changed: 0, deferred: 0 });
    expect(many.run).toEqual(none.run);
    expect(many.calls).toBe(none.calls);
  });
});
