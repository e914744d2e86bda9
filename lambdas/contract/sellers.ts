import * as z from 'zod';
import { CountryCode, Timestamp, UserId } from './shared.js';

export const PutSellerProfile = z
  .strictObject({ storeName: z.string().trim().min(2).max(80), country: CountryCode })
  .meta({ id: 'PutSellerProfile' });

export const SellerPathParams = z.strictObject({ sellerId: UserId });

export const PublicSellerProfile = z
  .object({
    sellerId: z.string(),
    storeName: z.string(),
    country: z.string(),
    memberSince: Timestamp,
    yearsActive: z.int(),
  })
  .meta({ id: 'PublicSellerProfile' });

export const OwnSellerProfile = PublicSellerProfile.extend({
  updatedAt: Timestamp,
  stats: z.object({
    ordersPlaced: z.int(),
    shipments: z.int(),
    lateShipments: z.int(),
    sellerCancellations: z.int(),
  }),
}).meta({ id: 'OwnSellerProfile' });
