/**
 * Demo data for `npm start`, created through the public API like any client would: a seller with a
 * store whose identity an admin verified, two listings with uploaded photos that the listing-review
 * worker approved, and tokens for a demo buyer, seller and admin.
 */
import type { DevTokenIssuer } from './dev-tokens.js';

export interface DemoData {
  tokens: { buyer: string; seller: string; admin: string };
  sellerId: string;
  productIds: string[];
}

/** A 1×1 PNG: small, and an image by its bytes, as listing photos and identity documents must be. */
const DEMO_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

async function call(url: string, token: string | undefined, method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) };
  const response = await fetch(`${url}${path}`, { method, headers, body: JSON.stringify(body) });
  const payload = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`Seeding ${method} ${path} failed: ${JSON.stringify(payload)}`);
  return payload;
}

/** Uploads the demo PNG the way a client does: a presigned POST, then the file straight to storage. */
async function uploadPng(url: string, token: string, purpose: 'kyc-document' | 'listing-image'): Promise<string> {
  const ticket = await call(url, token, 'POST', '/v1/uploads', { purpose, contentType: 'image/png', contentLength: DEMO_PNG.length });
  const form = new FormData();
  for (const [name, value] of Object.entries(ticket.fields as Record<string, string>)) form.append(name, value);
  form.append('file', new Blob([DEMO_PNG], { type: 'image/png' }));
  const stored = await fetch(String(ticket.url), { method: 'POST', body: form });
  if (!stored.ok) throw new Error(`Seeding the ${purpose} upload failed: ${stored.status} ${await stored.text()}`);
  return String(ticket.uploadId);
}

export async function seedDemo(url: string, issuer: DevTokenIssuer): Promise<DemoData> {
  const sellerId = 'seller-demo';
  const tokens = {
    buyer: await issuer.sign({ userId: 'buyer-demo', role: 'buyer', name: 'Jordan Buyer' }),
    seller: await issuer.sign({ userId: sellerId, role: 'seller', name: 'Demo Store' }),
    admin: await issuer.sign({ userId: 'admin-demo', role: 'admin', name: 'Ada Admin' }),
  };
  await call(url, tokens.seller, 'PUT', '/v1/sellers/me', { storeName: 'Demo Store', country: 'US' });
  const document = await uploadPng(url, tokens.seller, 'kyc-document');
  await call(url, tokens.seller, 'POST', '/v1/sellers/me/verification', { legalName: 'Demo Store LLC', documents: [document] });
  await call(url, tokens.admin, 'POST', `/v1/admin/sellers/${sellerId}/verification`, { decision: 'APPROVE' });
  const listings = [
    { title: 'Wireless earbuds with charging case', description: 'Bluetooth 5.3, 24 h battery with the case.', price: { amount: 2999, currency: 'USD' }, category: 'audio' },
    { title: 'Stainless steel water bottle 750 ml', description: 'Double-walled, keeps drinks cold for 24 hours.', price: { amount: 1599, currency: 'USD' }, category: 'kitchen' },
  ];
  const productIds: string[] = [];
  for (const listing of listings) {
    const image = await uploadPng(url, tokens.seller, 'listing-image');
    const product = await call(url, tokens.seller, 'POST', '/v1/products', { ...listing, images: [image], guarantee: { returnable: true } });
    productIds.push(String(product.productId));
  }
  // The listing-review worker decides from its queue; deliver it now so the demo starts with listings up.
  await call(url, undefined, 'POST', '/local/queues/drain', {});
  for (const productId of productIds) {
    const product = await call(url, tokens.seller, 'GET', `/v1/products/${productId}`, undefined);
    if (product.status !== 'APPROVED') throw new Error(`Seeding: listing ${productId} is ${String(product.status)}, not APPROVED: ${JSON.stringify(product.review)}`);
  }
  return { tokens, sellerId, productIds };
}
