/** Seller profiles and listings: the store side of the marketplace. */
import { DomainError, notFound } from '../domain/errors.js';
import { createListing, editListing, productView, type ListingInput } from '../domain/products.js';
import { publicProfile, totalStats } from '../domain/sellers.js';
import type { Principal } from '../platform/auth.js';
import { clock } from '../platform/clock.js';
import { decodeCursor, encodeCursor } from '../platform/cursor.js';
import { newId } from '../platform/ids.js';
import { createProduct, getProduct, listSellerProducts, replaceProduct } from '../store/products.js';
import { getSellerProfile, getSellerWithStats, saveSellerProfile } from '../store/sellers.js';
import { ConflictError } from '../store/transactions.js';

export async function saveMyStore(seller: Principal, profile: { storeName: string; country: string }) {
  await saveSellerProfile(seller.userId, profile, clock.nowIso());
  return myStore(seller);
}

export async function myStore(seller: Principal) {
  const found = await getSellerWithStats(seller.userId);
  if (!found) throw notFound('Seller', seller.userId);
  const now = clock.nowIso();
  return { ...publicProfile(found.profile, now), updatedAt: found.profile.updatedAt, stats: totalStats(found.months) };
}

export async function publicStore(sellerId: string) {
  const profile = await getSellerProfile(sellerId);
  if (!profile) throw notFound('Seller', sellerId);
  return publicProfile(profile, clock.nowIso());
}

export async function createMyListing(seller: Principal, input: ListingInput) {
  const product = createListing(newId('prd'), seller.userId, input, clock.nowIso());
  try {
    await createProduct(product);
  } catch (error) {
    if (error instanceof ConflictError) throw new DomainError('SELLER_PROFILE_REQUIRED', 'Create your store profile (PUT /v1/sellers/me) before listing products.');
    throw error;
  }
  return productView(product, 'owner');
}

export async function editMyListing(seller: Principal, productId: string, input: ListingInput) {
  const current = await getProduct(productId);
  if (!current || current.sellerId !== seller.userId) throw notFound('Product', productId);
  const edited = editListing(current, input, clock.nowIso());
  try {
    await replaceProduct(edited, current.version);
  } catch (error) {
    if (error instanceof ConflictError) throw new DomainError('CONCURRENT_UPDATE', 'The listing changed while you were editing it; reload and retry.');
    throw error;
  }
  return productView(edited, 'owner');
}

const viewerOf = (principal: Principal | undefined, sellerId: string): 'owner' | 'admin' | 'public' =>
  principal?.roles.includes('admin') ? 'admin' : principal?.roles.includes('seller') && principal.userId === sellerId ? 'owner' : 'public';

export async function viewListing(principal: Principal | undefined, productId: string) {
  const product = await getProduct(productId);
  const viewer = product && viewerOf(principal, product.sellerId);
  // Listings that are not approved exist only for their owner and admins.
  if (!product || (viewer === 'public' && product.status !== 'APPROVED')) throw notFound('Product', productId);
  return productView(product, viewer ?? 'public');
}

export async function listStoreListings(principal: Principal | undefined, sellerId: string, query: { limit: number; cursor?: string | undefined }) {
  const viewer = viewerOf(principal, sellerId);
  const scope = viewer === 'public' ? 'listed' : 'all';
  const cursorScope = `products:${sellerId}:${scope}`;
  const { products, lastKey } = await listSellerProducts(sellerId, scope, query.limit, decodeCursor(query.cursor, cursorScope));
  return { items: products.map((product) => productView(product, viewer)), nextCursor: encodeCursor(lastKey, cursorScope) };
}
