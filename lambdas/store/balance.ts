/**
 * Seller balances in the single table, one partition per seller and currency `BALANCE#<sellerId>#<currency>`:
 * the balance itself, a write-sharded ADD counter (`TOTAL#<shard>`: a burst of releases for one shop
 * spreads over K items instead of queuing on one, decision 021), and one entry per movement
 * (`ENTRY#<at>#<sourceId>#<seq>`). The counter items sort after every entry, so one descending Query reads
 * the balance and the newest entries together.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { BALANCE_ENTRY_TYPES, balanceDeltas, type BalanceEntry } from '../domain/balance.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import { defineEntity, MoneySchema, nullableString, pad, schemaOf } from './entity.js';
import { counterShards, shardedCounter } from './sharded-counter.js';
import { putNew, type TransactItem } from './transactions.js';

const partition = ({ sellerId, currency }: { sellerId: string; currency: string }) => `BALANCE#${sellerId}#${currency}`;

export const balanceShards = shardedCounter<'balance', { sellerId: string; currency: string }>({
  name: 'sellerBalance',
  fields: ['balance'],
  patterns: { PK: 'BALANCE#<sellerId>#<currency>', SK: 'TOTAL#<shard:2>' },
  partition,
  prefix: () => 'TOTAL',
});

export const balanceEntryEntity = defineEntity({
  name: 'balanceEntry',
  schema: schemaOf<BalanceEntry>()(
    z.object({
      sellerId: z.string(),
      type: z.enum(BALANCE_ENTRY_TYPES),
      amount: MoneySchema,
      orderId: z.string(),
      disputeId: nullableString,
      sourceSeq: z.int(),
      at: z.string(),
      reason: z.string(),
    }),
  ),
  patterns: { PK: 'BALANCE#<sellerId>#<currency>', SK: 'ENTRY#<at>#<sourceId>#<sourceSeq:6>' },
  // The source (the dispute of a compensation, else the order) and its sequence keep two entries at one instant apart.
  key: ({ sellerId, amount, at, disputeId, orderId, type, sourceSeq }: Pick<BalanceEntry, 'sellerId' | 'amount' | 'at' | 'disputeId' | 'orderId' | 'type' | 'sourceSeq'>) => ({
    PK: partition({ sellerId, currency: amount.currency }),
    SK: `ENTRY#${at}#${type === 'COMPENSATION' && disputeId ? disputeId : orderId}#${pad(sourceSeq, 6)}`,
  }),
});

/**
 * What a transaction that moves seller balances writes with its ledger entries or decision: each entry
 * (new) and one ADD per balance moved, so the balance and its entries can never disagree.
 */
export function balanceWrites(entries: readonly BalanceEntry[]): TransactItem[] {
  if (entries.length === 0) return [];
  const counters = balanceDeltas(entries).flatMap(({ sellerId, currency, delta, source }) => balanceShards.add({ sellerId, currency }, source, { balance: delta }));
  return [...entries.map((entry) => putNew(balanceEntryEntity.item(entry))), ...counters];
}

export interface BalancePage {
  /** The balance (every shard summed); read with the first page only. */
  balance: number | undefined;
  /** Newest first, at most `limit`. */
  entries: BalanceEntry[];
  /** The key of the last entry returned when more may follow. */
  lastKey: Record<string, unknown> | undefined;
}

/**
 * One page of a balance, newest first, in one Query: the first page starts above the counter shards
 * (`TOTAL#…` sorts after every `ENTRY#…`) and reads them too, so it asks for `limit` + K items; a later
 * page starts after the entry the previous one ended on.
 */
export async function readBalancePage(owner: { sellerId: string; currency: string }, limit: number, startKey: Record<string, unknown> | undefined): Promise<BalancePage> {
  const first = startKey === undefined;
  const page = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': partition(owner), ':from': 'ENTRY#', ':to': first ? balanceShards.range(owner).to : 'ENTRY#~' },
      ScanIndexForward: false,
      ConsistentRead: true,
      Limit: limit + (first ? counterShards() : 0),
      ExclusiveStartKey: startKey,
    }),
  );
  const items = page.Items ?? [];
  const shards = items.filter((item) => balanceShards.isShard(owner, item));
  const entryItems = items.filter((item) => String(item.SK).startsWith('ENTRY#'));
  const kept = entryItems.slice(0, limit);
  const last = kept.at(-1);
  const more = entryItems.length > limit || page.LastEvaluatedKey !== undefined;
  return {
    balance: first ? balanceShards.sum(shards).balance : undefined,
    entries: kept.map(balanceEntryEntity.parse),
    lastKey: more && last ? { PK: last.PK, SK: last.SK } : undefined,
  };
}
