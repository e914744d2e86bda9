/**
 * Notifications (issue 12): what telling people costs, and that reminders cost the sweep nothing until due.
 *   1. fan-out per event: the calls and capacity units of a use case that notifies, how many notifications
 *      its one transaction wrote, and its units without them (less the units of one notification's items,
 *      measured alone: the notification and its NOTIFICATION_DISPATCH outbox timer). Calls are unchanged:
 *      notifications ride in the existing transaction.
 *   2. the inbox: the first page is one Query (its read marker comes with it); the unread count costs a
 *      COUNT Query of the unread ids (∝ unread) only when they reach past the page.
 *   3. the timers sweep with 10 due reminders (48 h before a seller's response deadline), with 0 and N
 *      not-due ones: the not-due REMINDER timers are seeded (`setTimer` items, BatchWriteItem) and are
 *      never read.
 * `npx tsx scripts/bench/notifications.ts [--not-due <n>]` runs this section alone.
 */
import { fileURLToPath } from 'node:url';
import { startLocalHost, type LocalHost } from '../../lib/local/host.js';
import { clock, moveClock } from '../../lambdas/platform/clock.js';
import { newId } from '../../lambdas/platform/ids.js';
import { notify } from '../../lambdas/services/notifications.js';
import { setTimer } from '../../lambdas/store/timers.js';
import { transact } from '../../lambdas/store/transactions.js';
import { BenchClient, aShipment, mapLimit, numberOption, stringField, usd, type Actor } from './client.js';
import { costProbes, type CostRow } from './dynamo-costs.js';
import { countUnits, countOf, describeOperations, recorded } from './recorder.js';
import { fmt, int, okMark, renderSection, table, type Section } from './report.js';
import { monthsSpanned, notDueChecks, withAndWithoutNotDue, type NotDueSweepRun } from './scaling.js';
import { batchDelete, batchPut, pendingTimerKeys, putItemsOf } from './seed.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const RESPONSE_MS = 5 * DAY_MS;
const REMINDER_MS = 48 * HOUR_MS;

interface FanOutRow {
  row: CostRow;
  notifications: number;
}

export interface NotificationBench {
  fanOut: FanOutRow[];
  /** Capacity units of one notification's items written alone (notification + outbox timer). */
  perNotification: number;
  inbox: CostRow[];
  sweep: { runs: NotDueSweepRun[]; notDue: number; due: number; seedSeconds: number };
}

const inboxSize = async (client: BenchClient, as: Actor): Promise<number> => {
  const page = await client.expect(200, 'GET', '/v1/me/notifications?limit=100', { as });
  return (page.body.items as unknown[]).length;
};

/** The units of one notification's writes, transacted alone. */
async function unitsOfOneNotification(): Promise<number> {
  const told = notify([{ userId: 'bench-recipient', type: 'ORDER_SHIPPED', title: 'Your order has shipped', body: '"Pour-over coffee dripper" is on its way with UPS (tracking 1Z999AA10123456784), expected by 5 Dec 2026, 14:00 UTC.', subject: { kind: 'order', id: newId('ord') }, dueAt: null }], clock.nowIso());
  const { summary } = await recorded(() => transact(told.writes));
  return summary.capacity;
}

async function measureFanOut(client: BenchClient): Promise<FanOutRow[]> {
  const { rows, run } = costProbes(client);
  const fanOut: FanOutRow[] = [];
  /** Runs the probe and counts what it added to the recipients' inboxes. */
  const measure = async (recipients: Actor[], probe: Parameters<typeof run>[0]) => {
    const before = await Promise.all(recipients.map((recipient) => inboxSize(client, recipient)));
    const reply = await run(probe);
    const after = await Promise.all(recipients.map((recipient) => inboxSize(client, recipient)));
    fanOut.push({ row: rows.at(-1) as CostRow, notifications: after.reduce((sum, count, index) => sum + count - (before[index] ?? 0), 0) });
    return reply;
  };
  const { seller, productId } = await client.sellerWithListing();
  const buyer = await client.actor('buyer');
  const admin = await client.actor('admin');

  const orderId = await client.placeOrder(buyer, productId);
  await measure([buyer, seller], { label: 'ship (tells the buyer)', route: 'POST /v1/orders/{orderId}/shipment', maxCalls: 2, status: 200, path: `/v1/orders/${orderId}/shipment`, options: { as: seller, body: aShipment() } });
  const dispute = { reason: 'DAMAGED', request: { type: 'REFUND', amount: usd(1000) }, description: 'The lid arrived cracked in two places.', evidence: [] };
  const opened = await measure([buyer, seller], { label: 'open dispute (tells the seller, with the deadline)', route: 'POST /v1/orders/{orderId}/disputes', maxCalls: 2, status: 201, path: `/v1/orders/${orderId}/disputes`, options: { as: buyer, body: dispute } });
  const disputeId = stringField(opened.body, 'disputeId');
  const counterOffer = { action: 'COUNTER_OFFER', counterOffer: { type: 'REFUND', amount: usd(500) }, message: 'We can refund part of it.', evidence: [] };
  await measure([buyer, seller], { label: 'counter-offer (tells the buyer, with the deadline)', route: 'POST /v1/disputes/{disputeId}/response', maxCalls: 3, status: 200, path: `/v1/disputes/${disputeId}/response`, options: { as: seller, body: counterOffer } });
  await client.expect(200, 'POST', `/v1/disputes/${disputeId}/escalate`, { as: buyer, body: { message: 'We cannot agree; please decide.' } });
  const decision = { refundAmount: usd(800), returnRequired: false, rationale: 'The photos show the damage clearly.' };
  await measure([buyer, seller], { label: "admin's decision with a refund (tells both parties, and the buyer of the refund)", route: 'POST /v1/admin/disputes/{disputeId}/decision', maxCalls: 3, status: 200, path: `/v1/admin/disputes/${disputeId}/decision`, options: { as: admin, body: decision } });

  const conversation = await client.expect(201, 'POST', '/v1/conversations', { as: buyer, body: { sellerId: seller.userId, productId } });
  const messages = `/v1/conversations/${stringField(conversation.body, 'conversationId')}/messages`;
  await measure([buyer, seller], { label: 'send message (tells the other participant)', route: 'POST /v1/conversations/{conversationId}/messages', maxCalls: 2, status: 201, path: messages, options: { as: buyer, body: { text: 'Does the dripper fit a size two filter?' } } });

  const penalized = await client.seller();
  await measure([penalized], { label: 'add 12 penalty points (tells the seller of the points and the restriction)', route: 'POST /v1/admin/sellers/{sellerId}/penalties', maxCalls: 3, status: 200, path: `/v1/admin/sellers/${penalized.userId}/penalties`, options: { as: admin, body: { points: 12, reason: 'Misleading photos' } } });
  await client.host.drainQueues(); // the notifications' deliveries and the case file, so later sections start from empty queues
  return fanOut;
}

async function measureInbox(client: BenchClient): Promise<CostRow[]> {
  const { rows, run } = costProbes(client);
  const { seller, productId } = await client.sellerWithListing();
  const buyer = await client.actor('buyer');
  // 25 shipped orders: 25 notifications in the buyer's inbox.
  const orders = await mapLimit(Array.from({ length: 25 }), 4, () => client.placeOrder(buyer, productId));
  await mapLimit(orders, 4, (orderId) => client.ship(seller, orderId));
  await client.host.drainQueues();
  const all = await client.expect(200, 'GET', '/v1/me/notifications?limit=100', { as: buyer });
  const ids = (all.body.items as { id: string }[]).map((item) => item.id);

  const unreadBeyond = await run({ label: 'inbox, first page of 20, all 25 unread (+ COUNT Query: unread past the page)', route: 'GET /v1/me/notifications', maxCalls: 2, status: 200, path: '/v1/me/notifications?limit=20', options: { as: buyer } });
  await run({ label: 'mark read up to the 10th newest', route: 'POST /v1/me/notifications/read', maxCalls: 4, status: 200, path: '/v1/me/notifications/read', options: { as: buyer, body: { upTo: ids[9] } } });
  await run({ label: 'inbox, first page of 20, reaching the read marker (1 Query)', route: 'GET /v1/me/notifications', maxCalls: 1, status: 200, path: '/v1/me/notifications?limit=20', options: { as: buyer } });
  const cursor = encodeURIComponent(stringField(unreadBeyond.body, 'nextCursor'));
  await run({ label: 'inbox, next page (its read marker: GetItem; unread: COUNT Query)', route: 'GET /v1/me/notifications', maxCalls: 3, status: 200, path: `/v1/me/notifications?limit=20&cursor=${cursor}`, options: { as: buyer } });
  return rows;
}

/** `count` not-due REMINDER timers, as a dispute's opening writes them, due over the 10 days after `after`. */
function notDueReminders(count: number, after: number) {
  const now = clock.nowIso();
  return Array.from({ length: count }, (_, i) => {
    const disputeId = newId('dsp');
    const due = new Date(after + REMINDER_MS + (i % 240) * HOUR_MS + ((i * 37) % 60) * 60_000).toISOString();
    const dueAt = new Date(Date.parse(due) - REMINDER_MS).toISOString();
    return putItemsOf([setTimer({ kind: 'REMINDER', entityId: `${disputeId}#sellerResponse`, dueAt, payload: { subject: 'dispute', disputeId, deadline: 'sellerResponse', due } }, now)])[0] as Record<string, unknown>;
  });
}

async function sweepScenario(host: LocalHost, client: BenchClient, notDue: number, due: number): Promise<{ runs: NotDueSweepRun[]; seedSeconds: number }> {
  await batchDelete(await pendingTimerKeys());
  const { seller, productId } = await client.sellerWithListing({ guarantee: { returnable: true, protectionDays: 120 } });
  const buyer = await client.actor('buyer');
  const opened = clock.now().getTime();
  const disputeIds = await mapLimit(Array.from({ length: due }), 4, async () => {
    const orderId = await client.shippedOrder(seller, buyer, [productId]);
    const body = { reason: 'NOT_AS_DESCRIBED', request: { type: 'REFUND', amount: usd(2450) }, description: 'The colour and the size differ from the listing photos.', evidence: [] };
    return stringField((await client.expect(201, 'POST', `/v1/orders/${orderId}/disputes`, { as: buyer, body })).body, 'disputeId');
  });
  await host.drainQueues(); // the notifications are delivered: their outbox timers go
  const seedStarted = performance.now();
  const seeded = notDueReminders(notDue, opened + RESPONSE_MS - REMINDER_MS + 2 * HOUR_MS);
  await batchPut(seeded);
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const start = clock.nowIso();
  await host.runJob('timers'); // the next sweep starts from here
  moveClock({ advanceByMs: opened + RESPONSE_MS - REMINDER_MS - HOUR_MS - clock.now().getTime() });
  const catchUpAt = clock.nowIso();
  const catchUp = await recorded(() => host.runJob('timers'));
  moveClock({ advanceByMs: 2 * HOUR_MS });
  const sweep = await recorded(() => host.runJob('timers'));

  const reminded = (await client.expect(200, 'GET', '/v1/me/notifications?limit=100', { as: seller })).body.items as { type: string; subject: { id: string } }[];
  const remindedAll = disputeIds.every((disputeId) => reminded.filter((item) => item.type === 'DEADLINE_REMINDER' && item.subject.id === disputeId).length === 1);
  await batchDelete(seeded.map((item) => ({ PK: String(item.PK), SK: String(item.SK) })));
  await host.drainQueues();
  return {
    seedSeconds,
    runs: [
      { notDue, due, label: 'sweep with due reminders (2 h since the last)', processed: sweep.result.processed, summary: sweep.summary, expected: sweep.result.processed === due && remindedAll, months: monthsSpanned(catchUpAt, clock.nowIso()) },
      { notDue, due, label: 'catch-up sweep 3 d − 1 h after opening', processed: catchUp.result.processed, summary: catchUp.summary, expected: catchUp.result.processed === 0, months: monthsSpanned(start, catchUpAt) },
    ],
  };
}

export async function measureNotifications(host: LocalHost, client: BenchClient, options: { notDue: number; due: number }): Promise<NotificationBench> {
  // Units are counted for the per-operation probes only, as in the other cost sections (recorder.ts).
  countUnits(true);
  const perNotification = await unitsOfOneNotification();
  const fanOut = await measureFanOut(client);
  const inbox = await measureInbox(client);
  countUnits(false);
  const { runs, seedSeconds } = await withAndWithoutNotDue((notDue) => sweepScenario(host, client, notDue, options.due), options.notDue);
  return { fanOut, perNotification, inbox, sweep: { runs, seedSeconds, notDue: options.notDue, due: options.due } };
}

export const reminderSweepChecks = (result: NotificationBench) => notDueChecks(result.sweep.runs);

export function notificationSections(result: NotificationBench): Section[] {
  const { sweep } = result;
  const unexpected = sweep.runs.filter((run) => !run.expected);
  return [
    {
      title: 'Notification fan-out per event: the use case with its notifications, in its one transaction',
      body: [
        table(
          ['use case', 'route', 'calls', 'by operation', 'capacity units', 'notifications written', 'units without them', 'calls ≤'],
          result.fanOut.map(({ row, notifications }) => [row.label, `\`${row.route}\``, row.summary.calls, describeOperations(row.summary.byOperation), fmt(row.summary.capacity), notifications, fmt(row.summary.capacity - notifications * result.perNotification), `${row.maxCalls} ${okMark(row.ok)}`]),
          ['l', 'l', 'r', 'l', 'r', 'r', 'r', 'l'],
        ),
        [
          `One notification is two new items in the use case's transaction — the notification (\`USER#<id>#NOTIFICATIONS / N#<ulid>\`) and its NOTIFICATION_DISPATCH outbox timer (GSI3) — ${fmt(result.perNotification)} capacity units measured alone; "units without them" subtracts that per notification written, and still holds the REMINDER timers a use case sets, moves or removes with its deadlines (ship: the protection reminder; open dispute: the response reminder set, the protection reminder removed; counter-offer: the one removed, the other set). No call is added: the calls of every use case are those it had before notifications (the after-commit send to the webhookDeliveries queue is SQS, not DynamoDB). No shared item is written (no unread counter), so two use cases telling one busy seller never collide.`,
        ].join('\n'),
      ],
    },
    {
      title: 'The inbox: newest first with the unread count',
      body: [
        table(
          ['operation', 'route', 'calls', 'by operation', 'capacity units', 'calls ≤'],
          result.inbox.map((row) => [row.label, `\`${row.route}\``, row.summary.calls, describeOperations(row.summary.byOperation), fmt(row.summary.capacity), `${row.maxCalls} ${okMark(row.ok)}`]),
          ['l', 'l', 'r', 'l', 'r', 'l'],
        ),
        "The inbox's read marker (`STATE`) sorts after every `N#…` item: the first page is one descending Query that reads it with the newest notifications. When the page reaches the marker (or is the whole inbox) it also tells the unread count; otherwise one COUNT Query of the ids after the marker reads the unread items only (∝ unread). A later page reads the marker with a GetItem beside its Query, then counts. Marking read reads the notification and the marker (two GetItems at once), writes the marker (only forward) and counts what is left.",
      ],
    },
    {
      title: `Timers sweep with reminders: ${sweep.due} due reminders (48 h before a seller's response deadline), with 0 and ${int(sweep.notDue)} not-due reminders`,
      body: [
        table(
          ['sweep', 'not-due reminders', 'timers fired', 'calls', 'by operation', 'Query calls', 'capacity units'],
          sweep.runs.map((run) => [run.label, int(run.notDue), run.processed, run.summary.calls, describeOperations(run.summary.byOperation), countOf(run.summary, 'Query'), fmt(run.summary.capacity)]),
          ['l', 'r', 'r', 'r', 'l', 'r', 'r'],
        ),
        [
          ...reminderSweepChecks(result).map((check) => `${okMark(check.ok)} ${check.label}: ${check.queries.join(' vs ')} Query calls (and as many calls, beyond the sweep's own two per shard and calendar month spanned) with 0 and ${int(sweep.notDue)} not-due reminders.`),
          unexpected.length === 0
            ? `${okMark(true)} The measured sweeps fired exactly the ${sweep.due} due reminders and each seller has exactly one DEADLINE_REMINDER for its dispute; the catch-up sweeps fired nothing.`
            : `${okMark(false)} Unexpected: ${unexpected.map((run) => `${run.label} with ${run.notDue} not-due fired ${run.processed}`).join('; ')}.`,
          `Each due reminder reads its dispute (one Query, with the timeline) and writes the notification, its outbox timer and the reminder's removal in one transaction. Not-due reminders are their REMINDER timer items only (\`setTimer\`, BatchWriteItem: ${fmt(sweep.seedSeconds)} s for ${int(sweep.notDue)}), due over the 10 days after the measured instant; they sort after the sweep's instant and are never read.`,
        ].join('\n'),
      ],
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const host = await startLocalHost();
  try {
    const result = await measureNotifications(host, new BenchClient(host), { notDue: numberOption('--not-due', 10_000), due: 10 });
    process.stdout.write(`${notificationSections(result).map(renderSection).join('\n')}\n`);
  } finally {
    await host.stop();
  }
}
