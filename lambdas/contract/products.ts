import * as z from 'zod/mini';
import type { ProductStatus as ProductStatusValue } from '../domain/products.js';
import { Guarantee, ListQuery, Money, Timestamp, described, enumOf, idParam, page, text } from './shared.js';

export const ProductStatus = enumOf<ProductStatusValue>()(['PENDING_REVIEW', 'APPROVED', 'REJECTED', 'NEEDS_HUMAN']);

export const ProductInput = described(
  z.strictObject({
    title: text(10, 200),
    description: text(1, 10_000),
    price: Money.check(z.refine((m) => m.amount > 0, 'price must be greater than zero')),
    images: described(z.array(idParam('upl')).check(z.minLength(1), z.maxLength(10)), { description: 'listing-image uploads; the listing review checks each by its bytes.' }),
    category: z.string().check(z.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'a lowercase slug'), z.maxLength(64)),
    guarantee: Guarantee,
    handlingDays: z.optional(z.int().check(z.minimum(1), z.maximum(30))),
  }),
  { id: 'ProductInput' },
);

export const ProductPathParams = z.strictObject({ productId: idParam('prd') });

export const Product = described(
  z.object({
    productId: z.string(),
    sellerId: z.string(),
    title: z.string(),
    description: z.string(),
    price: Money,
    images: described(z.array(z.object({ uploadId: z.string(), url: z.nullable(z.string()) })), {
      description: 'Short-lived links to the platform copies; null for a photo not reviewed yet.',
    }),
    category: z.string(),
    guarantee: z.object({ returnable: z.boolean(), returnWindowDays: z.int(), protectionDays: z.int() }),
    handlingDays: z.int(),
    status: ProductStatus,
    createdAt: Timestamp,
    updatedAt: Timestamp,
    ratingSummary: z.object({
      count: z.int(),
      average: z.nullable(z.number()),
      histogram: z.object({ 1: z.int(), 2: z.int(), 3: z.int(), 4: z.int(), 5: z.int() }),
      withMedia: z.int(),
    }),
    review: z.optional(
      z.object({
        status: ProductStatus,
        reasons: z.array(z.object({ field: z.string(), code: z.string(), message: z.string() })),
        /** The admin who decided; null when the automated review did. */
        decidedBy: z.nullable(z.string()),
      }),
    ),
    /** Owner and admins: when the version the public sees was approved (null: never). */
    approvedAt: z.optional(z.nullable(Timestamp)),
  }),
  { id: 'Product' },
);

export const ProductPage = page(Product, 'ProductPage');
export const SellerProductsQuery = ListQuery;

export const AdminProductsQuery = z.extend(ListQuery, { status: z._default(z.enum(['NEEDS_HUMAN']), 'NEEDS_HUMAN') });

export const ProductDecision = described(
  z.strictObject({ decision: z.enum(['APPROVE', 'REJECT']), reasons: z.optional(z.array(text(1, 500)).check(z.maxLength(10))) }),
  { id: 'ProductDecision' },
);
