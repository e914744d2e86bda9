/**
 * Webhook deliveries (issue 12): the webhook worker's throughput to a receiver on this machine, with its
 * DynamoDB calls per delivery, and the timers sweep with 0 and N not-due `WEBHOOK_RETRY` timers.
 *
 *   npx tsx scripts/bench/webhook-delivery.ts [--deliveries N] [--not-due N]   (200 and 10,000 unless given)
 *
 * Notifications are written as a use case writes them (`notify` in a transaction, the queue send after
 * it), to users each with a webhook registered through the API; then the queue is drained, which is the
 * measured part: the worker's work per message, the receiver answering at once. The not-due retry timers
 * are timer items only (`setTimer`, as the worker writes them, BatchWriteItem), deleted afterwards.
 *
 * Sweep scenario (platform clock, moved in-process): pending timers deleted (bench housekeeping, a Scan);
 * N not-due retry timers written, due from T+1h over 10 days; 10 deliveries to a receiver answering 500
 * (their first retry due within a minute); a sweep at T, then the measured sweep at T+2 min, which hands
 * each of the 10 due deliveries to the worker again (the drain that follows is not measured).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startLocalHost, type LocalHost } from '../../lib/local/host.js';
import { clock, moveClock } from '../../lambdas/platform/clock.js';
import { newId } from '../../lambdas/platform/ids.js';
import { notify } from '../../lambdas/services/notifications.js';
import { setTimer } from '../../lambdas/store/timers.js';
import { transact } from '../../lambdas/store/transactions.js';
import { BenchClient, mapLimit, numberOption } from './client.js';
import { countOf, describeOperations, recorded, type CallSummary } from './recorder.js';
import { fmt, int, okMark, renderSection, table, type Section } from './report.js';
import { monthsSpanned, notDueChecks, withAndWithoutNotDue, type NotDueSweepRun } from './scaling.js';
import { batchDelete, batchPut, pendingTimerKeys, putItemsOf } from './seed.js';

const HOUR_MS = 60 * 60 * 1000;

/** A receiver on 127.0.0.1 that counts what it gets and answers `status`. */
async function startReceiver() {
  let status = 200;
  let received = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received++;
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received: () => received,
    answer: (next: number) => {
      status = next;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Users with a webhook to `url`, registered through the API. */
async function usersWithWebhooks(client: BenchClient, count: number, url: string): Promise<string[]> {
  return mapLimit(Array.from({ length: count }), 8, async () => {
    const user = await client.actor('buyer');
    await client.expect(200, 'PUT', '/v1/me/webhook', { as: user, body: { url } });
    return user.userId;
  });
}

/** One notification per user, written and handed to the queue as a use case does. */
async function notifyAll(userIds: readonly string[]): Promise<void> {
  await mapLimit(userIds, 8, async (userId) => {
    const { writes, afterCommit } = notify([{ userId, type: 'DISPUTE_OPENED', title: 'A dispute was opened', body: 'Answer within 5 days.', subject: { kind: 'dispute', id: 'dsp_01ARZ3NDEKTSV4RRFFQ69G5FAV' }, dueAt: null }], clock.nowIso());
    await transact(writes);
    for (const step of afterCommit) await step();
  });
}

export interface WebhookDeliveryResult {
  deliveries: number;
  seconds: number;
  received: number;
  summary: CallSummary;
  sweep: NotDueSweepRun[];
  notDue: number;
  seedSeconds: number;
}

async function sweepScenario(host: LocalHost, client: BenchClient, receiver: Awaited<ReturnType<typeof startReceiver>>, notDue: number, due: number) {
  await batchDelete(await pendingTimerKeys());
  const now = clock.nowIso();
  const seedStarted = performance.now();
  const seeded = putItemsOf(
    Array.from({ length: notDue }, (_, i) => setTimer({ kind: 'WEBHOOK_RETRY', entityId: newId('ntf'), dueAt: new Date(clock.now().getTime() + HOUR_MS + (i % 240) * HOUR_MS).toISOString(), payload: { userId: `bench-${i}` } }, now)),
  );
  await batchPut(seeded);
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  receiver.answer(500);
  await notifyAll(await usersWithWebhooks(client, due, receiver.url));
  await host.drainQueues();
  const start = clock.nowIso();
  await host.runJob('timers');
  moveClock({ advanceByMs: 2 * 60_000 });
  const sweep = await recorded(() => host.runJob('timers'));
  const at = clock.nowIso();
  await host.drainQueues();
  receiver.answer(200);
  await batchDelete(await pendingTimerKeys());
  return {
    seedSeconds,
    runs: [{ notDue, due, label: 'sweep with due webhook retries (2 min since the last)', processed: sweep.result.processed, summary: sweep.summary, expected: sweep.result.processed === due, months: monthsSpanned(start, at) }],
  };
}

export async function measureWebhookDelivery(host: LocalHost, client: BenchClient, options: { deliveries: number; notDue: number }): Promise<WebhookDeliveryResult> {
  const receiver = await startReceiver();
  try {
    const users = await usersWithWebhooks(client, options.deliveries, receiver.url);
    await notifyAll(users);
    const before = receiver.received();
    const started = performance.now();
    const drained = await recorded(() => host.drainQueues());
    const seconds = (performance.now() - started) / 1000;
    const received = receiver.received() - before;
    const { runs, seedSeconds } = await withAndWithoutNotDue((notDue) => sweepScenario(host, client, receiver, notDue, 10), options.notDue);
    return { deliveries: options.deliveries, seconds, received, summary: drained.summary, sweep: runs, notDue: options.notDue, seedSeconds };
  } finally {
    await receiver.stop();
  }
}

export function webhookDeliverySection(result: WebhookDeliveryResult): Section {
  const perDelivery = (count: number) => fmt(count / result.deliveries, 2);
  const checks = notDueChecks(result.sweep);
  return {
    title: `Webhook deliveries: ${int(result.deliveries)} notifications to a local receiver, and the timers sweep with 0 and ${int(result.notDue)} not-due retries`,
    body: [
      table(
        ['deliveries', 'received', 'seconds', 'deliveries/s', 'calls per delivery', 'by operation (per delivery)', 'capacity units per delivery'],
        [[int(result.deliveries), int(result.received), fmt(result.seconds, 2), fmt(result.deliveries / result.seconds), perDelivery(result.summary.calls), Object.entries(result.summary.byOperation).map(([operation, count]) => `${operation} ${perDelivery(count)}`).join(', '), perDelivery(result.summary.capacity)]],
        ['r', 'r', 'r', 'r', 'r', 'l', 'r'],
      ),
      table(
        ['sweep', 'not-due retries', 'timers fired', 'calls', 'by operation', 'Query calls'],
        result.sweep.map((run) => [run.label, int(run.notDue), run.processed, run.summary.calls, describeOperations(run.summary.byOperation), countOf(run.summary, 'Query')]),
        ['l', 'r', 'r', 'r', 'l', 'r'],
      ),
      [
        `${okMark(result.received === result.deliveries)} The receiver got ${int(result.received)} of ${int(result.deliveries)} deliveries, one POST each (the worker, in-process, with the local queue pump's batches; in AWS each attempt is bounded by its 10 s timeout).`,
        ...checks.map((check) => `${okMark(check.ok)} ${check.label}: ${check.queries.join(' vs ')} Query calls with 0 and ${int(result.notDue)} not-due retry timers; the sweep fired ${result.sweep.map((run) => run.processed).join(' and ')} (10 due each time).`),
        `Per delivery: three reads in parallel (delivery, registration, notification), one transaction creating the record with its lease timer and removing the outbox timer, the POST, one transaction recording the outcome. Not-due retry timers are timer items only (\`setTimer\`, BatchWriteItem: ${fmt(result.seedSeconds)} s for ${int(result.notDue)}).`,
      ].join('\n'),
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const host = await startLocalHost();
  try {
    const result = await measureWebhookDelivery(host, new BenchClient(host), { deliveries: numberOption('--deliveries', 200), notDue: numberOption('--not-due', 10_000) });
    process.stdout.write(`${renderSection(webhookDeliverySection(result))}\n`);
  } finally {
    await host.stop();
  }
}
