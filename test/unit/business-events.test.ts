import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { businessEvent } from '../../lambdas/platform/business-events.js';
import { PUT_EVENTS_TIMEOUT_MS, signPutEvents, useLocalEventSink, type BusEvent } from '../../lambdas/platform/event-bus.js';
import { logger } from '../../lambdas/platform/logger.js';
import { createLocalEventBus } from '../../lib/local/event-bus.js';

const saved = { ...process.env };
afterEach(() => {
  vi.restoreAllMocks();
  process.env = { ...saved };
});

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const awsEnvironment = (extra: Record<string, string> = {}) => {
  Object.assign(process.env, { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: SECRET, ...extra });
  delete process.env.AWS_SESSION_TOKEN;
};

/** The JSON log lines written while `run` runs, at INFO. */
async function logged(run: () => Promise<void>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
  }
  const level = logger.getLevelName();
  logger.setLogLevel('INFO');
  try {
    await run();
  } finally {
    logger.setLogLevel(level);
  }
  return lines.flatMap((chunk) => chunk.split('\n')).filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A stand-in EventBridge endpoint: records each request and answers `answer`. */
async function fakeEventBridge(answer: { status: number; body: unknown }) {
  const requests: { headers: IncomingHttpHeaders; body: string; path: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      requests.push({ headers: request.headers, body, path: request.url ?? '' });
      response.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { requests, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('business events', () => {
  it('are JSON log lines carrying the field the metric filters match ({ $.businessEvent = … })', async () => {
    const lines = await logged(() => businessEvent('OrderPlaced', { orderId: 'ord_1' }));
    const entry = lines.find((parsed) => parsed.businessEvent === 'OrderPlaced');
    expect(entry).toMatchObject({ level: 'INFO', message: 'OrderPlaced', businessEvent: 'OrderPlaced', orderId: 'ord_1' });
  });

  it('go to EventBridge where the host names a bus: source aftersale, detail-type the event', async () => {
    const bridge = await fakeEventBridge({ status: 200, body: { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] } });
    try {
      awsEnvironment({ EVENT_BUS_NAME: 'aftersale-test', AWS_ENDPOINT_URL_EVENTBRIDGE: bridge.url });
      await businessEvent('WebhookDead', { notificationId: 'ntf_1', attempts: 17 });
      expect(bridge.requests).toHaveLength(1);
      const [request] = bridge.requests;
      expect(request?.headers['x-amz-target']).toBe('AWSEvents.PutEvents');
      expect(request?.headers['content-type']).toBe('application/x-amz-json-1.1');
      expect(request?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/events\/aws4_request, SignedHeaders=[^,]*x-amz-target/);
      const body = JSON.parse(request?.body ?? '{}') as { Entries: { EventBusName: string; Source: string; DetailType: string; Detail: string }[] };
      expect(body.Entries).toHaveLength(1);
      expect(body.Entries[0]).toMatchObject({ EventBusName: 'aftersale-test', Source: 'aftersale', DetailType: 'WebhookDead' });
      expect(JSON.parse(body.Entries[0]?.Detail ?? '{}')).toEqual({ notificationId: 'ntf_1', attempts: 17 });
    } finally {
      await bridge.close();
    }
  });

  it('never throw when the bus refuses: the change is made and the log line has the event', async () => {
    const bridge = await fakeEventBridge({ status: 200, body: { FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }] } });
    try {
      awsEnvironment({ EVENT_BUS_NAME: 'aftersale-test', AWS_ENDPOINT_URL_EVENTBRIDGE: bridge.url });
      const lines = await logged(() => businessEvent('RefundFailed', { refundId: 'rfd_1' }));
      expect(lines.find((line) => line.businessEvent === 'RefundFailed' && line.message === 'RefundFailed')).toBeDefined();
      expect(lines.find((line) => line.message === 'Business event not published on the event bus')).toMatchObject({ level: 'WARN', businessEvent: 'RefundFailed' });
    } finally {
      await bridge.close();
    }
  });

  it('give up on a bus that does not answer after a bounded wait, logged and not thrown', async () => {
    const silent = createServer(() => {
      // never answers
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      awsEnvironment({ EVENT_BUS_NAME: 'aftersale-test', AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` });
      const started = Date.now();
      const lines = await logged(() => businessEvent('OrderPlaced', { orderId: 'ord_9' }));
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(PUT_EVENTS_TIMEOUT_MS - 100);
      expect(waited).toBeLessThan(PUT_EVENTS_TIMEOUT_MS + 3_000);
      expect(lines.find((line) => line.message === 'Business event not published on the event bus')).toMatchObject({ level: 'WARN', businessEvent: 'OrderPlaced' });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  }, 15_000);

  it('are signed as SigV4 documents it', async () => {
    awsEnvironment();
    const event: BusEvent = { source: 'aftersale', detailType: 'OrderPlaced', detail: { orderId: 'ord_1' }, time: '2026-11-25T10:00:00.000Z' };
    const { url, body, headers } = await signPutEvents('aftersale-prod', event, new Date('2026-11-25T10:00:00Z'));
    expect(url.href).toBe('https://events.eu-west-1.amazonaws.com/');
    const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value.trim()]));
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(lower.authorization ?? '')?.[1] ?? '';
    const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
    const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
    const canonical = ['POST', '/', '', ...signedHeaders.split(';').map((name) => `${name}:${lower[name]}`), '', signedHeaders, sha256(body)].join('\n');
    const scope = `20261125/eu-west-1/events/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', '20261125T100000Z', scope, sha256(canonical)].join('\n');
    const key = hmac(hmac(hmac(hmac(`AWS4${SECRET}`, '20261125'), 'eu-west-1'), 'events'), 'aws4_request');
    expect(lower.authorization).toBe(`AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${scope}, SignedHeaders=${signedHeaders}, Signature=${createHmac('sha256', key).update(toSign).digest('hex')}`);
    expect(signedHeaders.split(';')).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-target', 'content-type']));
  });

  it('go to the local in-process bus where no bus is named, to the subscribers of their type', async () => {
    delete process.env.EVENT_BUS_NAME;
    const bus = createLocalEventBus();
    const unplug = useLocalEventSink((event) => bus.publish(event));
    const all: BusEvent[] = [];
    const placed: BusEvent[] = [];
    bus.subscribe((event) => void all.push(event));
    const unsubscribe = bus.subscribe((event) => void placed.push(event), 'OrderPlaced');
    bus.subscribe(() => {
      throw new Error('a broken consumer');
    });
    try {
      await businessEvent('OrderPlaced', { orderId: 'ord_2' });
      await businessEvent('ReviewPublished', { reviewId: 'rev_1' });
      unsubscribe();
      await businessEvent('OrderPlaced', { orderId: 'ord_3' });
    } finally {
      unplug();
    }
    await businessEvent('OrderPlaced', { orderId: 'ord_4' });
    expect(all.map((event) => [event.detailType, event.detail])).toEqual([
      ['OrderPlaced', { orderId: 'ord_2' }],
      ['ReviewPublished', { reviewId: 'rev_1' }],
      ['OrderPlaced', { orderId: 'ord_3' }],
    ]);
    expect(placed.map((event) => event.detail)).toEqual([{ orderId: 'ord_2' }]);
    expect(all[0]).toMatchObject({ source: 'aftersale', time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
  });
});
