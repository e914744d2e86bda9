/**
 * Webhooks on the real engines (issue 12): registration and its URL rules, signed deliveries through the
 * webhook-delivery queue to a receiver in this test, retries by the timers sweep until DEAD, and the
 * SSRF checks at registration and again at connect time. Notifications are made with `notify` in a
 * transaction of their own, as a use case does.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { queues } from '../../lib/manifest.js';
import { handler as webhookWorker } from '../../lambdas/workers/webhook-delivery.js';
import type { NotificationType } from '../../lambdas/domain/notifications.js';
import { addMs } from '../../lambdas/domain/time.js';
import { maxRetryDelayMs, webhookRetry } from '../../lambdas/domain/webhooks.js';
import { clock } from '../../lambdas/platform/clock.js';
import { checkWebhookUrl, postToWebhook, useResolver, WEBHOOK_ALLOW_LOOPBACK } from '../../lambdas/platform/outbound-http.js';
import { notificationOutbox, notify } from '../../lambdas/services/notifications.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { tableName } from '../../lambdas/platform/config.js';
import { documentClient } from '../../lambdas/store/client.js';
import { sendToQueue } from '../../lambdas/store/queue.js';
import { timerKey } from '../../lambdas/store/timers.js';
import { transact } from '../../lambdas/store/transactions.js';
import { getDelivery, updateDelivery } from '../../lambdas/store/webhooks.js';
import { logLines } from '../support/log-lines.js';
import { loadReadmeVerifier, type VerifySignature } from '../support/readme-snippet.js';
import { useLocalApi, type Actor } from '../support/local-api.js';
import { workerInvoker } from '../support/worker-invocation.js';
import type { Problem } from '../support/routes.js';

const local = useLocalApi();

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  path: string;
}

/** A webhook receiver on this machine: records what it gets and answers `status`. */
function receiver() {
  const received: Received[] = [];
  let status = 200;
  /** Run (once) before the next answer: what happens elsewhere while an attempt is in flight. */
  let before: (() => Promise<void>) | undefined;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body, path: request.url ?? '' });
      const run = before;
      before = undefined;
      void (run ?? (() => Promise.resolve()))().finally(() => response.writeHead(status, { 'content-type': 'text/plain' }).end('ok'));
    });
  });
  return {
    received,
    answer: (next: number) => {
      status = next;
    },
    onRequest: (run: () => Promise<void>) => {
      before = run;
    },
    start: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const hook = receiver();
let hookUrl = '';
let verify: VerifySignature;
beforeAll(async () => {
  hookUrl = await hook.start();
  verify = await loadReadmeVerifier();
});
afterAll(() => hook.stop());
afterEach(async () => {
  vi.restoreAllMocks();
  hook.answer(200);
  await local.api.resetClock();
});

interface Delivery {
  notificationId: string;
  attempts: number;
  lastStatus: number | null;
  nextAttemptAt: string | null;
  state: 'PENDING' | 'DELIVERED' | 'DEAD';
}

/** A notification for `userId`, written as a use case writes it (notify in its transaction, the send after), then the queues drained. */
async function notifyUser(userId: string, type: NotificationType = 'DISPUTE_OPENED'): Promise<string> {
  const { writes, afterCommit } = notify([{ userId, type, title: 'A dispute was opened', body: 'Answer within 5 days.', subject: { kind: 'dispute', id: 'dsp_01ARZ3NDEKTSV4RRFFQ69G5FAV' }, dueAt: '2026-12-06T10:00:00.000Z' }], clock.nowIso());
  await transact(writes);
  for (const step of afterCommit) await step();
  await local.api.drainQueues();
  const first = writes[0];
  const item = first && 'Put' in first ? first.Put?.Item : undefined;
  return String(item?.notificationId);
}

const getItem = async (key: { PK: string; SK: string }) => (await documentClient().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item;

const deliveries = async (as: Actor) => {
  const listed = await local.api.get<{ items: Delivery[]; nextCursor: string | null }>('/v1/me/webhook/deliveries', as);
  expect(listed.status, listed.text).toBe(200);
  return listed.body.items;
};
const register = (as: Actor, body: Record<string, unknown>) => local.api.put<{ url: string; events: string[]; secret: string }>('/v1/me/webhook', as, body);
const receivedFor = (notificationId: string) => hook.received.filter((request) => (JSON.parse(request.body) as { id: string }).id === notificationId);

describe('registering a webhook', () => {
  it('answers the URL, every type unless some are named, and a new secret each time', async () => {
    const user = await local.api.actor('seller');
    const first = await register(user, { url: `${hookUrl}/a` });
    expect(first.status, first.text).toBe(200);
    expect(first.body.url).toBe(`${hookUrl}/a`);
    expect(first.body.events).toContain('DISPUTE_OPENED');
    expect(first.body.events).toHaveLength(18);
    expect(first.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const second = await register(user, { url: `${hookUrl}/b`, events: ['NEW_MESSAGE'] });
    expect(second.body).toMatchObject({ url: `${hookUrl}/b`, events: ['NEW_MESSAGE'] });
    expect(second.body.secret).not.toBe(first.body.secret);
  });

  const refused = async (url: string, reason: RegExp) => {
    const response = await local.api.request<Problem>('PUT', '/v1/me/webhook', { as: await local.api.actor('buyer'), body: { url } });
    expect(response.status, response.text).toBe(400);
    expect(response.body.code).toBe('WEBHOOK_URL_NOT_ALLOWED');
    expect(response.body.errors?.[0]).toMatchObject({ path: 'url', message: expect.stringMatching(reason) });
  };

  it('refuses metadata, private, link-local, credentialed and plain-http URLs', async () => {
    await refused('https://169.254.169.254/latest/meta-data/', /metadata/);
    await refused('http://169.254.169.254/', /only to this machine/);
    await refused('https://10.0.0.7/hook', /private/);
    await refused('https://192.168.1.20/hook', /private/);
    await refused('https://[fe80::1]/hook', /link-local/);
    await refused('https://[::ffff:172.16.0.1]/hook', /private/);
    await refused('https://user:secret@hooks.example.com/hook', /credentials/);
    await refused('http://hooks.example.com/hook', /only to this machine/);
  });

  it('refuses a host if any of its addresses is private', async () => {
    const restore = useResolver(async (host) => (host === 'mixed.example' ? ['203.0.113.5', '10.1.2.3'] : host === 'internal.example' ? ['fd12::1'] : []));
    try {
      await refused('https://internal.example/hook', /unique-local.*internal\.example resolves to fd12::1/);
      await refused('https://mixed.example/hook', /private.*10\.1\.2\.3/);
      await refused('https://nowhere.example/hook', /does not resolve/);
    } finally {
      restore();
    }
  });

  it('gives up on a name whose lookup hangs: the host does not resolve', async () => {
    const restore = useResolver(() => new Promise<string[]>(() => undefined));
    try {
      const started = Date.now();
      expect(await checkWebhookUrl('https://hanging.example/hook', { allowLoopback: false }, 200)).toEqual({ refused: 'the host does not resolve' });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      restore();
    }
  });

  it('refuses loopback where the stage does not allow it (everywhere but the local host)', async () => {
    const user = await local.api.actor('buyer');
    process.env[WEBHOOK_ALLOW_LOOPBACK] = 'false';
    try {
      await refused(`${hookUrl}/hook`, /https/);
      await refused('https://127.0.0.1/hook', /loopback/);
      await refused('https://localhost/hook', /loopback/);
    } finally {
      process.env[WEBHOOK_ALLOW_LOOPBACK] = 'true';
    }
    expect((await register(user, { url: `${hookUrl}/hook` })).status).toBe(200);
  });

  it('removes it: later notifications are not delivered', async () => {
    const user = await local.api.actor('buyer');
    await register(user, { url: `${hookUrl}/removed` });
    const removed = await local.api.request('DELETE', '/v1/me/webhook', { as: user });
    expect(removed.status).toBe(204);
    expect((await local.api.request('DELETE', '/v1/me/webhook', { as: user })).status).toBe(204);
    const notificationId = await notifyUser(user.userId);
    expect(receivedFor(notificationId)).toEqual([]);
    expect(await deliveries(user)).toEqual([]);
  });
});

describe('delivering', () => {
  it('POSTs the notification, signed so that the README check accepts it, once', async () => {
    const user = await local.api.actor('seller');
    const { secret } = (await register(user, { url: `${hookUrl}/signed` })).body;
    const notificationId = await notifyUser(user.userId);
    const [request, ...more] = receivedFor(notificationId);
    expect(more).toEqual([]);
    expect(request?.path).toBe('/signed');
    expect(request?.headers['content-type']).toBe('application/json');
    const header = request?.headers['aftersale-signature'] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verify(header, request?.body ?? '', secret, clock.now().getTime() / 1000)).toBe(true);
    expect(verify(header, request?.body ?? '', 'another secret', clock.now().getTime() / 1000)).toBe(false);
    expect(JSON.parse(request?.body ?? '{}')).toEqual({ id: notificationId, type: 'DISPUTE_OPENED', title: 'A dispute was opened', body: 'Answer within 5 days.', subject: { kind: 'dispute', id: 'dsp_01ARZ3NDEKTSV4RRFFQ69G5FAV' }, dueAt: '2026-12-06T10:00:00.000Z', createdAt: expect.any(String) });
    expect(await deliveries(user)).toEqual([{ notificationId, attempts: 1, lastStatus: 200, nextAttemptAt: null, state: 'DELIVERED' }]);
    // Nobody else's list shows it: the list is the caller's own partition.
    const other = await local.api.actor('seller');
    await register(other, { url: `${hookUrl}/other` });
    expect(await deliveries(other)).toEqual([]);
    // The outbox timer went with the delivery record; no retry timer is left.
    expect(await getItem(timerKey('NOTIFICATION_DISPATCH', notificationId))).toBeUndefined();
    expect(await getItem(timerKey('WEBHOOK_RETRY', notificationId))).toBeUndefined();
  });

  it('delivers a redelivered queue message once', async () => {
    const user = await local.api.actor('buyer');
    await register(user, { url: `${hookUrl}/once` });
    const notificationId = await notifyUser(user.userId);
    await sendToQueue('webhookDeliveries', { userId: user.userId, notificationId });
    await sendToQueue('webhookDeliveries', { userId: user.userId, notificationId });
    await local.api.drainQueues();
    expect(receivedFor(notificationId)).toHaveLength(1);
    expect((await deliveries(user))[0]).toMatchObject({ notificationId, attempts: 1, state: 'DELIVERED' });
  });

  it('delivers nothing to users without a webhook or for types they did not subscribe to', async () => {
    const without = await local.api.actor('buyer');
    const choosy = await local.api.actor('seller');
    await register(choosy, { url: `${hookUrl}/choosy`, events: ['NEW_MESSAGE'] });
    const unregistered = await notifyUser(without.userId);
    const unsubscribed = await notifyUser(choosy.userId, 'ORDER_DELIVERED');
    expect([...receivedFor(unregistered), ...receivedFor(unsubscribed)]).toEqual([]);
    expect(await deliveries(without)).toEqual([]);
    expect(await deliveries(choosy)).toEqual([]);
    // Taken off the outbox all the same: nothing is sent again.
    expect(await getItem(timerKey('NOTIFICATION_DISPATCH', unregistered))).toBeUndefined();
    expect(await getItem(timerKey('NOTIFICATION_DISPATCH', unsubscribed))).toBeUndefined();
    const subscribed = await notifyUser(choosy.userId, 'NEW_MESSAGE');
    expect(receivedFor(subscribed)).toHaveLength(1);
  });

  it('retries a receiver that answers 500 with growing gaps for 24 hours, then gives up (DEAD)', async () => {
    // The jitter at its top: each gap is the longest the schedule allows, so the test knows them.
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    const user = await local.api.actor('seller');
    await register(user, { url: `${hookUrl}/failing` });
    hook.answer(500);
    const notificationId = await notifyUser(user.userId);
    const attemptedAt = () => receivedFor(notificationId).map((request) => Number(/t=(\d+)/.exec(String(request.headers['aftersale-signature']))?.[1]) * 1000);
    let [delivery] = await deliveries(user);
    expect(delivery).toMatchObject({ notificationId, attempts: 1, lastStatus: 500, state: 'PENDING' });
    const { lines } = await logLines(async () => {
      for (let round = 0; round < 40 && delivery?.state === 'PENDING'; round++) {
        const before = delivery.attempts;
        // Not yet due: a sweep a little before the next attempt leaves the delivery alone.
        await local.api.setClock(new Date(new Date(delivery.nextAttemptAt as string).getTime() - 1000).toISOString());
        await local.api.runJob('timers');
        await local.api.drainQueues();
        expect((await deliveries(user))[0]?.attempts).toBe(before);
        await local.api.setClock(delivery.nextAttemptAt as string);
        await local.api.runJob('timers');
        await local.api.drainQueues();
        [delivery] = await deliveries(user);
        expect(delivery?.attempts).toBe(before + 1);
      }
    });
    expect(delivery).toMatchObject({ notificationId, lastStatus: 500, state: 'DEAD', nextAttemptAt: null });
    const times = attemptedAt();
    expect(times).toHaveLength(delivery?.attempts ?? 0);
    const gaps = times.slice(1).map((at, index) => at - (times[index] as number));
    // Each gap the schedule's longest for that attempt (the signed timestamps are whole seconds), but the
    // last, cut short so that the last attempt is made at the 24 h deadline.
    gaps.slice(0, -1).forEach((gap, index) => expect(Math.abs(gap - 0.999 * maxRetryDelayMs(index + 1))).toBeLessThan(3000));
    expect(Math.abs((times.at(-1) as number) - (times[0] as number) - webhookRetry.windowMs)).toBeLessThan(3000);
    // Doubling until the two-hour cap (1, 2, 4 … 64 minutes), then at the cap.
    const doubling = gaps.filter((_, index) => maxRetryDelayMs(index + 1) < webhookRetry.capMs);
    expect(doubling.length).toBeGreaterThanOrEqual(7);
    for (let index = 1; index < doubling.length; index++) expect(doubling[index]).toBeGreaterThan((doubling[index - 1] as number) * 1.5);
    // Never past the 24 h window, give or take the whole second the signed timestamps are rounded to.
    expect((times.at(-1) as number) - (times[0] as number)).toBeLessThanOrEqual(webhookRetry.windowMs + 1000);
    expect(lines.filter((line) => line.businessEvent === 'WebhookDead' && line.notificationId === notificationId)).toHaveLength(1);
    expect(await getItem(timerKey('WEBHOOK_RETRY', notificationId))).toBeUndefined();
    // A dead delivery stays dead: a late copy of its message does nothing.
    await sendToQueue('webhookDeliveries', { userId: user.userId, notificationId });
    await local.api.drainQueues();
    expect(receivedFor(notificationId)).toHaveLength(times.length);
  }, 120_000);

  it('reads the notification consistently, and leaves one it cannot find to the outbox, with an error logged', async () => {
    const user = await local.api.actor('buyer');
    await register(user, { url: `${hookUrl}/missing` });
    const send = vi.spyOn(documentClient(), 'send');
    const notificationId = await notifyUser(user.userId);
    const notificationReads = send.mock.calls.map(([command]) => command).filter((command) => command instanceof GetCommand && String(command.input.Key?.SK).startsWith('N#'));
    expect(notificationReads.length).toBeGreaterThan(0);
    for (const command of notificationReads) expect((command as GetCommand).input.ConsistentRead).toBe(true);
    send.mockRestore();
    expect(receivedFor(notificationId)).toHaveLength(1);

    // Its outbox timer written, the notification itself not (as a stale read would see it).
    const missing = 'ntf_01ARZ3NDEKTSV4RRFFQ69G5FAV';
    const { write, afterCommit } = notificationOutbox.send({ userId: user.userId, notificationId: missing }, clock.nowIso());
    await transact([write]);
    const { lines } = await logLines(async () => {
      await afterCommit();
      await local.api.drainQueues();
    });
    expect(lines).toContainEqual(expect.objectContaining({ level: 'ERROR', notificationId: missing, message: expect.stringMatching(/not found/) }));
    expect(await getItem(timerKey('NOTIFICATION_DISPATCH', missing))).toBeDefined();
    expect(await deliveries(user)).not.toContainEqual(expect.objectContaining({ notificationId: missing }));
  });

  it('leaves the WebhookDead event to the worker whose outcome stands', async () => {
    const user = await local.api.actor('seller');
    await register(user, { url: `${hookUrl}/taken-over` });
    hook.answer(500);
    const notificationId = await notifyUser(user.userId);
    const first = await getDelivery(user.userId, notificationId);
    expect(first).toMatchObject({ state: 'PENDING', attempts: 1 });
    // The last attempt, at the end of the 24 h: while it runs, another worker (this one's lease ran out) records a delivery.
    await local.api.setClock(addMs(first?.firstAttemptAt as string, webhookRetry.windowMs));
    const takeOver = vi.fn(async () => {
      const claimed = await getDelivery(user.userId, notificationId);
      if (claimed?.state !== 'PENDING' || claimed.nextAttemptAt === null) throw new Error(`not claimed: ${JSON.stringify(claimed)}`);
      await transact([updateDelivery({ ...claimed, state: 'DELIVERED', attempts: claimed.attempts + 1, lastStatus: 200, nextAttemptAt: null }, { state: 'PENDING', attempts: claimed.attempts, nextAttemptAt: claimed.nextAttemptAt })]);
    });
    hook.onRequest(takeOver);
    const { lines } = await logLines(async () => {
      await sendToQueue('webhookDeliveries', { userId: user.userId, notificationId });
      await local.api.drainQueues();
    });
    expect(takeOver).toHaveBeenCalledTimes(1);
    expect(receivedFor(notificationId)).toHaveLength(2);
    expect(await getDelivery(user.userId, notificationId)).toMatchObject({ state: 'DELIVERED', attempts: 2 });
    expect(lines.filter((line) => line.businessEvent === 'WebhookDead')).toEqual([]);
  });

  it('refuses at delivery a host that resolves to a private address by then (DNS rebinding)', async () => {
    const asked: string[] = [];
    let resolvesTo = '203.0.113.9';
    const restore = useResolver(async (host) => {
      asked.push(host);
      return host === 'rebind.example' ? [resolvesTo] : [];
    });
    try {
      const user = await local.api.actor('buyer');
      expect((await register(user, { url: 'https://rebind.example/hook' })).status).toBe(200);
      resolvesTo = '10.0.0.5';
      asked.length = 0;
      const notificationId = await notifyUser(user.userId);
      expect(asked).toContain('rebind.example');
      expect((await deliveries(user))[0]).toMatchObject({ notificationId, attempts: 1, lastStatus: null, state: 'PENDING' });
    } finally {
      restore();
    }
  });
});

describe('the connection itself checks the address it connects to', () => {
  it('connects to a name only through addresses that pass the rules', async () => {
    const restore = useResolver(async (host) => (host === 'localhost' ? [nextAddress] : []));
    let nextAddress = '127.0.0.1';
    const port = new URL(hookUrl).port;
    const setting = { allowLoopback: true };
    try {
      const before = hook.received.length;
      expect(await postToWebhook(`http://localhost:${port}/direct`, '{"id":"x"}', {}, { setting })).toEqual({ status: 200 });
      expect(hook.received.length).toBe(before + 1);
      nextAddress = '169.254.169.254';
      expect(await postToWebhook(`http://localhost:${port}/direct`, '{"id":"x"}', {}, { setting })).toEqual({ status: null, reason: expect.stringMatching(/^refused: the host is the cloud metadata address/) });
      nextAddress = '::ffff:10.0.0.1';
      expect(await postToWebhook(`http://localhost:${port}/direct`, '{"id":"x"}', {}, { setting })).toEqual({ status: null, reason: expect.stringMatching(/^refused: the host is a private address/) });
      expect(hook.received.length).toBe(before + 1);
    } finally {
      restore();
    }
  });

  it('gives up on a receiver that does not answer in time, and follows no redirect', async () => {
    const slow = createServer((request, response) => {
      if (request.url === '/redirect') response.writeHead(307, { location: `${hookUrl}/redirected` }).end();
      // else: never answers
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    try {
      const setting = { allowLoopback: true };
      expect(await postToWebhook(`${base}/slow`, '{}', {}, { setting, timeoutMs: 300 })).toEqual({ status: null, reason: 'timed out' });
      const before = hook.received.length;
      expect(await postToWebhook(`${base}/redirect`, '{}', {}, { setting })).toEqual({ status: 307 });
      expect(hook.received.length).toBe(before);
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });
});

describe('the event bus (the local host: in-process)', () => {
  it('carries the business events of the use cases to whoever subscribed', async () => {
    const seen: { detailType: string; detail: Record<string, unknown> }[] = [];
    const unsubscribe = local.api.host.events.subscribe((event) => void seen.push(event), 'OrderPlaced');
    try {
      const { orderId } = await local.api.placedOrder();
      expect(seen).toEqual([expect.objectContaining({ source: 'aftersale', detailType: 'OrderPlaced', detail: expect.objectContaining({ orderId }) })]);
    } finally {
      unsubscribe();
    }
  });
});

describe('the webhook worker', () => {
  let client: SQSClient | undefined;
  const sqs = (): SQSClient => (client ??= new SQSClient({}));
  afterAll(() => client?.destroy());
  const invoke = workerInvoker(webhookWorker, { queue: 'webhookDeliveries', fn: 'webhookWorker' });

  it('fails a poison message alone, which ends in the DLQ after its receives', async () => {
    const user = await local.api.actor('buyer');
    await register(user, { url: `${hookUrl}/batch` });
    const { writes } = notify([{ userId: user.userId, type: 'NEW_MESSAGE', title: 'A new message', body: 'Hello.', subject: { kind: 'conversation', id: 'cnv_01ARZ3NDEKTSV4RRFFQ69G5FAV' }, dueAt: null }], clock.nowIso());
    await transact(writes);
    const item = writes[0] && 'Put' in writes[0] ? writes[0].Put?.Item : undefined;
    const notificationId = String(item?.notificationId);
    const poison = JSON.stringify({ userId: 42 });
    const mixed = await invoke([
      { messageId: 'poison', body: poison },
      { messageId: 'good', body: JSON.stringify({ userId: user.userId, notificationId }) },
    ]);
    expect(mixed.batchItemFailures).toEqual([{ itemIdentifier: 'poison' }]);
    expect(receivedFor(notificationId)).toHaveLength(1);

    await local.api.drainQueues();
    const { queueUrls, dlqUrls } = local.api.host.engines;
    await sqs().send(new SendMessageCommand({ QueueUrl: queueUrls.webhookDeliveries, MessageBody: poison }));
    // As Lambda's poller would: receive, invoke, delete only what succeeded; the redrive policy counts receives.
    for (let receive = 0; receive <= queues.webhookDeliveries.maxReceiveCount; receive++) {
      const { Messages = [] } = await sqs().send(new ReceiveMessageCommand({ QueueUrl: queueUrls.webhookDeliveries, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0 }));
      for (const message of Messages) {
        const response = await invoke([{ messageId: message.MessageId ?? '', body: message.Body ?? '' }]);
        if (response.batchItemFailures.length === 0) await sqs().send(new DeleteMessageCommand({ QueueUrl: queueUrls.webhookDeliveries, ReceiptHandle: message.ReceiptHandle }));
      }
    }
    const { Messages = [] } = await sqs().send(new ReceiveMessageCommand({ QueueUrl: dlqUrls.webhookDeliveries, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    expect(Messages.map((message) => message.Body)).toEqual([poison]);
  });
});
