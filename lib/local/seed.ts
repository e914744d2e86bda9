/**
 * Demo data for `npm start`, created through the public API like any client would: a seller with a
 * store and two listings, and tokens for a demo buyer, seller and admin.
 */
import type { DevTokenIssuer } from './dev-tokens.js';

export interface DemoData {
  tokens: { buyer: string; seller: string; admin: string };
  sellerId: string;
  productIds: string[];
}

async function call(url: string, token: string, method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const payload = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`Seeding ${method} ${path} failed: ${JSON.stringify(payload)}`);
  return payload;
}

export async function seedDemo(url: string, issuer: DevTokenIssuer): Promise<DemoData> {
  const sellerId = 'seller-demo';
  const tokens = {
    buyer: await issuer.sign({ userId: 'buyer-demo', role: 'buyer', name: 'Jordan Buyer' }),
    seller: await issuer.sign({ userId: sellerId, role: 'seller', name: 'Demo Store' }),
    admin: await issuer.sign({ userId: 'admin-demo', role: 'admin', name: 'Ada Admin' }),
  };
  await call(url, tokens.seller, 'PUT', '/v1/sellers/me', { storeName: 'Demo Store', country: 'US' });
  const listings = [
    { title: 'Wireless earbuds with charging case', description: 'Bluetooth 5.3, 24 h battery with the case.', price: { amount: 2999, currency: 'USD' }, category: 'audio' },
    { title: 'Stainless steel water bottle 750 ml', description: 'Double-walled, keeps drinks cold for 24 hours.', price: { amount: 1599, currency: 'USD' }, category: 'kitchen' },
  ];
  const productIds: string[] = [];
  for (const listing of listings) {
    const product = await call(url, tokens.seller, 'POST', '/v1/products', { ...listing, images: ['demo-image'], guarantee: { returnable: true } });
    productIds.push(String(product.productId));
  }
  return { tokens, sellerId, productIds };
}
