import * as z from 'zod';
import type {} from 'zod-openapi';
import { MAX_AMOUNT } from '../domain/money.js';

/** ISO-4217 codes the platform settles in. Adding one is a product decision, not a code change elsewhere. */
export const Currency = z.enum(['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY', 'CNY', 'BRL', 'MXN', 'PLN']).meta({ id: 'Currency' });

export const Money = z
  .strictObject({
    amount: z.int().min(0).max(MAX_AMOUNT).meta({ description: 'Integer minor units (cents).' }),
    currency: Currency,
  })
  .meta({ id: 'Money', example: { amount: 1999, currency: 'USD' } });
export type Money = z.infer<typeof Money>;

export const CountryCode = z.string().regex(/^[A-Z]{2}$/, 'ISO-3166 alpha-2 country code').meta({ example: 'US' });

const line = (max: number) => z.string().trim().min(1).max(max);

export const Address = z
  .strictObject({
    name: line(100),
    line1: line(200),
    line2: line(200).optional(),
    city: line(100),
    region: line(100).optional(),
    postalCode: line(20),
    country: CountryCode,
    phone: z.string().regex(/^\+?[0-9 ()-]{5,30}$/).optional(),
  })
  .meta({ id: 'Address' });
export type Address = z.infer<typeof Address>;

export const Guarantee = z
  .strictObject({
    returnable: z.boolean(),
    returnWindowDays: z.int().min(0).max(90).optional(),
    protectionDays: z.int().min(15).max(120).optional(),
  })
  .meta({ id: 'Guarantee' });
export type Guarantee = z.infer<typeof Guarantee>;

export const Timestamp = z.iso.datetime({ offset: false }).meta({ example: '2026-11-25T10:00:00.000Z' });

export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(2048).optional(),
});

export function page<T extends z.ZodType>(item: T, id: string) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() }).meta({ id });
}

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string().optional(),
    code: z.string().meta({ description: 'Stable UPPER_SNAKE machine code.' }),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

export const idParam = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`), `a ${prefix}_… id`);
export const UserId = z.string().min(1).max(128).regex(/^[A-Za-z0-9_.@:-]+$/);
