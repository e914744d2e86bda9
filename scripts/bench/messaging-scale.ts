/**
 * Messaging pages against data size: a conversation's message page at 10 and 10,000 messages (first page,
 * which reads the conversation with the messages, and a cursor page), and a buyer's conversation list at
 * 10 and 10,000 conversations. Both should be one Query with capacity set by the page, not the history.
 *
 * Seeding (10,000 messages through HTTP would take minutes): the conversations are started over HTTP; the
 * messages are built by the domain (`postMessage`, so each passes the same text screen) and their items
 * by the store's entity (`messageEntity.item`), written with BatchWriteItem; the conversation item is
 * then written once with the state the last message left (count, unread, activity). A buyer's 10,000
 * conversations are `openConversation` items written the same way, each with its own seller.
 *
 *   npx tsx scripts/bench/messaging-scale.ts [--small N] [--large N]   runs this section alone
 */
import { fileURLToPath } from 'node:url';
import { startLocalHost } from '../../lib/local/host.js';
import { openConversation, postMessage, type Conversation } from '../../lambdas/domain/conversations.js';
import { clock, moveClock } from '../../lambdas/platform/clock.js';
import { newId } from '../../lambdas/platform/ids.js';
import { conversationEntity, getConversation, messageEntity } from '../../lambdas/store/conversations.js';
import { BenchClient, numberOption, reviewText, stringField, type Actor } from './client.js';
import { countOf, describeOperations, recorded, type CallSummary } from './recorder.js';
import { fmt, int, okMark, renderSection, table, type Section } from './report.js';
import { batchPut } from './seed.js';

const SPACING_MS = 10;

export interface MessagingPageRun {
  label: string;
  size: number;
  items: number;
  hasNext: boolean;
  summary: CallSummary;
}

export interface MessagingScaleResult {
  small: number;
  large: number;
  pages: MessagingPageRun[];
  seedSeconds: number;
}

/** Appends `count` messages to the conversation, alternating sides, as the domain posts them. */
async function seedMessages(conversation: Conversation, count: number): Promise<void> {
  const start = clock.now().getTime() + 1000;
  const items: Record<string, unknown>[] = [];
  let state = conversation;
  for (let i = 0; i < count; i++) {
    const from = i % 2 === 0 ? 'buyer' : 'seller';
    // Words only: digits read as look-alike letters to the screen ("455" as a profanity).
    const text = `A question about the item: ${reviewText()}`;
    const posted = postMessage(state, {
      messageId: newId('msg'),
      from,
      senderId: from === 'buyer' ? conversation.buyerId : conversation.sellerId,
      text,
      attachments: [],
      now: new Date(start + i * SPACING_MS).toISOString(),
    });
    items.push(messageEntity.item(posted.message));
    state = posted.conversation;
  }
  await batchPut([...items, conversationEntity.item(state)]);
  moveClock({ advanceByMs: Math.max(0, start + count * SPACING_MS - clock.now().getTime()) + 1000 });
}

/** `count` conversations of the buyer, each with its own seller and about its own listing, one by one in time. */
async function seedConversations(buyer: Actor, count: number): Promise<void> {
  const start = clock.now().getTime() + 1000;
  const items = Array.from({ length: count }, (_, i) =>
    conversationEntity.item(openConversation({ conversationId: newId('cnv'), buyerId: buyer.userId, sellerId: `seed-seller-${i}`, subject: { kind: 'product', id: newId('prd') }, now: new Date(start + i * SPACING_MS).toISOString() })),
  );
  await batchPut(items);
  moveClock({ advanceByMs: Math.max(0, start + count * SPACING_MS - clock.now().getTime()) + 1000 });
}

async function page(client: BenchClient, as: Actor, path: string, label: string, size: number): Promise<MessagingPageRun & { cursor: string | undefined }> {
  const { result, summary } = await recorded(() => client.expect(200, 'GET', path, { as }));
  const items = Array.isArray(result.body.items) ? result.body.items.length : 0;
  const cursor = typeof result.body.nextCursor === 'string' ? result.body.nextCursor : undefined;
  return { label, size, items, hasNext: cursor !== undefined, summary, cursor };
}

export async function measureMessagingScale(client: BenchClient, options: { small: number; large: number }): Promise<MessagingScaleResult> {
  const { seller, productId } = await client.sellerWithListing();
  const secondProductId = await client.listing(seller);
  const [smallBuyer, largeBuyer] = [await client.actor('buyer'), await client.actor('buyer')];
  const conversationOf = async (buyer: Actor, product: string) => {
    const started = await client.expect(201, 'POST', '/v1/conversations', { as: buyer, body: { sellerId: seller.userId, productId: product } });
    const found = await getConversation(stringField(started.body, 'conversationId'));
    if (!found) throw new Error('the started conversation was not found');
    return found;
  };
  const smallConversation = await conversationOf(smallBuyer, productId);
  const largeConversation = await conversationOf(largeBuyer, secondProductId);

  const seedStarted = performance.now();
  await seedMessages(smallConversation, options.small);
  await seedMessages(largeConversation, options.large);
  await seedConversations(smallBuyer, options.small - 1);
  await seedConversations(largeBuyer, options.large - 1);
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  const pages: MessagingPageRun[] = [];
  for (const [conversation, size] of [[smallConversation, options.small], [largeConversation, options.large]] as const) {
    const path = `/v1/conversations/${conversation.conversationId}/messages?limit=20`;
    const first = await page(client, seller, path, 'messages, first page (seller)', size);
    pages.push(first);
    if (first.cursor) pages.push(await page(client, seller, `${path}&cursor=${encodeURIComponent(first.cursor)}`, 'messages, next page (cursor)', size));
  }
  for (const [buyer, size] of [[smallBuyer, options.small], [largeBuyer, options.large]] as const) {
    const first = await page(client, buyer, '/v1/conversations?limit=20', "buyer's conversations, first page", size);
    pages.push(first);
    if (first.cursor) pages.push(await page(client, buyer, `/v1/conversations?limit=20&cursor=${encodeURIComponent(first.cursor)}`, "buyer's conversations, next page (cursor)", size));
  }
  // The seller's list holds both conversations, whatever their number of messages.
  pages.push(await page(client, seller, '/v1/conversations?limit=20', `seller's conversations (${int(options.small)} and ${int(options.large)} messages in them)`, 2));
  return { small: options.small, large: options.large, pages, seedSeconds };
}

/** Every page one Query, and the large size's capacity within 2× of the small one's, label by label. */
export function messagingPageChecks(result: MessagingScaleResult): { ok: boolean; text: string } {
  const oneQuery = result.pages.every((run) => run.summary.calls === 1 && countOf(run.summary, 'Query') === 1);
  const labels = [...new Set(result.pages.map((run) => run.label))];
  const flat = labels.every((label) => {
    const [small, large] = [result.pages.find((run) => run.label === label && run.size === result.small), result.pages.find((run) => run.label === label && run.size === result.large)];
    return !small || !large || large.summary.capacity <= 2 * Math.max(small.summary.capacity, 0.5);
  });
  const capacities = result.pages.map((run) => run.summary.capacity);
  return { ok: oneQuery && flat, text: `${oneQuery ? 'one Query' : 'not one Query'} per page at ${int(result.small)} and ${int(result.large)}; ${fmt(Math.min(...capacities))}–${fmt(Math.max(...capacities))} units per page` };
}

export function messagingScaleSection(result: MessagingScaleResult): Section {
  const check = messagingPageChecks(result);
  return {
    title: `Messaging pages: ${int(result.small)} vs ${int(result.large)} messages in a conversation, and conversations of a buyer`,
    body: [
      table(
        ['page (limit=20)', 'messages / conversations', 'items returned', 'next cursor', 'calls', 'by operation', 'capacity units'],
        result.pages.map((run) => [run.label, int(run.size), run.items, run.hasNext ? 'yes' : 'no', run.summary.calls, describeOperations(run.summary.byOperation), fmt(run.summary.capacity)]),
        ['l', 'r', 'r', 'l', 'r', 'l', 'r'],
      ),
      [
        `${okMark(check.ok)} Flat: ${check.text}. A first page of messages reads the conversation (who may read it) with the 20 newest messages in one Query (\`limit + 1\`, the conversation sorts after its messages); a participant's next page is one Query too, its cursor signed for that reader.`,
        `Seeded, not written through HTTP (${fmt(result.seedSeconds)} s): messages built by \`postMessage\` and written with BatchWriteItem, the conversation item written once with the state the last one left; the buyer's conversations are \`openConversation\` items (see the introduction of scripts/bench/messaging-scale.ts).`,
      ].join('\n'),
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const host = await startLocalHost();
  try {
    const result = await measureMessagingScale(new BenchClient(host), { small: numberOption('--small', 10), large: numberOption('--large', 10_000) });
    process.stdout.write(`${renderSection(messagingScaleSection(result))}\n`);
  } finally {
    await host.stop();
  }
}
