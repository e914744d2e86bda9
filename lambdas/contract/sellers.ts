import * as z from 'zod/mini';
import { CountryCode, Timestamp, UserId, described, text } from './shared.js';

export const PutSellerProfile = described(z.strictObject({ storeName: text(2, 80), country: CountryCode }), { id: 'PutSellerProfile' });

export const SellerPathParams = z.strictObject({ sellerId: UserId });

export const PublicSellerProfile = described(
  z.object({
    sellerId: z.string(),
    storeName: z.string(),
    country: z.string(),
    memberSince: Timestamp,
    yearsActive: z.int(),
  }),
  { id: 'PublicSellerProfile' },
);

export const OwnSellerProfile = described(
  z.extend(PublicSellerProfile, {
    updatedAt: Timestamp,
    stats: z.object({
      ordersPlaced: z.int(),
      shipments: z.int(),
      lateShipments: z.int(),
      sellerCancellations: z.int(),
    }),
  }),
  { id: 'OwnSellerProfile' },
);
