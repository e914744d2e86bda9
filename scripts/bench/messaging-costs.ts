/**
 * Calls per operation of the messaging routes, in the order a conversation lives: a buyer contacts a
 * seller about a listing (and again: the existing one), writes, the seller answers, a photo is attached,
 * both sides list and read, a read marker, an escalation after 24 h unanswered, the support queue and the
 * admins' reads (a support conversation, and an order's conversation while its dispute is escalated).
 * Derived targets (`*`): a read is 1 call; a change is its deciding read plus its one write (+1 read when
 * a message names attachments: the upload records, like a review with a photo). An Idempotency-Key's
 * record is read with what the change reads anyway and written in its transaction: no extra call.
 */
import { fileURLToPath } from 'node:url';
import { startLocalHost, type LocalHost } from '../../lib/local/host.js';
import { clock, moveClock } from '../../lambdas/platform/clock.js';
import { BenchClient, PNG_BYTES, stringField, usd } from './client.js';
import { costProbes, costSection, type CostRow } from './dynamo-costs.js';
import { countUnits } from './recorder.js';
import { renderSection } from './report.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export async function measureMessagingCosts(host: LocalHost, client: BenchClient): Promise<CostRow[]> {
  const { rows, run } = costProbes(client);
  const { seller, productId } = await client.sellerWithListing();
  const buyer = await client.actor('buyer');
  const admin = await client.actor('admin');

  const start = { route: 'POST /v1/conversations', path: '/v1/conversations', options: { as: buyer, body: { sellerId: seller.userId, productId } } } as const;
  const started = await run({ ...start, label: 'start conversation (listing)', maxCalls: 2, status: 201 });
  await run({ ...start, label: 'start conversation, existing one (200)', maxCalls: 2, status: 200 });
  const keyedStart = { ...start, options: { ...start.options, headers: { 'idempotency-key': `bench-start-${productId}` } } };
  await run({ ...keyedStart, label: 'start conversation, existing one, with Idempotency-Key', maxCalls: 3, status: 200 });
  await run({ ...keyedStart, label: 'start conversation, idempotent replay', maxCalls: 1, status: 200 });
  const conversationId = stringField(started.body, 'conversationId');
  const messages = `/v1/conversations/${conversationId}/messages`;
  const send = (label: string, as: typeof buyer, body: Record<string, unknown>, maxCalls: number, headers?: Record<string, string>) =>
    run({ label, route: 'POST /v1/conversations/{conversationId}/messages', maxCalls, status: 201, path: messages, options: { as, body, ...(headers && { headers }) } });

  // Written a day ago, so that the buyer may escalate now: the clock goes back, and forward again after.
  moveClock({ now: new Date(clock.now().getTime() - DAY_MS - 60_000) });
  await send('send message (buyer)', buyer, { text: 'Does the dripper fit a size two filter?' }, 2);
  moveClock({ advanceByMs: DAY_MS + 60_000 });
  await run({ label: 'escalate to support (24 h unanswered)', route: 'POST /v1/conversations/{conversationId}/escalate', maxCalls: 2, status: 200, path: `/v1/conversations/${conversationId}/escalate`, options: { as: buyer } });
  // The seller's first reply also counts on the seller's monthly counters, in the same transaction.
  await send('send message (seller, first reply)', seller, { text: 'It does; standard size two filters fit.' }, 2);
  const photo = await client.upload(buyer, 'message-attachment', PNG_BYTES, 'image/png');
  await send('send message with a photo (adopted: S3 copy + check)', buyer, { text: 'Here is the one I have.', attachments: [photo] }, 3);
  // The key's record is read with the conversation (one BatchGetItem) and written in the message's transaction.
  const keyed = await send('send message, with Idempotency-Key', buyer, { text: 'Thanks, ordering now.' }, 2, { 'idempotency-key': `bench-${conversationId}` });
  const replay = await send('send message, idempotent replay', buyer, { text: 'Thanks, ordering now.' }, 1, { 'idempotency-key': `bench-${conversationId}` });
  if (stringField(replay.body, 'messageId') !== stringField(keyed.body, 'messageId')) throw new Error('the replay did not return the first message');
  for (const text of ['One more question.', 'Is it dishwasher safe?']) await client.expect(201, 'POST', messages, { as: buyer, body: { text } });

  await run({ label: 'my conversations, page (buyer)', route: 'GET /v1/conversations', maxCalls: 1, status: 200, path: '/v1/conversations?limit=20', options: { as: buyer } });
  await run({ label: 'my conversations, page (seller)', route: 'GET /v1/conversations', maxCalls: 1, status: 200, path: '/v1/conversations?limit=20', options: { as: seller } });
  const first = await run({ label: 'messages, first page (with the conversation)', route: 'GET /v1/conversations/{conversationId}/messages', maxCalls: 1, status: 200, path: `${messages}?limit=2`, options: { as: seller } });
  const cursor = encodeURIComponent(stringField(first.body, 'nextCursor'));
  await run({ label: 'messages, next page (cursor)', route: 'GET /v1/conversations/{conversationId}/messages', maxCalls: 1, status: 200, path: `${messages}?limit=2&cursor=${cursor}`, options: { as: seller } });
  await run({ label: 'read marker', route: 'POST /v1/conversations/{conversationId}/read', maxCalls: 2, status: 200, path: `/v1/conversations/${conversationId}/read`, options: { as: seller } });

  await run({ label: 'support queue, page (admin)', route: 'GET /v1/admin/conversations', maxCalls: 1, status: 200, path: '/v1/admin/conversations?escalated=true&limit=20', options: { as: admin } });
  await run({ label: 'messages of a support conversation (admin)', route: 'GET /v1/conversations/{conversationId}/messages', maxCalls: 1, status: 200, path: `${messages}?limit=20`, options: { as: admin } });

  // An order's conversation, read by an admin while the order's dispute is escalated: + the order's GetItem.
  const orderId = await client.shippedOrder(seller, buyer, [productId]);
  const aboutOrder = await client.expect(201, 'POST', '/v1/conversations', { as: buyer, body: { sellerId: seller.userId, orderId } });
  const orderMessages = `/v1/conversations/${stringField(aboutOrder.body, 'conversationId')}/messages`;
  await client.expect(201, 'POST', orderMessages, { as: buyer, body: { text: 'The lid arrived cracked.' } });
  const opened = await client.expect(201, 'POST', `/v1/orders/${orderId}/disputes`, { as: buyer, body: { reason: 'DAMAGED', request: { type: 'REFUND', amount: usd(1000) }, description: 'The lid arrived cracked in two places.', evidence: [] } });
  const disputeId = stringField(opened.body, 'disputeId');
  await client.expect(200, 'POST', `/v1/disputes/${disputeId}/response`, { as: seller, body: { action: 'COUNTER_OFFER', counterOffer: { type: 'REFUND', amount: usd(500) }, message: 'We can refund part of it.', evidence: [] } });
  await client.expect(200, 'POST', `/v1/disputes/${disputeId}/escalate`, { as: buyer, body: { message: 'We cannot agree; please decide.' } });
  await run({ label: "an order's conversation in an escalated dispute (admin)", route: 'GET /v1/conversations/{conversationId}/messages', maxCalls: 2, status: 200, path: `${orderMessages}?limit=20`, options: { as: admin } });
  await host.drainQueues(); // the case file (which reads this conversation), so later sections start from empty queues
  return rows;
}

/** `npx tsx scripts/bench/messaging-costs.ts`: this section's rows alone. */
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const host = await startLocalHost();
  try {
    countUnits(true);
    const rows = await measureMessagingCosts(host, new BenchClient(host));
    countUnits(false);
    process.stdout.write(`${renderSection(costSection(rows))}\n`);
  } finally {
    await host.stop();
  }
}
