/** Seller shops and listings: the seller side of the marketplace. */
import { DomainError, notFound } from '../domain/errors.js';
import { createListing, editListing, productView, type ListingInput } from '../domain/products.js';
import { publicProfile, totalStats } from '../domain/sellers.js';
import type { Principal } from '../platform/auth.js';
import { clock } from '../platform/clock.js';
import { decodeCursor, encodeCursor } from '../platform/cursor.js';
import { newId } from '../platform/ids.js';
import { getProduct, listingEdit, listSellerProducts, newListing } from '../store/products.js';
import { getSellerProfile, getSellerWithStats, saveSellerProfile } from '../store/sellers.js';
import type { Verification } from '../domain/verification.js';
import { getVerification, sellerVerified } from '../store/verification.js';
import { runCommand } from './command.js';
import { isVerified, verificationView } from './verification.js';

export async function saveMyShop(seller: Principal, profile: { storeName: string; country: string }) {
  await saveSellerProfile(seller.userId, profile, clock.nowIso());
  return myShop(seller);
}

export async function myShop(seller: Principal) {
  const [found, verification] = await Promise.all([getSellerWithStats(seller.userId), getVerification(seller.userId)]);
  if (!found) throw notFound('Seller', seller.userId);
  const now = clock.nowIso();
  return {
    ...publicProfile(found.profile, now),
    badges: badgesOf(verification),
    updatedAt: found.profile.updatedAt,
    stats: totalStats(found.months),
    verification: await verificationView(verification),
  };
}

/** The badges this issue awards: VERIFIED once the identity is verified (the reputation badges join them). */
const badgesOf = (verification: Verification | undefined): string[] => (isVerified(verification) ? ['VERIFIED'] : []);

export async function publicShop(sellerId: string) {
  const [profile, verification] = await Promise.all([getSellerProfile(sellerId), getVerification(sellerId)]);
  if (!profile) throw notFound('Seller', sellerId);
  return { ...publicProfile(profile, clock.nowIso()), badges: badgesOf(verification) };
}

export async function createMyListing(seller: Principal, input: ListingInput) {
  const product = await runCommand({
    subject: 'listing',
    load: async () => undefined,
    decide: (_nothing, now) => {
      const created = createListing(newId('prd'), seller.userId, input, now);
      return { writes: [...newListing(created), sellerVerified(seller.userId)], result: created };
    },
    refusals: {
      shopExists: new DomainError('SELLER_PROFILE_REQUIRED', 'Create your shop profile (PUT /v1/sellers/me) before listing products.'),
      sellerVerified: new DomainError('SELLER_NOT_VERIFIED', 'Only sellers with a verified identity list products: submit POST /v1/sellers/me/verification and wait for the decision.'),
    },
  });
  return productView(product, 'owner');
}

export async function editMyListing(seller: Principal, productId: string, input: ListingInput) {
  const edited = await runCommand({
    subject: 'listing',
    load: async () => {
      const current = await getProduct(productId);
      if (!current || current.sellerId !== seller.userId) throw notFound('Product', productId);
      return current;
    },
    decide: (current, now) => {
      const next = editListing(current, input, now);
      return { writes: [listingEdit(next, current.version)], result: next };
    },
    // An edit replaces every listing field: applied over another edit made meanwhile, it would undo it
    // unseen, so the seller reloads instead.
    maxAttempts: 1,
  });
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

export async function listShopListings(principal: Principal | undefined, sellerId: string, query: { limit: number; cursor?: string | undefined }) {
  const viewer = viewerOf(principal, sellerId);
  const scope = viewer === 'public' ? 'listed' : 'all';
  const cursorScope = `products:${sellerId}:${scope}`;
  const { products, lastKey } = await listSellerProducts(sellerId, scope, query.limit, decodeCursor(query.cursor, cursorScope));
  return { items: products.map((product) => productView(product, viewer)), nextCursor: encodeCursor(lastKey, cursorScope) };
}
