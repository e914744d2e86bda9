/**
 * One definition per stored entity: its schema, its keys and index keys, and how they read in
 * docs/architecture.md. From it come the key builder, the item written (keys + index keys + the
 * `entity` tag + the attributes) and the parse on read, which validates the attributes and drops the
 * keys — so a renamed or retyped field fails loudly where it is read instead of travelling on as a cast.
 */
import * as z from 'zod/mini';
import type { TableKey } from './transactions.js';

export type IndexKeys = Partial<Record<'GSI1PK' | 'GSI1SK' | 'GSI2PK' | 'GSI2SK' | 'GSI3PK' | 'GSI3SK', string>>;

/**
 * The keys as the access-pattern table in docs/architecture.md writes them, `<name>` standing for a
 * value; a test holds the two (and the key builders) together.
 */
export interface KeyPatterns {
  PK: string;
  SK: string;
  GSI1?: string;
  GSI2?: string;
  GSI3?: string;
}

/** Every attribute of `T`, at any depth, as a field name; optionality and value types are left to zod. */
type Shape<T> = T extends readonly (infer E)[] ? Shape<E>[] : T extends object ? { [K in keyof T]-?: Shape<Exclude<T[K], null | undefined>> } : 'value';
type SameShape<A, B> = [Shape<A>] extends [Shape<B>] ? ([Shape<B>] extends [Shape<A>] ? true : false) : false;

/**
 * A schema for the domain type `T` that names every one of its fields: zod drops fields a schema does
 * not name, so a field missing here would be lost on the next read-modify-write. Usage:
 * `schemaOf<Order>()(z.object({ … }))`.
 */
export const schemaOf =
  <T>() =>
  <S extends z.ZodMiniType<T>>(schema: S & (SameShape<T, z.output<S>> extends true ? unknown : { error: 'the schema does not name the same fields as the type' })): z.ZodMiniType<T> =>
    schema;

export interface EntityDefinition<T, Id> {
  /** The `entity` attribute of its items. */
  name: string;
  schema: z.ZodMiniType<T>;
  patterns: KeyPatterns;
  /** The primary key, from what identifies the entity (its own attributes and, for a child, its parent's). */
  key: (id: Id) => TableKey;
  indexes?: (entity: T) => IndexKeys;
}

/** What a child item's key needs beyond its own attributes, e.g. the order id of a ledger entry. */
type Context<T, Id> = Omit<Id, keyof T>;
type ContextArgs<T, Id> = keyof Context<T, Id> extends never ? [] : [context: Context<T, Id>];

export interface Entity<T, Id> {
  readonly name: string;
  readonly patterns: KeyPatterns;
  key(id: Id): TableKey;
  /** The index keys the entity's item carries (none for a sparse index it is not in). */
  indexes(entity: T): IndexKeys;
  item(entity: T, ...context: ContextArgs<T, Id>): Record<string, unknown>;
  parse(item: Record<string, unknown>): T;
}

/** Zero-padded numbers in sort keys, so they sort as numbers. */
export const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export function defineEntity<T extends object, Id extends object>(definition: EntityDefinition<T, Id>): Entity<T, Id> {
  const { name, schema, patterns, key, indexes } = definition;
  return {
    name,
    patterns,
    key,
    indexes: (entity) => indexes?.(entity) ?? {},
    item(entity, ...context) {
      // The key's parts are the entity's attributes plus the context; the signature demands exactly those.
      const id = { ...context[0], ...entity } as unknown as Id;
      return { ...key(id), entity: name, ...entity, ...indexes?.(entity) };
    },
    parse(item) {
      const parsed = schema.safeParse(item);
      if (parsed.success) return parsed.data;
      throw new Error(`Stored ${name} ${String(item.PK)} / ${String(item.SK)} does not match its schema: ${z.prettifyError(parsed.error)}`);
    },
  };
}

/** Schemas several entities share. */
export const MoneySchema = z.object({ amount: z.int(), currency: z.string() });
export const nullableString = z.nullable(z.string());
