/**
 * Calls to URLs users gave us (webhooks), safe against SSRF (lambdas/domain/webhook-targets.ts has the
 * rules). A host name is checked twice: when the URL is registered (every address it resolves to), and
 * again by the connection itself — node's `lookup` hook resolves, refuses any disallowed address, and
 * hands the socket only the addresses it checked, so a name that resolves elsewhere by the time of the
 * call (DNS rebinding) reaches nothing private. No redirect is followed (node:http follows none); an
 * attempt has a hard time limit; the answer's body is never read.
 */
import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressRefusal, webhookTarget, type TargetRefusal, type TargetSetting, type WebhookTarget } from '../domain/webhook-targets.js';
import type { AttemptOutcome } from '../domain/webhooks.js';

/** Every address a host name resolves to (v4 and v6). */
export type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
let resolver: Resolver = systemResolver;

/**
 * Replaces the resolver in this process (tests: a name that resolves somewhere else at delivery than at
 * registration); returns the function that restores the previous one.
 */
export function useResolver(next: Resolver): () => void {
  const previous = resolver;
  resolver = next;
  return () => {
    resolver = previous;
  };
}

/** Stage setting: the local host allows loopback targets (lib/local/host.ts sets it; the AWS host never does). */
export const WEBHOOK_ALLOW_LOOPBACK = 'WEBHOOK_ALLOW_LOOPBACK';
export const targetSetting = (): TargetSetting => ({ allowLoopback: process.env[WEBHOOK_ALLOW_LOOPBACK] === 'true' });

/** How long a name may take to resolve: a resolver that hangs is a name that does not resolve (a 400, not a 5xx at the API's timeout). */
export const DNS_TIMEOUT_MS = 5_000;

/** The resolver's answer, or a rejection once `ms` have passed. */
function resolveWithin(host: string, ms: number): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`resolving ${host} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([resolver(host), expired]).finally(() => clearTimeout(timer));
}

async function resolveChecked(host: string, setting: TargetSetting, dnsTimeoutMs = DNS_TIMEOUT_MS): Promise<{ addresses: string[] } | { refused: TargetRefusal }> {
  let addresses: string[];
  try {
    addresses = await resolveWithin(host, dnsTimeoutMs);
  } catch {
    return { refused: 'the host does not resolve' };
  }
  if (addresses.length === 0) return { refused: 'the host does not resolve' };
  for (const address of addresses) {
    const refused = addressRefusal(address, setting);
    if (refused) return { refused: `${refused} (${host} resolves to ${address})` };
  }
  return { addresses };
}

/** The registration check: the URL rules, then every address its host resolves to. */
export async function checkWebhookUrl(raw: string, setting = targetSetting(), dnsTimeoutMs = DNS_TIMEOUT_MS): Promise<{ target: WebhookTarget } | { refused: TargetRefusal }> {
  const target = webhookTarget(raw, setting);
  if ('refused' in target) return target;
  if (target.address !== undefined) return { target };
  const resolved = await resolveChecked(target.host, setting, dnsTimeoutMs);
  return 'refused' in resolved ? resolved : { target };
}

class RefusedAddress extends Error {
  constructor(readonly reason: TargetRefusal) {
    super(reason);
    this.name = 'RefusedAddress';
  }
}

/** node's lookup hook: resolves with our resolver, checks every address, and connects only to those. */
const checkedLookup =
  (setting: TargetSetting): LookupFunction =>
  (host, options, callback) => {
    resolveChecked(host, setting).then(
      (resolved) => {
        if ('refused' in resolved) return callback(new RefusedAddress(resolved.refused), '', 4);
        const entries: LookupAddress[] = resolved.addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
        const wanted = options.family === 4 || options.family === 6 ? entries.filter((entry) => entry.family === options.family) : entries;
        if (wanted.length === 0) return callback(Object.assign(new Error(`${host} has no IPv${String(options.family)} address`), { code: 'ENOTFOUND' }), '', 4);
        if (options.all) return (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, wanted);
        const first = wanted[0] as LookupAddress;
        return callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, '', 4),
    );
  };

export const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * POSTs `body` to a webhook URL: the target rules first (an address literal is checked here, a name at
 * connect time), at most `timeoutMs` for the whole exchange, the status as the answer.
 */
export async function postToWebhook(raw: string, body: string, headers: Record<string, string>, options: { timeoutMs?: number; setting?: TargetSetting } = {}): Promise<AttemptOutcome> {
  const setting = options.setting ?? targetSetting();
  const target = webhookTarget(raw, setting);
  if ('refused' in target) return { status: null, reason: target.refused };
  const { url } = target;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<AttemptOutcome>((resolve) => {
    const request = send(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Aftersale-Webhooks/1', ...headers },
        lookup: checkedLookup(setting),
        signal: AbortSignal.timeout(options.timeoutMs ?? WEBHOOK_TIMEOUT_MS),
        // One connection per attempt: a pooled socket would skip the connect-time check.
        agent: false,
      },
      (response) => {
        // Only the status counts; the body is neither read nor kept.
        resolve({ status: response.statusCode ?? 0 });
        response.destroy();
      },
    );
    request.on('error', (error: Error) => {
      const cause = error instanceof RefusedAddress ? `refused: ${error.reason}` : error.name === 'AbortError' || error.name === 'TimeoutError' ? 'timed out' : `${error.name}: ${error.message}`;
      resolve({ status: null, reason: cause.slice(0, 300) });
    });
    request.end(body);
  });
}
