/**
 * A small HTTP client for the local host, and the builders the benchmark needs (a seller with listings,
 * a buyer with orders in a given state, an uploaded file). Unlike test/support/local-api.ts it has no
 * vitest dependency: a failed step throws, and the benchmark stops rather than measuring an error path.
 */
import type { LocalHost } from '../../lib/local/host.js';
import type { Role } from '../../lib/manifest.js';
import { aListing, anOrder, aShipment, PNG_BYTES, uniqueId } from '../../test/support/bodies.js';

export { aListing, anOrder, aReview, aShipment, PNG_BYTES, reviewText, uniqueId } from '../../test/support/bodies.js';

export type Json = Record<string, unknown>;

export interface Actor {
  userId: string;
  role: Role;
  token: string;
}

export interface Reply {
  status: number;
  body: Json;
  text: string;
}

export interface RequestOptions {
  as?: Actor | undefined;
  body?: unknown;
  headers?: Record<string, string>;
}


export class BenchClient {
  /** Loopback by IP: no DNS lookup (and no ::1 attempt) in the measured path. */
  readonly baseUrl: string;

  constructor(readonly host: LocalHost) {
    this.baseUrl = host.url.replace('//localhost:', '//127.0.0.1:');
  }

  async actor(role: Role, userId = uniqueId(role)): Promise<Actor> {
    return { userId, role, token: await this.host.tokens.sign({ userId, role }) };
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.as) headers.authorization = `Bearer ${options.as.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = {};
    }
    const json = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Json) : {};
    return { status: response.status, body: json, text };
  }

  /** Like request, but throws unless the answer has the expected status. */
  async expect(status: number, method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const reply = await this.request(method, path, options);
    if (reply.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${reply.status}: ${reply.text.slice(0, 500)}`);
    return reply;
  }

  // ---- Builders ----

  /** A seller with a shop whose identity an admin verified (only they list: DOMAIN.md). */
  async seller(): Promise<Actor> {
    const seller = await this.actor('seller');
    await this.expect(200, 'PUT', '/v1/sellers/me', { as: seller, body: { storeName: `Store ${seller.userId}`.slice(0, 80), country: 'US' } });
    const document = await this.upload(seller, 'kyc-document', PNG_BYTES);
    await this.expect(202, 'POST', '/v1/sellers/me/verification', { as: seller, body: { legalName: 'Bench Seller', documents: [document] } });
    await this.expect(200, 'POST', `/v1/admin/sellers/${seller.userId}/verification`, { as: await this.actor('admin'), body: { decision: 'APPROVE' } });
    return seller;
  }

  /** A listing body with a freshly uploaded photo. */
  async listingBody(seller: Actor, overrides: Json = {}): Promise<Json> {
    return aListing({ images: [await this.upload(seller, 'listing-image', PNG_BYTES)], ...overrides });
  }

  /** A listing the listing-review worker approved (its queue delivered before this returns). */
  async listing(seller: Actor, overrides: Json = {}): Promise<string> {
    const created = await this.expect(201, 'POST', '/v1/products', { as: seller, body: await this.listingBody(seller, overrides) });
    const productId = stringField(created.body, 'productId');
    await this.host.drainQueues();
    const reviewed = await this.expect(200, 'GET', `/v1/products/${productId}`, { as: seller });
    if (reviewed.body.status !== 'APPROVED') throw new Error(`listing ${productId} is ${String(reviewed.body.status)}: ${JSON.stringify(reviewed.body.review)}`);
    return productId;
  }

  async sellerWithListing(overrides: Json = {}): Promise<{ seller: Actor; productId: string }> {
    const seller = await this.seller();
    return { seller, productId: await this.listing(seller, overrides) };
  }

  async placeOrder(buyer: Actor, productId: string): Promise<string> {
    const placed = await this.expect(201, 'POST', '/v1/orders', { as: buyer, body: anOrder(productId) });
    return stringField(placed.body, 'orderId');
  }

  async ship(seller: Actor, orderId: string, estimatedDeliveryAt?: string): Promise<void> {
    await this.expect(200, 'POST', `/v1/orders/${orderId}/shipment`, { as: seller, body: aShipment(estimatedDeliveryAt) });
  }

  /** One order with one line per listing (all of one store), placed and shipped. */
  async shippedOrder(seller: Actor, buyer: Actor, productIds: readonly string[]): Promise<string> {
    const placed = await this.expect(201, 'POST', '/v1/orders', { as: buyer, body: { ...anOrder(productIds[0] ?? ''), items: productIds.map((productId) => ({ productId, quantity: 1 })) } });
    const orderId = stringField(placed.body, 'orderId');
    await this.ship(seller, orderId);
    return orderId;
  }

  /** Placed, shipped and confirmed by the buyer: COMPLETED, so each of its lines can be reviewed. */
  async completedOrder(seller: Actor, buyer: Actor, productIds: readonly string[]): Promise<string> {
    const orderId = await this.shippedOrder(seller, buyer, productIds);
    await this.expect(200, 'POST', `/v1/orders/${orderId}/confirm-receipt`, { as: buyer });
    return orderId;
  }

  /** Uploads a file the way a client does: a presigned POST from the API, then the file straight to S3. */
  async upload(as: Actor, purpose: string, bytes: Uint8Array, contentType = 'image/png'): Promise<string> {
    const ticket = await this.expect(201, 'POST', '/v1/uploads', { as, body: { purpose, contentType, contentLength: bytes.length } });
    await this.storeFile(ticket, bytes, contentType);
    return stringField(ticket.body, 'uploadId');
  }

  /** Sends the file to the presigned POST of an upload ticket. */
  async storeFile(ticket: Reply, bytes: Uint8Array, contentType: string): Promise<void> {
    const fields = ticket.body.fields;
    const form = new FormData();
    if (fields !== null && typeof fields === 'object') for (const [name, value] of Object.entries(fields)) form.append(name, String(value));
    form.append('file', new Blob([bytes], { type: contentType }));
    const stored = await fetch(stringField(ticket.body, 'url'), { method: 'POST', body: form });
    if (stored.status >= 300) throw new Error(`storing the upload failed: ${stored.status} ${(await stored.text()).slice(0, 300)}`);
  }
}

export function stringField(body: Json, name: string): string {
  const value = body[name];
  if (typeof value !== 'string') throw new Error(`expected a string '${name}' in ${JSON.stringify(body).slice(0, 300)}`);
  return value;
}

export const usd = (amount: number): Json => ({ amount, currency: 'USD' });

/** Runs `task` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** `--name <number>` from a bench piece's command line (run alone with npx tsx), else the fallback. */
export function numberOption(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}
