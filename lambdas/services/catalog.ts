/** Seller shops: the profile a seller keeps, and what the public and the seller see of it (listings: services/listings.ts). */
import { notFound } from '../domain/errors.js';
import { publicProfile, totalStats } from '../domain/sellers.js';
import type { Principal } from '../platform/auth.js';
import { clock } from '../platform/clock.js';
import { getSellerProfile, getSellerWithStats, saveSellerProfile } from '../store/sellers.js';
import type { Verification } from '../domain/verification.js';
import { getVerification } from '../store/verification.js';
import { penaltiesView } from './penalties.js';
import { isVerified, verificationView } from './verification.js';

export async function saveMyShop(seller: Principal, profile: { storeName: string; country: string }) {
  await saveSellerProfile(seller.userId, profile, clock.nowIso());
  return myShop(seller);
}

export async function myShop(seller: Principal) {
  const [found, verification, penalties] = await Promise.all([getSellerWithStats(seller.userId), getVerification(seller.userId), penaltiesView(seller.userId)]);
  if (!found) throw notFound('Seller', seller.userId);
  const now = clock.nowIso();
  return {
    ...publicProfile(found.profile, now),
    badges: badgesOf(verification),
    updatedAt: found.profile.updatedAt,
    stats: totalStats(found.months),
    verification: await verificationView(verification),
    penalties,
  };
}

/** The badges this issue awards: VERIFIED once the identity is verified (the reputation badges join them). */
const badgesOf = (verification: Verification | undefined): string[] => (isVerified(verification) ? ['VERIFIED'] : []);

export async function publicShop(sellerId: string) {
  const [profile, verification] = await Promise.all([getSellerProfile(sellerId), getVerification(sellerId)]);
  if (!profile) throw notFound('Seller', sellerId);
  return { ...publicProfile(profile, clock.nowIso()), badges: badgesOf(verification) };
}
