import * as z from 'zod';
import { Guarantee, ListQuery, Money, Timestamp, idParam, page } from './shared.js';

export const ProductStatus = z.enum(['PENDING_REVIEW', 'APPROVED', 'REJECTED', 'NEEDS_HUMAN']);

export const ProductInput = z
  .strictObject({
    title: z.string().trim().min(10).max(200),
    description: z.string().trim().min(1).max(10_000),
    price: Money.refine((m) => m.amount > 0, 'price must be greater than zero'),
    images: z.array(z.string().min(1).max(64)).min(1).max(10).meta({ description: 'Upload ids (or image URLs until uploads ship).' }),
    category: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'a lowercase slug').max(64),
    guarantee: Guarantee,
    handlingDays: z.int().min(1).max(30).optional(),
  })
  .meta({ id: 'ProductInput' });

export const ProductPathParams = z.strictObject({ productId: idParam('prd') });

export const Product = z
  .object({
    productId: z.string(),
    sellerId: z.string(),
    title: z.string(),
    description: z.string(),
    price: Money,
    images: z.array(z.string()),
    category: z.string(),
    guarantee: z.object({ returnable: z.boolean(), returnWindowDays: z.int(), protectionDays: z.int() }),
    handlingDays: z.int(),
    status: ProductStatus,
    createdAt: Timestamp,
    updatedAt: Timestamp,
    ratingSummary: z.object({
      count: z.int(),
      average: z.number().nullable(),
      histogram: z.object({ 1: z.int(), 2: z.int(), 3: z.int(), 4: z.int(), 5: z.int() }),
      withMedia: z.int(),
    }),
    review: z.object({ status: ProductStatus, reasons: z.array(z.object({ field: z.string(), code: z.string(), message: z.string() })) }).optional(),
  })
  .meta({ id: 'Product' });

export const ProductPage = page(Product, 'ProductPage');
export const SellerProductsQuery = ListQuery;
