/**
 * Shapes every contract file shares. The contract is written with zod/mini: its schemas are plain
 * functions, so a function's bundle carries the validators its routes use and no more (classic zod
 * ships every method of every schema, ≈ 80 KB minified, and builds schemas about twice as slowly at
 * cold start). Metadata for the OpenAPI document goes in zod's global registry (`described`).
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { MAX_AMOUNT } from '../domain/money.js';

// Field errors in problem+json carry zod's messages; mini ships no locale unless told.
z.config(en());

/** Registers OpenAPI metadata (an `id` makes it a named component) on the schema itself, and returns it. */
export const described = <T extends z.core.$ZodType>(schema: T, meta: z.core.GlobalMeta): T => {
  z.globalRegistry.add(schema, meta);
  return schema;
};

/**
 * A zod enum of exactly the members of a domain union: a value the domain adds and the contract does
 * not list (or the reverse) fails to compile, so a state added in lambdas/domain/ reaches the contract.
 */
export const enumOf =
  <Union extends string>() =>
  <const Values extends readonly [Union, ...Union[]]>(values: Values & ([Union] extends [Values[number]] ? unknown : { missing: Exclude<Union, Values[number]> })) =>
    z.enum(values);

/** A trimmed, non-empty line of text of at most `max` characters. */
export const text = (min: number, max: number) => z.string().check(z.trim(), z.minLength(min), z.maxLength(max));

/** ISO-4217 codes the platform settles in. Adding one is a product decision, not a code change elsewhere. */
export const Currency = described(z.enum(['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY', 'CNY', 'BRL', 'MXN', 'PLN']), { id: 'Currency' });

export const Money = described(
  z.strictObject({
    amount: described(z.int().check(z.minimum(0), z.maximum(MAX_AMOUNT)), { description: 'Integer minor units (cents).' }),
    currency: Currency,
  }),
  { id: 'Money', example: { amount: 1999, currency: 'USD' } },
);

export const CountryCode = described(z.string().check(z.regex(/^[A-Z]{2}$/, 'ISO-3166 alpha-2 country code')), { example: 'US' });

export const Address = described(
  z.strictObject({
    name: text(1, 100),
    line1: text(1, 200),
    line2: z.optional(text(1, 200)),
    city: text(1, 100),
    region: z.optional(text(1, 100)),
    postalCode: text(1, 20),
    country: CountryCode,
    phone: z.optional(z.string().check(z.regex(/^\+?[0-9 ()-]{5,30}$/))),
  }),
  { id: 'Address' },
);

export const Guarantee = described(
  z.strictObject({
    returnable: z.boolean(),
    returnWindowDays: z.optional(z.int().check(z.minimum(0), z.maximum(90))),
    protectionDays: z.optional(z.int().check(z.minimum(15), z.maximum(120))),
  }),
  { id: 'Guarantee' },
);

export const Timestamp = described(z.iso.datetime({ offset: false }), { example: '2026-11-25T10:00:00.000Z' });

/** Query-string integers arrive as text. */
export const queryInt = (min: number, max: number) => z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max));

export const ListQuery = z.strictObject({
  limit: z._default(queryInt(1, 100), 20),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});

export function page<T extends z.core.$ZodType>(item: T, id: string) {
  return described(z.object({ items: z.array(item), nextCursor: z.nullable(z.string()) }), { id });
}

export const Problem = described(
  z.object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.optional(z.string()),
    code: described(z.string(), { description: 'Stable UPPER_SNAKE machine code.' }),
    errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
  }),
  { id: 'Problem' },
);

export const idParam = (prefix: string) => z.string().check(z.regex(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`), `a ${prefix}_… id`));
export const UserId = z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9_.@:-]+$/));
