/**
 * Test harness: the whole local host in this test process (embedded engines, real handlers, real JWTs),
 * plus a small typed HTTP client. One host per test file; each test makes its own users and data.
 * The client checks every answer it reads against its route's declaration (status, body schema, or a
 * Problem), so every test of the suite also tests the response contract.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { startLocalHost, type LocalHost } from '../../lib/local/host.js';
import { contractViolations, matchRoute } from '../../lib/local/response-contract.js';
import type { Role } from '../../lib/manifest.js';
import { carrierSignatureHeaders } from '../../lambdas/platform/carriers.js';
import { clock } from '../../lambdas/platform/clock.js';
import { SIGNATURE_HEADER, signWebhook } from '../../lambdas/platform/webhook-signature.js';
import { env, type CarrierSlug } from '../../lambdas/platform/config.js';
import { aListing, anOrder, aShipment, PNG_BYTES, uniqueId } from './bodies.js';

export { aListing, anAddress, anOrder, aReview, aShipment, aTrackingNumber, PNG_BYTES, reviewText, uniqueId } from './bodies.js';

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface BalanceEntryBody {
  type: 'RELEASE' | 'REVERSAL' | 'COMPENSATION';
  amount: { amount: number; currency: string };
  orderId: string;
  disputeId: string | null;
  balanceAfter: { amount: number; currency: string };
  repaid: { amount: number; currency: string };
  at: string;
  reason: string;
}

export interface Actor {
  userId: string;
  role: Role;
  token: string;
}


/**
 * Fails the calling test when an answer breaks its route's declaration, or when the host caught it doing
 * so (it then answers 500 RESPONSE_CONTRACT_VIOLATION naming the fields). Local routes declare no schema.
 */
function expectContractKept(method: string, path: string, response: Response, text: string): void {
  const pathname = new URL(path, 'http://host').pathname;
  const route = matchRoute(method, pathname);
  if (!route) return;
  const violations = contractViolations(route.spec, { status: response.status, contentType: response.headers.get('content-type') ?? undefined, body: text });
  const caughtByHost = /"code":"RESPONSE_CONTRACT_VIOLATION"/.test(text) ? [text] : [];
  expect([...violations, ...caughtByHost], `${method} ${pathname} (${route.key}) breaks its declared response`).toEqual([]);
}

export class Api {
  constructor(readonly host: LocalHost) {}

  get url(): string {
    return this.host.url;
  }

  async actor(role: Role, userId = uniqueId(role), name?: string): Promise<Actor> {
    return { userId, role, token: await this.host.tokens.sign({ userId, role, name }) };
  }

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { as?: Actor; token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string>; signAs?: CarrierSlug | { paymentProvider: string } } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token ?? options.as?.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    } else if (body !== undefined) headers['content-type'] ??= 'application/json';
    // A carrier's webhook: signed over the exact bytes sent, with the carrier's key of this run.
    const nowSeconds = Math.floor(clock.now().getTime() / 1000);
    if (typeof options.signAs === 'string') Object.assign(headers, carrierSignatureHeaders(options.signAs, body ?? '', carrierSecretOfThisRun(options.signAs), nowSeconds));
    // A payment provider's webhook (the simulated one signs like ours).
    else if (options.signAs) headers[SIGNATURE_HEADER] = signWebhook(paymentEventSecretOfThisRun(options.signAs.paymentProvider), body ?? '', nowSeconds);
    const response = await fetch(`${this.url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    expectContractKept(method, path, response, text);
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  get = <T = Record<string, unknown>>(path: string, as?: Actor) => this.request<T>('GET', path, { as });
  post = <T = Record<string, unknown>>(path: string, as: Actor | undefined, body?: unknown, headers?: Record<string, string>) =>
    this.request<T>('POST', path, { as, body: body ?? {}, headers });
  put = <T = Record<string, unknown>>(path: string, as: Actor | undefined, body: unknown) => this.request<T>('PUT', path, { as, body });

  /** Carrier events as the carrier sends them, signed by the local host (POST /local/carrier-events/{carrier}). */
  async carrierEvents<T = { matched: number; unmatched: number; duplicates: number }>(carrier: CarrierSlug, body: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('POST', `/local/carrier-events/${carrier}`, { body });
  }

  async moveClock(advanceBy: string): Promise<string> {
    const response = await this.request<{ now: string }>('POST', '/local/clock', { body: { advanceBy } });
    return response.body.now;
  }

  async setClock(now: string): Promise<string> {
    const response = await this.request<{ now: string }>('POST', '/local/clock', { body: { now } });
    return response.body.now;
  }

  /** Back to real time, so a test that moved the clock does not leak into the next. */
  async resetClock(): Promise<string> {
    return this.setClock(new Date().toISOString());
  }

  async runJob(name: string): Promise<{ processed: number }> {
    const response = await this.request<{ processed: number }>('POST', `/local/jobs/${name}`, {});
    expect(response.status).toBe(200);
    return response.body;
  }

  // ---- Builders: a seller with a store and a listing, a buyer with an order in a given state. ----

  /** A seller with a shop whose identity an admin verified, through the real paths (DOMAIN.md: only they list). */
  async verifiedSeller(seller?: Actor): Promise<Actor> {
    const actor = seller ?? (await this.actor('seller'));
    expect((await this.put('/v1/sellers/me', actor, { storeName: `Store ${actor.userId}`.slice(0, 80), country: 'US' })).status).toBe(200);
    const document = await this.upload(actor, PNG_BYTES, { purpose: 'kyc-document' });
    const submitted = await this.post('/v1/sellers/me/verification', actor, { legalName: 'Sam Seller', documents: [document] });
    expect(submitted.status, submitted.text).toBe(202);
    const approved = await this.post(`/v1/admin/sellers/${actor.userId}/verification`, await this.actor('admin'), { decision: 'APPROVE' });
    expect(approved.status, approved.text).toBe(200);
    return actor;
  }

  /** A listing photo uploaded by the seller, real PNG bytes. */
  async listingImage(seller: Actor): Promise<string> {
    return this.upload(seller, PNG_BYTES, { purpose: 'listing-image' });
  }

  /** Submits a listing (with a freshly uploaded photo unless `images` is given) and lets the listing-review worker decide it. */
  async reviewedListing(seller: Actor, overrides: Record<string, unknown> = {}): Promise<{ productId: string; product: Record<string, unknown> }> {
    const images = overrides.images ?? [await this.listingImage(seller)];
    const created = await this.post('/v1/products', seller, aListing({ ...overrides, images }));
    expect(created.status, created.text).toBe(201);
    const productId = String(created.body.productId);
    await this.drainQueues();
    const reviewed = await this.get(`/v1/products/${productId}`, seller);
    return { productId, product: reviewed.body };
  }

  /** A verified seller with an approved listing (through verification and the listing-review worker). */
  async sellerWithListing(overrides: Record<string, unknown> = {}): Promise<{ seller: Actor; productId: string; product: Record<string, unknown> }> {
    const seller = await this.verifiedSeller();
    const { productId, product } = await this.reviewedListing(seller, overrides);
    expect(product.status, JSON.stringify(product.review)).toBe('APPROVED');
    return { seller, productId, product };
  }

  async placedOrder(options: { quantity?: number; listing?: Record<string, unknown> } = {}) {
    const { seller, productId, product } = await this.sellerWithListing(options.listing);
    const buyer = await this.actor('buyer');
    const placed = await this.post('/v1/orders', buyer, anOrder(productId, options.quantity ?? 1));
    expect(placed.status, placed.text).toBe(201);
    return { seller, buyer, productId, product, orderId: String(placed.body.orderId), order: placed.body };
  }

  async shippedOrder(options: { quantity?: number; listing?: Record<string, unknown>; estimatedDeliveryAt?: string } = {}) {
    const placed = await this.placedOrder(options);
    const shipped = await this.post(`/v1/orders/${placed.orderId}/shipment`, placed.seller, aShipment(options.estimatedDeliveryAt));
    expect(shipped.status, shipped.text).toBe(200);
    return { ...placed, order: shipped.body };
  }

  async completedOrder(options: { quantity?: number; listing?: Record<string, unknown> } = {}) {
    const shipped = await this.shippedOrder(options);
    const confirmed = await this.post(`/v1/orders/${shipped.orderId}/confirm-receipt`, shipped.buyer);
    expect(confirmed.status, confirmed.text).toBe(200);
    return { ...shipped, order: confirmed.body };
  }

  /** Uploads bytes the way a client does: ask for a presigned POST, then POST the file straight to S3. */
  async upload(as: Actor, bytes: Uint8Array, options: { purpose?: string; contentType?: string; declaredLength?: number } = {}): Promise<string> {
    const contentType = options.contentType ?? 'image/png';
    const ticket = await this.post<{ uploadId: string; url: string; fields: Record<string, string> }>('/v1/uploads', as, {
      purpose: options.purpose ?? 'review-media',
      contentType,
      contentLength: options.declaredLength ?? Math.max(1, bytes.length),
    });
    expect(ticket.status, ticket.text).toBe(201);
    if (bytes.length > 0) {
      const form = new FormData();
      for (const [name, value] of Object.entries(ticket.body.fields)) form.append(name, value);
      form.append('file', new Blob([bytes], { type: contentType }));
      const stored = await fetch(ticket.body.url, { method: 'POST', body: form });
      expect(stored.status, await stored.text()).toBeLessThan(300);
    }
    return ticket.body.uploadId;
  }

  /** The seller who owns a listing, as an actor with a fresh token. */
  async sellerOf(productId: string): Promise<Actor | undefined> {
    const product = await this.get<{ sellerId: string }>(`/v1/products/${productId}`);
    return product.status === 200 ? this.actor('seller', product.body.sellerId) : undefined;
  }

  async drainQueues(): Promise<number> {
    const response = await this.request<{ delivered: number }>('POST', '/local/queues/drain', {});
    expect(response.status).toBe(200);
    return response.body.delivered;
  }

  /** HOLD = RELEASE − REVERSAL + REFUND + held, from the ledger, and the order's escrow agrees (DOMAIN.md). */
  async expectEscrowBalanced(orderId: string, as: Actor): Promise<{ held: number; released: number; refunded: number; hold: number }> {
    const ledger = await this.get<{ items: { type: string; amount: { amount: number; currency: string } }[] }>(`/v1/orders/${orderId}/ledger`, as);
    expect(ledger.status).toBe(200);
    const order = await this.get<{ status: string; escrow: Record<'held' | 'released' | 'refunded' | 'reversed', { amount: number }>; total: { amount: number; currency: string } }>(`/v1/orders/${orderId}`, as);
    const total = (type: string) => ledger.body.items.filter((entry) => entry.type === type).reduce((sum, entry) => sum + entry.amount.amount, 0);
    const hold = total('HOLD');
    // A refund after completion first takes back part of the release (REVERSAL).
    const released = total('RELEASE') - total('REVERSAL');
    const refunded = total('REFUND');
    for (const entry of ledger.body.items) expect(entry.amount.currency).toBe(order.body.total.currency);
    expect(hold).toBe(order.body.total.amount);
    expect(order.body.escrow.released.amount).toBe(released);
    // The view splits the refunds: from escrow, and reversed after release.
    expect(order.body.escrow.reversed.amount).toBe(total('REVERSAL'));
    expect(order.body.escrow.refunded.amount + order.body.escrow.reversed.amount).toBe(refunded);
    expect(hold).toBe(released + refunded + order.body.escrow.held.amount);
    expect(hold).toBe(order.body.escrow.held.amount + order.body.escrow.released.amount + order.body.escrow.refunded.amount + order.body.escrow.reversed.amount);
    if (['COMPLETED', 'CANCELLED', 'CLOSED'].includes(order.body.status)) expect(order.body.escrow.held.amount).toBe(0);
    // Every path that moves escrow may move the seller's balance: it must agree with the ledgers too.
    await this.expectSellerBalanced(String((order.body as { sellerId?: string }).sellerId), order.body.total.currency);
    return { held: order.body.escrow.held.amount, released, refunded, hold };
  }

  /** Every item of a paged list, following its cursors. */
  async allPages<T>(path: string, as: Actor, field: 'items' | 'entries' = 'items'): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const page: ApiResponse<Record<string, unknown>> = await this.get(`${path}${cursor ? `${separator}cursor=${encodeURIComponent(cursor)}` : ''}`, as);
      expect(page.status, page.text).toBe(200);
      items.push(...(page.body[field] as T[]));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    return items;
  }

  /**
   * Per seller and currency (DOMAIN.md): balance = Σ RELEASE − Σ REVERSAL + Σ COMPENSATION, where the
   * RELEASE and REVERSAL are those of the seller's order ledgers and the COMPENSATION those of its
   * disputes' appeal decisions; the entries add up to the balance, newest first, page after page.
   */
  async expectSellerBalanced(sellerId: string, currency = 'USD'): Promise<{ balance: number; entries: BalanceEntryBody[] }> {
    const seller = await this.actor('seller', sellerId);
    const first = await this.get<{ balance: { amount: number; currency: string } }>(`/v1/sellers/me/balance?currency=${currency}`, seller);
    expect(first.status, first.text).toBe(200);
    const balance = first.body.balance.amount;
    const entries = await this.allPages<BalanceEntryBody>(`/v1/sellers/me/balance?currency=${currency}&limit=3`, seller, 'entries');
    const signed = (entry: BalanceEntryBody) => (entry.type === 'REVERSAL' ? -entry.amount.amount : entry.amount.amount);
    expect(entries.reduce((sum, entry) => sum + signed(entry), 0)).toBe(balance);
    let after = balance;
    for (const entry of entries) {
      expect(entry.balanceAfter.amount).toBe(after);
      after -= signed(entry);
    }
    const orders = await this.allPages<{ orderId: string; total: { currency: string } }>('/v1/orders?limit=100', seller);
    let fromLedgers = 0;
    for (const order of orders.filter((one) => one.total.currency === currency)) {
      const ledger = await this.get<{ items: { type: string; amount: { amount: number } }[] }>(`/v1/orders/${order.orderId}/ledger`, seller);
      fromLedgers += ledger.body.items.reduce((sum, entry) => sum + (entry.type === 'RELEASE' ? entry.amount.amount : entry.type === 'REVERSAL' ? -entry.amount.amount : 0), 0);
    }
    const disputes = await this.allPages<{ appeal: { decision: { compensation: { amount: number; currency: string } } | null } | null }>('/v1/disputes?limit=100', seller);
    const compensations = disputes.reduce((sum, dispute) => {
      const compensation = dispute.appeal?.decision?.compensation;
      return sum + (compensation?.currency === currency ? compensation.amount : 0);
    }, 0);
    expect(balance).toBe(fromLedgers + compensations);
    const total = (type: string) => entries.filter((entry) => entry.type === type).reduce((sum, entry) => sum + entry.amount.amount, 0);
    expect(total('COMPENSATION')).toBe(compensations);
    return { balance, entries };
  }
}

/** Starts one local host for the calling test file. */
export function useLocalApi(): { readonly api: Api } {
  let host: LocalHost | undefined;
  const holder = {
    get api(): Api {
      if (!host) throw new Error('local host not started');
      return new Api(host);
    },
  };
  beforeAll(async () => {
    host = await startLocalHost();
  });
  afterAll(async () => {
    await host?.stop();
  });
  return holder;
}

/** The key the local host generated for a payment provider's webhook this run. */
export function paymentEventSecretOfThisRun(provider: string): string {
  const secret = (JSON.parse(process.env[env.PAYMENT_EVENT_SECRETS] ?? '{}') as Record<string, string>)[provider];
  if (!secret) throw new Error(`no local webhook secret for payment provider ${provider}: is the local host started?`);
  return secret;
}

/** The key the local host generated for a carrier this run (it shares this process's environment). */
export function carrierSecretOfThisRun(carrier: CarrierSlug): string {
  const secrets = JSON.parse(process.env[env.CARRIER_SECRETS] ?? '{}') as Record<string, string>;
  const secret = secrets[carrier];
  if (!secret) throw new Error(`no local secret for carrier ${carrier}: is the local host started?`);
  return secret;
}
