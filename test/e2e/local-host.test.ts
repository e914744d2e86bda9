/**
 * End to end: `npm start` as a user runs it (a separate process on a free port), driven over HTTP with
 * the dev tokens it prints — then stopped with Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
let child: ChildProcess;
let output = '';
let url = '';
const tokens: Record<string, string> = {};

async function call(method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type') ?? '', headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

beforeAll(async () => {
  child = spawn(resolve(root, 'node_modules/.bin/tsx'), ['bin/local.ts'], { cwd: root, env: { ...process.env, PORT: '0', LOG_REQUESTS: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`local host did not start:\n${output}`)), 45_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolveReady();
      }
    });
    child.on('exit', (code) => reject(new Error(`local host exited with ${code}:\n${output}`)));
  });
  url = /running on (http:\/\/\S+)/.exec(output)?.[1] ?? '';
  for (const match of output.matchAll(/export (BUYER|SELLER|ADMIN)=(\S+)/g)) tokens[match[1] as string] = match[2] as string;
}, 60_000);

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
});

describe('npm start', () => {
  it('prints its URL and a token for each demo role', () => {
    expect(url).toMatch(/^http:\/\/localhost:\d+$/);
    expect(Object.keys(tokens).sort()).toEqual(['ADMIN', 'BUYER', 'SELLER']);
  });

  it('serves health, the OpenAPI document and the reference page', async () => {
    expect((await call('GET', '/v1/health')).json()).toEqual({ status: 'ok' });
    const openapi = (await call('GET', '/v1/openapi.json')).json();
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths as object)).toContain('/v1/orders/{orderId}/confirm-receipt');
    const docs = await call('GET', '/docs');
    expect(docs.type).toContain('text/html');
    expect(docs.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-/);
    expect(docs.text).toContain('/v1/orders/{orderId}/confirm-receipt');
  });

  it('walks a demo order from purchase to automatic release of escrow', async () => {
    const products = (await call('GET', '/v1/sellers/seller-demo/products')).json().items as { productId: string }[];
    expect(products).toHaveLength(2);
    const placed = await call('POST', '/v1/orders', tokens.BUYER, {
      items: [{ productId: products[0]?.productId, quantity: 2 }],
      shippingAddress: { name: 'Jordan Buyer', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
      paymentReference: 'pay_e2e_1',
    });
    expect(placed.status).toBe(201);
    const orderId = placed.json().orderId as string;
    const shipped = await call('POST', `/v1/orders/${orderId}/shipment`, tokens.SELLER, { carrier: 'DHL', trackingNumber: 'JD014600006281230704', estimatedDeliveryAt: new Date(Date.now() + 5 * 86_400_000).toISOString() });
    expect(shipped.status).toBe(200);
    expect((await call('POST', `/v1/orders/${orderId}/tracking-events`, tokens.SELLER, { status: 'DELIVERED', occurredAt: new Date().toISOString() })).status).toBe(201);
    // Nobody confirms: 60 days later the protection period ends and the timers job releases the money.
    expect((await call('POST', '/local/clock', undefined, { advanceBy: 'P60DT1M' })).status).toBe(200);
    expect((await call('POST', '/local/jobs/timers')).json().processed).toBeGreaterThanOrEqual(1);
    const order = (await call('GET', `/v1/orders/${orderId}`, tokens.ADMIN)).json();
    expect(order).toMatchObject({ status: 'COMPLETED', completedBy: 'system', escrow: { held: { amount: 0 }, released: { amount: (placed.json().total as { amount: number }).amount } } });
    const ledger = (await call('GET', `/v1/orders/${orderId}/ledger`, tokens.SELLER)).json().items as { type: string }[];
    expect(ledger.map((entry) => entry.type)).toEqual(['HOLD', 'RELEASE']);
    expect((await call('POST', '/local/queues/drain')).json()).toEqual({ delivered: 0 });
  });

  it('publishes a verified review through the moderation worker, and settles a dispute through arbitration', async () => {
    const products = (await call('GET', '/v1/sellers/seller-demo/products')).json().items as { productId: string }[];
    const productId = products[1]?.productId as string;
    const order = async () => {
      const placed = await call('POST', '/v1/orders', tokens.BUYER, {
        items: [{ productId, quantity: 1 }],
        shippingAddress: { name: 'Jordan Buyer', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
        paymentReference: `pay_e2e_${Math.random().toString(36).slice(2)}`,
      });
      const orderId = placed.json().orderId as string;
      // The earlier walk moved the platform clock: estimates are relative to its now.
      const now = (await call('POST', '/local/clock', undefined, { advanceBy: 'PT0S' })).json().now as string;
      // One tracking number names one parcel: each order ships its own.
      const trackingNumber = `JD0146${Math.random().toString().slice(2, 16)}`;
      await call('POST', `/v1/orders/${orderId}/shipment`, tokens.SELLER, { carrier: 'DHL', trackingNumber, estimatedDeliveryAt: new Date(new Date(now).getTime() + 30 * 86_400_000).toISOString() });
      return { orderId, total: (placed.json().total as { amount: number }).amount };
    };

    const reviewed = await order();
    expect((await call('POST', `/v1/orders/${reviewed.orderId}/confirm-receipt`, tokens.BUYER)).status).toBe(200);
    const review = await call('POST', `/v1/orders/${reviewed.orderId}/reviews`, tokens.BUYER, {
      productId,
      rating: 4,
      text: 'Keeps water cold all day long, the lid seals well.',
      sellerRatings: { itemAsDescribed: 5, communication: 4, shippingSpeed: 4 },
    });
    expect(review.status).toBe(201);
    await call('POST', '/local/queues/drain');
    const published = (await call('GET', `/v1/products/${productId}/reviews`)).json().items as { reviewId: string; reviewer: { displayName: string } }[];
    expect(published.map((item) => item.reviewId)).toContain(review.json().reviewId);
    expect(published[0]?.reviewer.displayName).toBe('J***r');

    const disputed = await order();
    const opened = await call('POST', `/v1/orders/${disputed.orderId}/disputes`, tokens.BUYER, { reason: 'DAMAGED', request: { type: 'REFUND', amount: { amount: disputed.total, currency: 'USD' } }, description: 'The bottle arrived dented and leaks.' });
    expect(opened.status).toBe(201);
    const disputeId = opened.json().disputeId as string;
    await call('POST', `/v1/disputes/${disputeId}/response`, tokens.SELLER, { action: 'COUNTER_OFFER', counterOffer: { type: 'REFUND', amount: { amount: 300, currency: 'USD' } }, message: 'A partial refund?' });
    expect((await call('POST', `/v1/disputes/${disputeId}/escalate`, tokens.BUYER, { message: 'It leaks; I want my money back.' })).json().status).toBe('ESCALATED');
    await call('POST', '/local/queues/drain');
    expect((await call('GET', `/v1/disputes/${disputeId}`, tokens.ADMIN)).json().proposal).toMatchObject({ rule: expect.any(String) });
    const decided = await call('POST', `/v1/admin/disputes/${disputeId}/decision`, tokens.ADMIN, { refundAmount: { amount: disputed.total, currency: 'USD' }, returnRequired: false, rationale: 'A leaking bottle is not as described.' });
    expect(decided.json()).toMatchObject({ status: 'RESOLVED', decision: { rationale: 'A leaking bottle is not as described.' } });
    const closed = (await call('GET', `/v1/orders/${disputed.orderId}`, tokens.BUYER)).json();
    expect(closed).toMatchObject({ status: 'CLOSED', escrow: { held: { amount: 0 }, refunded: { amount: disputed.total } } });
  });

  it('issues more tokens and rejects a request without one', async () => {
    const minted = (await call('POST', '/local/tokens', undefined, { userId: 'e2e-buyer', role: 'buyer' })).json().token as string;
    expect((await call('GET', '/v1/orders', minted)).status).toBe(200);
    const anonymous = await call('GET', '/v1/orders');
    expect(anonymous.status).toBe(401);
    expect(anonymous.type).toContain('application/problem+json');
  });

  it('mints no token for another web page, and answers nosniff and no-store', async () => {
    const fromAPage = await fetch(`${url}/local/tokens`, { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'https://attacker.example' }, body: JSON.stringify({ userId: 'mallory', role: 'admin' }) });
    expect(fromAPage.status).toBe(403);
    expect(await fromAPage.json()).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
    const orders = await call('GET', '/v1/orders', tokens.BUYER);
    expect(orders.status).toBe(200);
    expect([orders.headers.get('cache-control'), orders.headers.get('x-content-type-options')]).toEqual(['no-store', 'nosniff']);
  });

  it('stops cleanly on Ctrl-C', async () => {
    const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
