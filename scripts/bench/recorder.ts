/**
 * DynamoDB call accounting around one piece of work. The handlers run in this process (the local host
 * imports them through tsx, as this script does), so the SDK middleware of lambdas/store/client.ts sees
 * every call they make while the recorder is active. Only one piece of work may run at a time.
 *
 * With `countUnits(true)` (the per-operation cost probes only: it adds reads of its own), the recorder
 * also splits each call's capacity into read and write request units and works out the index write
 * units DynamoDB bills and the local engine does not report (docs/benchmarks.md, Caveats): for every
 * item a call writes, the item is read before and after through a separate client, and each global
 * index whose keys the item has before or after is charged as DynamoDB does (see indexWriteUnits).
 */
import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { documentClient, recordDynamoCalls, type DynamoCall } from '../../lambdas/store/client.js';
import { tableKeys } from '../../lib/table.js';

export interface RequestUnits {
  read: number;
  write: number;
  /** Write units of global secondary index updates (1 KB each, per index touched). */
  indexWrite: number;
}

export interface CallSummary {
  calls: number;
  /** Calls per DynamoDB operation, e.g. { BatchGetItem: 1, TransactWriteItems: 1 }. */
  byOperation: Record<string, number>;
  capacity: number;
  /** Set when units were counted (countUnits). */
  units?: RequestUnits;
}

export function summarize(calls: readonly DynamoCall[], units?: RequestUnits): CallSummary {
  const byOperation: Record<string, number> = {};
  let capacity = 0;
  for (const call of calls) {
    byOperation[call.operation] = (byOperation[call.operation] ?? 0) + 1;
    capacity += call.capacity;
  }
  return { calls: calls.length, byOperation, capacity, ...(units && { units }) };
}

type Item = Record<string, AttributeValue>;

/** DynamoDB's item size rules: names and values in UTF-8 bytes, numbers ≈ 1 byte per 2 digits + 1, 3 bytes per list or map plus 1 per element. */
export function itemBytes(item: Item): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|^0+|e.*$/gi, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, entry) => sum + Buffer.byteLength(entry), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, entry) => sum + valueBytes({ N: entry }), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, entry) => sum + entry.length, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, entry) => sum + 1 + valueBytes(entry), 0);
  if (value.M !== undefined) return 3 + Object.entries(value.M).reduce((sum, [name, entry]) => sum + 1 + Buffer.byteLength(name) + valueBytes(entry), 0);
  return 0;
}

const KB = 1024;
const writeUnitsOf = (item: Item) => Math.max(1, Math.ceil(itemBytes(item) / KB));
const indexKeyOf = (item: Item | undefined, index: (typeof tableKeys.globalIndexes)[number]): string | undefined => {
  const pk = item?.[index.partitionKey]?.S;
  const sk = item?.[index.sortKey]?.S;
  return pk !== undefined && sk !== undefined ? `${pk}\u0000${sk}` : undefined;
};

/**
 * Index write units for one item changing from `before` to `after` (undefined: absent), every index
 * projecting ALL attributes (lib/stateful-stack.ts): an item entering or leaving an index is one write
 * there, an item changing in place one write, an item whose index key changes two (delete + put); each
 * write costs 1 unit per KB of the entry written. DynamoDB bills index writes of a transaction at the
 * standard rate; the table's transactional writes are doubled by the engine already.
 */
export function indexWriteUnits(before: Item | undefined, after: Item | undefined): number {
  let units = 0;
  for (const index of tableKeys.globalIndexes) {
    const was = indexKeyOf(before, index);
    const is = indexKeyOf(after, index);
    if (was !== undefined && before) units += is === was && after ? 0 : writeUnitsOf(before);
    if (is !== undefined && after) units += writeUnitsOf(after);
  }
  return units;
}

interface Write {
  table: string;
  key: Item;
  put?: Item;
}

const keyOf = (item: Item): Item => {
  const key: Item = {};
  for (const name of [tableKeys.partitionKey, tableKeys.sortKey]) if (item[name]) key[name] = item[name];
  return key;
};

type WriteRequest = { Put?: { TableName?: string; Item?: Item }; Update?: { TableName?: string; Key?: Item }; Delete?: { TableName?: string; Key?: Item } };

/** The items a write call touches, from its (marshalled) input. */
function writesOf(operation: string, input: Record<string, unknown>): Write[] {
  const table = String(input.TableName ?? '');
  if (operation === 'PutItem' && input.Item) return [{ table, key: keyOf(input.Item as Item), put: input.Item as Item }];
  if ((operation === 'UpdateItem' || operation === 'DeleteItem') && input.Key) return [{ table, key: input.Key as Item }];
  if (operation === 'TransactWriteItems') {
    return ((input.TransactItems ?? []) as WriteRequest[]).flatMap((entry): Write[] => {
      if (entry.Put?.Item) return [{ table: entry.Put.TableName ?? '', key: keyOf(entry.Put.Item), put: entry.Put.Item }];
      const keyed = entry.Update ?? entry.Delete;
      return keyed?.Key ? [{ table: keyed.TableName ?? '', key: keyed.Key }] : [];
    });
  }
  if (operation === 'BatchWriteItem') {
    return Object.entries((input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]>).flatMap(([name, requests]) =>
      requests.map((request) => (request.PutRequest ? { table: name, key: keyOf(request.PutRequest.Item), put: request.PutRequest.Item } : { table: name, key: request.DeleteRequest?.Key ?? {} })),
    );
  }
  return [];
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

interface ConsumedCapacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/** Read and write units of one answer: the engine splits transactions; other calls are all reads or all writes. */
export function unitsOf(operation: string, consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): Omit<RequestUnits, 'indexWrite'> {
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return list.reduce(
    (sum, entry) => {
      const split = entry.ReadCapacityUnits !== undefined || entry.WriteCapacityUnits !== undefined;
      const total = entry.CapacityUnits ?? 0;
      return {
        read: sum.read + (split ? (entry.ReadCapacityUnits ?? 0) : READS.has(operation) ? total : 0),
        write: sum.write + (split ? (entry.WriteCapacityUnits ?? 0) : READS.has(operation) ? 0 : total),
      };
    },
    { read: 0, write: 0 },
  );
}

let counting = false;
let units: RequestUnits | undefined;
let installed = false;
let reader: DynamoDBClient | undefined;

/** Turns unit counting on or off for the recordings that follow. */
export function countUnits(on: boolean): void {
  counting = on;
}

async function readItem(write: Write): Promise<Item | undefined> {
  // Its own client, so that these reads are not counted as the work's calls.
  reader ??= new DynamoDBClient({});
  const answer = await reader.send(new GetItemCommand({ TableName: write.table, Key: write.key, ConsistentRead: true }));
  return answer.Item;
}

function installUnitCounter(): void {
  if (installed) return;
  installed = true;
  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      const tally = units;
      if (!tally) return next(args);
      const operation = context.commandName?.replace(/Command$/, '') ?? 'Unknown';
      const writes = writesOf(operation, args.input as Record<string, unknown>);
      const before = await Promise.all(writes.map(readItem));
      const result = await next(args);
      const after = await Promise.all(writes.map((write) => (write.put ? Promise.resolve(write.put) : readItem(write))));
      const split = unitsOf(operation, (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity);
      tally.read += split.read;
      tally.write += split.write;
      tally.indexWrite += writes.reduce((sum, _, index) => sum + indexWriteUnits(before[index], after[index]), 0);
      return result;
    },
    // After the document client has marshalled the input and the call recorder has asked for ConsumedCapacity.
    { step: 'build', name: 'aftersaleBenchUnitCounter' },
  );
}

export async function recorded<T>(work: () => Promise<T>): Promise<{ result: T; summary: CallSummary }> {
  const recording = recordDynamoCalls();
  if (counting) {
    installUnitCounter();
    units = { read: 0, write: 0, indexWrite: 0 };
  }
  try {
    const result = await work();
    return { result, summary: summarize(recording.calls, units) };
  } finally {
    recording.stop();
    units = undefined;
  }
}

export const describeOperations = (byOperation: Record<string, number>): string =>
  Object.entries(byOperation)
    .map(([operation, count]) => `${operation} ${count}`)
    .join(', ') || '—';

export const countOf = (summary: CallSummary, operation: string): number => summary.byOperation[operation] ?? 0;
