/**
 * The whole platform in one Node process: embedded engines, the gateway stand-in, queue workers and
 * scheduled jobs, all driven by lib/manifest.ts. `npm start` runs it; the e2e and integration tests
 * start it on a free port.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { jobs, type JobName, type JobSpec, type WorkerSpec } from '../manifest.js';
import { DomainError } from '../../lambdas/domain/errors.js';
import { carrierSecret, carrierSignatureHeaders } from '../../lambdas/platform/carriers.js';
import { setSimulatedFailures } from '../../lambdas/store/payments.js';
import { PAYMENT_PROVIDERS } from '../../lambdas/payments/port.js';
import { STRIPE_SIGNATURE_HEADER } from '../../lambdas/payments/stripe-events.js';
import { SIGNATURE_HEADER, signWebhook } from '../../lambdas/platform/webhook-signature.js';
import { paymentEventSecret } from '../../lambdas/services/payment-events.js';
import { clock, moveClock } from '../../lambdas/platform/clock.js';
import { useLocalEventSink } from '../../lambdas/platform/event-bus.js';
import { WEBHOOK_ALLOW_LOOPBACK } from '../../lambdas/platform/outbound-http.js';
import { carriers, carrierSlugs, env, type CarrierSlug } from '../../lambdas/platform/config.js';
import { createDevTokenIssuer, LOCAL_CLIENT_ID, type DevTokenIssuer } from './dev-tokens.js';
import { parseDurationMs } from './duration.js';
import { createLocalEventBus, type LocalEventBus } from './event-bus.js';
import { startEngines, type Engines } from './engines.js';
import { lambdaContext } from './gateway-event.js';
import { createQueuePump, type QueuePump, type WorkerHandler } from './queue-pump.js';
import { createGatewayServer, loadFunction, type LocalRoute } from './server.js';

export interface LocalHost {
  url: string;
  engines: Engines;
  /** The in-process stand-in for the EventBridge bus: subscribe to see the business events published. */
  events: LocalEventBus;
  tokens: DevTokenIssuer;
  runJob(name: JobName): Promise<{ processed: number }>;
  drainQueues(): Promise<number>;
  stop(): Promise<void>;
}

export interface LocalHostOptions {
  port?: number;
  /** Run jobs on their schedules and poll queues continuously (npm start); tests drive both by hand. */
  background?: boolean;
  log?: (line: string) => void;
}

type JobHandler = (event: unknown, context: unknown) => Promise<{ processed?: number } | undefined>;

const TokenRequest = z.strictObject({ userId: z.string().min(1).max(128).regex(/^[A-Za-z0-9_.@:-]+$/), role: z.enum(['buyer', 'seller', 'admin']), name: z.string().min(1).max(100).optional() });
const ClockRequest = z.union([z.strictObject({ advanceBy: z.string() }), z.strictObject({ now: z.iso.datetime() })]);

const FailuresRequest = z.strictObject({ count: z.number().int().min(0).max(1000) });

const invalid = (detail: string) => new DomainError('VALIDATION_FAILED', detail);

function localRoutes(host: { tokens: DevTokenIssuer; runJob: LocalHost['runJob']; drainQueues: LocalHost['drainQueues']; url: string }): LocalRoute[] {
  return [
    {
      // Signs the body as the carrier would (its local secret, the platform clock's time), then sends it to
      // the real webhook: people and tests post carrier events without computing HMACs.
      method: 'POST',
      pattern: /^\/local\/carrier-events\/([a-z0-9-]+)$/,
      async handle({ params, body }) {
        const carrier = params[0] as string;
        if (!Object.hasOwn(carriers, carrier)) throw new DomainError('ROUTE_NOT_FOUND', `No carrier ${carrier}; carriers: ${Object.keys(carriers).join(', ')}.`);
        const raw = JSON.stringify(body ?? {});
        const secret = await carrierSecret(carrier as CarrierSlug);
        const headers = carrierSignatureHeaders(carrier as CarrierSlug, raw, secret, Math.floor(clock.now().getTime() / 1000));
        const response = await fetch(`${host.url}/v1/carrier-events/${carrier}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });
        return { status: response.status, body: (await response.json()) as unknown };
      },
    },
    {
      // Signs the body as the payment provider would (its local webhook secret, the platform clock's time)
      // and sends it to the real webhook: people and tests post chargebacks without computing HMACs.
      method: 'POST',
      pattern: /^\/local\/payment-events\/([a-z0-9-]+)$/,
      async handle({ params, body }) {
        const provider = params[0] as string;
        if (!(PAYMENT_PROVIDERS as readonly string[]).includes(provider)) throw new DomainError('ROUTE_NOT_FOUND', `No payment provider ${provider}; providers: ${PAYMENT_PROVIDERS.join(', ')}.`);
        const raw = JSON.stringify(body ?? {});
        const header = provider === 'stripe' ? STRIPE_SIGNATURE_HEADER : SIGNATURE_HEADER;
        const signature = signWebhook(await paymentEventSecret(provider), raw, Math.floor(clock.now().getTime() / 1000));
        const response = await fetch(`${host.url}/v1/payment-events/${provider}`, { method: 'POST', headers: { 'content-type': 'application/json', [header]: signature }, body: raw });
        return { status: response.status, body: (await response.json()) as unknown };
      },
    },
    {
      method: 'GET',
      pattern: /^\/local\/jwks\.json$/,
      handle: async () => ({ status: 200, body: host.tokens.jwks }),
    },
    {
      method: 'POST',
      pattern: /^\/local\/tokens$/,
      async handle({ body }) {
        const parsed = TokenRequest.safeParse(body);
        if (!parsed.success) throw invalid('Send { userId, role: buyer|seller|admin, name? }.');
        return { status: 200, body: { token: await host.tokens.sign(parsed.data) } };
      },
    },
    {
      method: 'POST',
      pattern: /^\/local\/clock$/,
      async handle({ body }) {
        const parsed = ClockRequest.safeParse(body);
        if (!parsed.success) throw invalid('Send { advanceBy: ISO-8601 duration } or { now: ISO-8601 instant }.');
        if ('now' in parsed.data) return { status: 200, body: { now: moveClock({ now: new Date(parsed.data.now) }).toISOString() } };
        const ms = parseDurationMs(parsed.data.advanceBy);
        if (ms === undefined) throw invalid('advanceBy must be an ISO-8601 duration in weeks, days, hours, minutes or seconds, e.g. P60D or PT1H.');
        return { status: 200, body: { now: moveClock({ advanceByMs: ms }).toISOString() } };
      },
    },
    {
      method: 'POST',
      pattern: /^\/local\/jobs\/([A-Za-z0-9-]+)$/,
      async handle({ params }) {
        const name = params[0] as string;
        if (!Object.hasOwn(jobs, name)) throw new DomainError('ROUTE_NOT_FOUND', `No job ${name}; jobs: ${Object.keys(jobs).join(', ')}.`);
        return { status: 200, body: await host.runJob(name as JobName) };
      },
    },
    {
      // The simulated payment provider fails the next `count` refund attempts (a refund's retries, FAILED).
      method: 'POST',
      pattern: /^\/local\/payments\/failures$/,
      async handle({ body }) {
        const parsed = FailuresRequest.safeParse(body);
        if (!parsed.success) throw invalid('Send { count: integer 0..1000 }.');
        await setSimulatedFailures(parsed.data.count);
        return { status: 200, body: { count: parsed.data.count } };
      },
    },
    {
      method: 'POST',
      pattern: /^\/local\/queues\/drain$/,
      handle: async () => ({ status: 200, body: { delivered: await host.drainQueues() } }),
    },
  ];
}

export async function startLocalHost(options: LocalHostOptions = {}): Promise<LocalHost> {
  const log = options.log ?? (() => undefined);
  const engines = await startEngines();
  // Handlers create their SDK clients on first use, after this: they find the engines like they find AWS.
  Object.assign(process.env, engines.environment, {
    CURSOR_SECRET: process.env.CURSOR_SECRET ?? randomBytes(32).toString('base64url'),
    // Each carrier's webhook key, new every run (in AWS: Secrets Manager, lib/constructs/carrier-secrets.ts).
    [env.CARRIER_SECRETS]: process.env[env.CARRIER_SECRETS] ?? JSON.stringify(Object.fromEntries(carrierSlugs.map((slug) => [slug, randomBytes(32).toString('base64url')]))),
    // The local stand-in for the payment provider (lambdas/payments/simulated.ts).
    [env.PAYMENT_PROVIDER]: 'simulated',
    // Webhooks may be delivered to this machine (http://127.0.0.1, localhost); never set on AWS.
    [WEBHOOK_ALLOW_LOOPBACK]: 'true',
    // Each payment provider's webhook key, new every run (in AWS: Secrets Manager, lib/constructs/payment-event-secret.ts).
    [env.PAYMENT_EVENT_SECRETS]: process.env[env.PAYMENT_EVENT_SECRETS] ?? JSON.stringify(Object.fromEntries(PAYMENT_PROVIDERS.map((provider) => [provider, randomBytes(32).toString('base64url')]))),
    POWERTOOLS_SERVICE_NAME: 'aftersale',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
  });

  // Business events of this process go to the in-process bus (in AWS: EventBridge).
  const events = createLocalEventBus(log);
  const unplugEvents = useLocalEventSink((event) => events.publish(event));

  const jobHandlers = new Map<JobName, Promise<JobHandler>>();
  const runJob = async (name: JobName) => {
    const spec = jobs[name];
    const handler = jobHandlers.get(name) ?? jobHandlers.set(name, loadFunction<JobHandler>(spec.fn)).get(name)!;
    const event = { version: '0', id: crypto.randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', time: clock.nowIso(), region: 'us-east-1', resources: [], detail: {} };
    const result = await (await handler)(event, lambdaContext(spec.fn, 300_000));
    // A job that fans out answers once its work items were delivered, with what their workers did.
    let fannedOut = 0;
    if ('fansOutTo' in spec) {
      const countProcessed = (response: unknown) => {
        const processed = (response as { processed?: unknown } | undefined)?.processed;
        if (typeof processed === 'number') fannedOut += processed;
      };
      await pump.drain({ queues: [spec.fansOutTo], onResponse: countProcessed });
    }
    return { ...result, processed: (result?.processed ?? 0) + fannedOut };
  };
  const workerHandlers = new Map<string, Promise<WorkerHandler>>();
  const pump: QueuePump = createQueuePump({
    queueUrls: engines.queueUrls,
    loadWorker: (spec: WorkerSpec) => workerHandlers.get(spec.fn) ?? workerHandlers.set(spec.fn, loadFunction<WorkerHandler>(spec.fn)).get(spec.fn)!,
    onError: (error) => log(`worker failed: ${error instanceof Error ? error.stack : String(error)}`),
  });

  let server: Server | undefined;
  let tokens: DevTokenIssuer | undefined;
  let url = '';
  const host = { runJob, drainQueues: () => pump.drain(), get tokens() { return tokens as DevTokenIssuer; }, get url() { return url; } };
  server = createGatewayServer({ verifyToken: (token) => (tokens as DevTokenIssuer).verify(token), localRoutes: localRoutes(host), log });
  await new Promise<void>((resolve) => server!.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  url = `http://localhost:${port}`;
  tokens = await createDevTokenIssuer(`${url}/local`);
  Object.assign(process.env, { JWT_ISSUER: tokens.issuer, JWT_JWKS_URL: `http://127.0.0.1:${port}/local/jwks.json`, JWT_CLIENT_IDS: LOCAL_CLIENT_ID });

  const timers: NodeJS.Timeout[] = [];
  if (options.background) {
    // A job's fan-out queue is delivered by the job's own run (runJob drains it), so that run can answer
    // with what its workers did; a background poller would take its messages from under it.
    pump.start({ except: Object.values(jobs).flatMap((spec: JobSpec) => (spec.fansOutTo ? [spec.fansOutTo] : [])) });
    for (const [name, spec] of Object.entries(jobs) as [JobName, (typeof jobs)[JobName]][]) {
      timers.push(setInterval(() => void runJob(name).catch((error: unknown) => log(`job ${name} failed: ${String(error)}`)), spec.localEveryMs));
    }
  }

  return {
    url,
    engines,
    events,
    tokens,
    runJob,
    drainQueues: () => pump.drain(),
    async stop() {
      for (const timer of timers) clearInterval(timer);
      unplugEvents();
      await pump.stop();
      await new Promise<void>((resolve) => {
        server!.close(() => resolve());
        server!.closeAllConnections();
      });
      await engines.stop();
    },
  };
}
