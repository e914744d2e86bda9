/** Seller shops: the profile a seller keeps, and what the public and the seller see of it (listings: services/listings.ts). */
import { notFound } from '../domain/errors.js';
import { reputationBadges, reputationOf, type Badge, type Reputation } from '../domain/reputation.js';
import { publicProfile, totalStats } from '../domain/sellers.js';
import type { Principal } from '../platform/auth.js';
import { clock } from '../platform/clock.js';
import { getSellerWithStats, saveSellerProfile } from '../store/sellers.js';
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
  const reputation = reputationOf(found.months, now);
  return {
    ...publicProfile(found.profile, now),
    badges: badgesOf(reputation, verification),
    reputation,
    updatedAt: found.profile.updatedAt,
    stats: totalStats(found.months),
    verification: await verificationView(verification),
    penalties,
  };
}

/** The reputation badges (domain/reputation.ts) and VERIFIED once the identity is verified. */
const badgesOf = (reputation: Reputation, verification: Verification | undefined): Badge[] => [
  ...reputationBadges(reputation),
  ...(isVerified(verification) ? [{ code: 'VERIFIED' as const, reason: 'identity verified by the platform' }] : []),
];

/** The public profile with its reputation: the profile and every month's counters are one Query. */
export async function publicShop(sellerId: string) {
  const [found, verification] = await Promise.all([getSellerWithStats(sellerId), getVerification(sellerId)]);
  if (!found) throw notFound('Seller', sellerId);
  const now = clock.nowIso();
  const reputation = reputationOf(found.months, now);
  return { ...publicProfile(found.profile, now), badges: badgesOf(reputation, verification), reputation };
}
