/** Seller shops: who may sell, and the public face of a shop (DOMAIN.md "Seller reputation", "Listings"). */
import { DomainError } from './errors.js';

export interface SellerProfile {
  sellerId: string;
  storeName: string;
  country: string;
  createdAt: string;
  updatedAt: string;
  /** Set by penalties: a frozen shop takes no new orders until then. */
  ordersBlockedUntil: string | null;
  /** Set when a shop is closed permanently. */
  closedAt: string | null;
}

export interface SellerStats {
  ordersPlaced: number;
  shipments: number;
  lateShipments: number;
  sellerCancellations: number;
}

const YEAR_MS = 365.25 * 24 * 60 * 60 * 1000;

export function yearsActive(profile: Pick<SellerProfile, 'createdAt'>, now: string): number {
  return Math.max(0, Math.floor((new Date(now).getTime() - new Date(profile.createdAt).getTime()) / YEAR_MS));
}

export function totalStats(months: readonly SellerStats[]): SellerStats {
  return months.reduce(
    (total, month) => ({
      ordersPlaced: total.ordersPlaced + month.ordersPlaced,
      shipments: total.shipments + month.shipments,
      lateShipments: total.lateShipments + month.lateShipments,
      sellerCancellations: total.sellerCancellations + month.sellerCancellations,
    }),
    { ordersPlaced: 0, shipments: 0, lateShipments: 0, sellerCancellations: 0 },
  );
}

/** A shop that is frozen or closed takes no new orders (open orders run to their end). */
export function assertTakesOrders(profile: SellerProfile | undefined, now: string): void {
  if (!profile) throw new DomainError('PRODUCT_NOT_AVAILABLE', 'The seller of this product is not open for business.');
  if (profile.closedAt) throw new DomainError('SELLER_RESTRICTED', 'This shop is closed and takes no new orders.');
  if (profile.ordersBlockedUntil && profile.ordersBlockedUntil > now) {
    throw new DomainError('SELLER_RESTRICTED', `This shop takes no new orders until ${profile.ordersBlockedUntil}.`);
  }
}

export function publicProfile(profile: SellerProfile, now: string) {
  return { sellerId: profile.sellerId, storeName: profile.storeName, country: profile.country, memberSince: profile.createdAt, yearsActive: yearsActive(profile, now) };
}
