/** Seller shops: the profile a seller keeps, and what the public and the seller see of it (listings: services/listings.ts). */
import { notFound } from '../domain/errors.js';
import { reputationOf } from '../domain/reputation.js';
import { publicProfile, totalStats } from '../domain/sellers.js';
import type { Principal } from '../platform/auth.js';
import { clock } from '../platform/clock.js';
import { getSellerWithStats, saveSellerProfile } from '../store/sellers.js';
import { getVerification } from '../store/verification.js';
import { penaltiesView } from './penalties.js';
import { verificationView } from './verification.js';

export async function saveMyShop(seller: Principal, profile: { storeName: string; country: string }) {
  await saveSellerProfile(seller.userId, profile, clock.nowIso());
  return myShop(seller);
}

export async function myShop(seller: Principal) {
  const [found, verification, penalties] = await Promise.all([getSellerWithStats(seller.userId), getVerification(seller.userId), penaltiesView(seller.userId)]);
  if (!found) throw notFound('Seller', seller.userId);
  const now = clock.nowIso();
  const reputation = reputationOf(found.months, now);
  return {
    ...publicProfile(found.profile, now),
    badges: found.badges?.badges ?? [],
    reputation,
    updatedAt: found.profile.updatedAt,
    stats: totalStats(found.months),
    verification: await verificationView(verification),
    penalties,
  };
}

/**
 * The public profile with its reputation: the profile, the badges the daily badge job stored
 * (lambdas/jobs/badges.ts) and every month's counters are one Query.
 */
export async function publicShop(sellerId: string) {
  const found = await getSellerWithStats(sellerId);
  if (!found) throw notFound('Seller', sellerId);
  const now = clock.nowIso();
  return { ...publicProfile(found.profile, now), badges: found.badges?.badges ?? [], reputation: reputationOf(found.months, now) };
}
