/**
 * Local DynamoDB: dynalite (in memory) behind a small HTTP proxy that adds the two
 * operations dynalite lacks, TransactWriteItems and TransactGetItems (architect/dynalite#151).
 * Every other request is forwarded to dynalite verbatim.
 *
 * How a TransactWriteItems runs — always under an exclusive lock, so no other write interleaves:
 *  1. validate the request shape, look up each table's key schema, refuse two actions on one item;
 *  2. snapshot every target item from the real store (consistent GetItem): the before-images;
 *  3. dry-run every action, unchanged, against a second, private dynalite instance (the
 *     "scratch" engine) whose shadow tables have the same key schema, after seeding it with the
 *     before-image. dynalite itself thus evaluates the ConditionExpression and the
 *     UpdateExpression, exactly as it would for a plain PutItem/UpdateItem/DeleteItem, and hands
 *     back the after-image — without the real table ever being touched. A ConditionCheck is
 *     dry-run as a conditional DeleteItem, which cannot create an item, and is never committed;
 *  4. if any dry run failed its condition, answer TransactionCanceledException with one reason
 *     per action (so every failing action is reported, as DynamoDB does); nothing was written;
 *  5. otherwise commit the after-images to the real store. Should a commit write still fail
 *     (e.g. a GSI key attribute of the wrong type: shadow tables only model the primary key),
 *     restore every before-image and answer that error.
 *
 * Isolation: transactions and plain writes (PutItem, BatchWriteItem, CreateTable, …) are
 * serialised against each other by a shared/exclusive lock — plain writes share it, so they
 * still run concurrently with one another. Plain reads are not locked: as on DynamoDB they are
 * read-committed per item (BatchGetItem/Query may see one transaction half applied, which the
 * DynamoDB documentation allows); TransactGetItems takes the exclusive lock and is serialisable.
 */
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { crc32 } from 'node:zlib';
import dynalite from 'dynalite';

export interface DynamoDbEngine {
  /** Base URL of the proxy, e.g. `http://127.0.0.1:8000`. */
  endpoint: string;
  /** Closes the proxy and both dynalite instances, dropping open (keep-alive) connections. */
  stop(): Promise<void>;
}

/** Starts dynalite in memory plus the transaction proxy; `port` 0 (default) picks a free port. */
export async function startDynamoDb(options: { port?: number } = {}): Promise<DynamoDbEngine> {
  // Tables become ACTIVE immediately: nobody wants to poll a laptop-sized database.
  const dynaliteOptions = { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 };
  const agent = new http.Agent({ keepAlive: true });
  const started: http.Server[] = [];
  try {
    const storeServer = dynalite(dynaliteOptions);
    const store = new DynaliteClient(await listen(storeServer, 0), agent);
    started.push(storeServer);
    const scratchServer = dynalite(dynaliteOptions);
    const scratch = new DynaliteClient(await listen(scratchServer, 0), agent);
    started.push(scratchServer);

    const lock = new SharedExclusiveLock();
    const catalog = new TableCatalog(store, scratch);
    const transactions = new TransactionEngine(store, scratch, catalog, lock);
    const proxyServer = http.createServer((req, res) => {
      void handleRequest(req, res, { transactions, store, catalog, lock });
    });
    const port = await listen(proxyServer, options.port ?? 0);
    started.unshift(proxyServer); // closed first, so nothing new reaches dynalite while it shuts down

    let stopping: Promise<void> | undefined;
    return {
      endpoint: `http://${LOOPBACK}:${port}`,
      stop: () => (stopping ??= shutdown(started, agent)),
    };
  } catch (error) {
    await shutdown(started, agent);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Shared definitions

type JsonObject = Record<string, unknown>;
/** A DynamoDB item or key in wire format; attribute values are passed through, never inspected. */
type AttributeMap = Record<string, unknown>;

const LOOPBACK = '127.0.0.1';
const API_VERSION = 'DynamoDB_20120810';
const ERROR_PREFIX = 'com.amazonaws.dynamodb.v20120810#';
const MAX_TRANSACTION_ITEMS = 100;
/** DynamoDB charges two units per item for transactional reads and writes (prepare + commit). */
const TRANSACTION_COST = 2;
const IDEMPOTENCY_WINDOW_MS = 10 * 60 * 1000;

/** Forwarded operations that modify data or tables, hence must not interleave with a transaction. */
const WRITE_OPERATIONS = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'CreateTable',
  'DeleteTable',
  'UpdateTable',
]);

function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A DynamoDB error answer: thrown inside the proxy, sent to the client as-is. */
class DynamoError extends Error {
  constructor(
    readonly status: number,
    readonly body: JsonObject,
  ) {
    super(typeof body.message === 'string' ? body.message : String(body.__type));
  }

  static of(type: string, message: string, extra: JsonObject = {}): DynamoError {
    return new DynamoError(400, { __type: ERROR_PREFIX + type, message, ...extra });
  }
}

function validationError(message: string): DynamoError {
  return DynamoError.of('ValidationException', message);
}

/** `com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException` → `ConditionalCheckFailedException`. */
function errorName(body: JsonObject): string {
  const type = body.__type;
  return typeof type === 'string' ? type.slice(type.lastIndexOf('#') + 1) : '';
}

/** Like Promise.all, but waits for every promise before rethrowing the first failure, so no
 * work started under a lock is still running once the lock has been released. */
async function settleAll<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  return results.map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });
}

function pick(source: JsonObject, fields: readonly string[]): JsonObject {
  const picked: JsonObject = {};
  for (const field of fields) if (source[field] !== undefined) picked[field] = source[field];
  return picked;
}

// ---------------------------------------------------------------------------------------------
// Concurrency

type Waiter = { exclusive: boolean; grant: () => void };

/**
 * A FIFO shared/exclusive (readers/writer) lock. Plain writes take it shared, transactions
 * exclusive: a transaction therefore never interleaves with any write, while plain writes keep
 * running concurrently. A queued exclusive request blocks later shared ones (no starvation).
 */
class SharedExclusiveLock {
  private sharedHolders = 0;
  private exclusiveHeld = false;
  private readonly queue: Waiter[] = [];

  shared<T>(work: () => Promise<T>): Promise<T> {
    return this.run(false, work);
  }

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.run(true, work);
  }

  private async run<T>(exclusive: boolean, work: () => Promise<T>): Promise<T> {
    await this.acquire(exclusive);
    try {
      return await work();
    } finally {
      if (exclusive) this.exclusiveHeld = false;
      else this.sharedHolders -= 1;
      this.grantWaiters();
    }
  }

  private acquire(exclusive: boolean): Promise<void> {
    if (this.queue.length === 0 && this.isFree(exclusive)) {
      this.take(exclusive);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push({ exclusive, grant: resolve }));
  }

  private isFree(exclusive: boolean): boolean {
    return exclusive ? !this.exclusiveHeld && this.sharedHolders === 0 : !this.exclusiveHeld;
  }

  private take(exclusive: boolean): void {
    if (exclusive) this.exclusiveHeld = true;
    else this.sharedHolders += 1;
  }

  private grantWaiters(): void {
    for (let next = this.queue[0]; next && this.isFree(next.exclusive); next = this.queue[0]) {
      this.queue.shift();
      this.take(next.exclusive);
      next.grant();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Talking to dynalite

/** dynalite insists on the *shape* of a SigV4 header but never checks the signature. */
const DUMMY_AUTH_HEADERS = {
  Authorization:
    'AWS4-HMAC-SHA256 Credential=local/20000101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
  'X-Amz-Date': '20000101T000000Z',
};

/** A minimal DynamoDB JSON-protocol client for one dynalite instance. */
class DynaliteClient {
  constructor(
    readonly port: number,
    readonly agent: http.Agent,
  ) {}

  /** One API call; resolves with the status and parsed body whatever the status. */
  call(operation: string, payload: JsonObject): Promise<{ status: number; body: JsonObject }> {
    const data = Buffer.from(JSON.stringify(payload));
    const headers = {
      ...DUMMY_AUTH_HEADERS,
      'Content-Type': 'application/x-amz-json-1.0',
      'Content-Length': data.length,
      'X-Amz-Target': `${API_VERSION}.${operation}`,
    };
    return new Promise((resolve, reject) => {
      const request = http.request(
        { host: LOOPBACK, port: this.port, method: 'POST', path: '/', agent: this.agent, headers },
        (response) => {
          readBody(response)
            .then((raw) => resolve({ status: response.statusCode ?? 500, body: parseObject(raw) }))
            .catch(reject);
        },
      );
      request.on('error', reject);
      request.end(data);
    });
  }

  /** One API call that must succeed: an error answer is thrown as a DynamoError. */
  async send(operation: string, payload: JsonObject): Promise<JsonObject> {
    const { status, body } = await this.call(operation, payload);
    if (status !== 200) throw new DynamoError(status, body);
    return body;
  }
}

function readBody(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function parseObject(raw: Buffer): JsonObject {
  if (raw.length === 0) return {};
  const parsed: unknown = JSON.parse(raw.toString('utf8'));
  if (!isRecord(parsed)) throw new Error('dynalite answered with a non-object JSON body');
  return parsed;
}

/** Units reported by dynalite for a call made with ReturnConsumedCapacity TOTAL. */
function capacityUnitsOf(body: JsonObject): number {
  const consumed = body.ConsumedCapacity;
  return isRecord(consumed) && typeof consumed.CapacityUnits === 'number' ? consumed.CapacityUnits : 0;
}

// ---------------------------------------------------------------------------------------------
// Tables: key schemas and shadow tables

interface KeyAttribute {
  name: string;
  /** S, N or B. */
  type: string;
}
/** The primary key: the partition key first, then the sort key if any. */
type KeySchema = KeyAttribute[];

/** Caches key schemas of the real tables and owns their shadow tables in the scratch engine. */
class TableCatalog {
  private readonly schemas = new Map<string, KeySchema>();
  private readonly shadows = new Map<string, Promise<string>>();
  private shadowCount = 0;

  constructor(
    private readonly store: DynaliteClient,
    private readonly scratch: DynaliteClient,
  ) {}

  /** The table's key schema; throws ResourceNotFoundException for an unknown table. */
  async keySchema(tableName: string): Promise<KeySchema> {
    const cached = this.schemas.get(tableName);
    if (cached) return cached;
    const schema = parseKeySchema(await this.store.send('DescribeTable', { TableName: tableName }));
    this.schemas.set(tableName, schema);
    return schema;
  }

  /** Name of the scratch table mirroring `tableName`'s key schema, created on first use. */
  shadowTable(tableName: string, schema: KeySchema): Promise<string> {
    let shadow = this.shadows.get(tableName);
    if (!shadow) {
      shadow = this.createShadow(schema);
      this.shadows.set(tableName, shadow);
      shadow.catch(() => this.shadows.delete(tableName));
    }
    return shadow;
  }

  /** Called once a table has been deleted: it may come back with another key schema. */
  async forget(tableName: string): Promise<void> {
    this.schemas.delete(tableName);
    const shadow = this.shadows.get(tableName);
    this.shadows.delete(tableName);
    if (shadow) await this.scratch.call('DeleteTable', { TableName: await shadow }).catch(() => undefined);
  }

  private async createShadow(schema: KeySchema): Promise<string> {
    // A fresh short name per table generation: immune to name length limits and to a
    // previous shadow of the same table still being deleted.
    this.shadowCount += 1;
    const name = `shadow_${this.shadowCount}`;
    await this.scratch.send('CreateTable', {
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: schema.map((attr, i) => ({ AttributeName: attr.name, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
      AttributeDefinitions: schema.map((attr) => ({ AttributeName: attr.name, AttributeType: attr.type })),
    });
    // Even with createTableMs 0, dynalite flips the table to ACTIVE on a later tick.
    for (let attempt = 0; attempt < 1000; attempt += 1) {
      const described = await this.scratch.send('DescribeTable', { TableName: name });
      if (isRecord(described.Table) && described.Table.TableStatus === 'ACTIVE') return name;
      await sleep(1);
    }
    throw new Error(`scratch table ${name} never became ACTIVE`);
  }
}

function parseKeySchema(described: JsonObject): KeySchema {
  const table = isRecord(described.Table) ? described.Table : {};
  const elements = Array.isArray(table.KeySchema) ? table.KeySchema.filter(isRecord) : [];
  const definitions = Array.isArray(table.AttributeDefinitions) ? table.AttributeDefinitions.filter(isRecord) : [];
  const attribute = (keyType: string): KeyAttribute | undefined => {
    const name = elements.find((element) => element.KeyType === keyType)?.AttributeName;
    const type = definitions.find((definition) => definition.AttributeName === name)?.AttributeType;
    return typeof name === 'string' && typeof type === 'string' ? { name, type } : undefined;
  };
  const hash = attribute('HASH');
  if (!hash) throw new Error('DescribeTable answered without a partition key');
  const range = attribute('RANGE');
  return range ? [hash, range] : [hash];
}

/** The primary key of `source` (an item or a key), or null when a key attribute is missing. */
function pickKey(source: AttributeMap, schema: KeySchema): AttributeMap | null {
  const key: AttributeMap = {};
  for (const { name } of schema) {
    if (source[name] === undefined) return null;
    key[name] = source[name];
  }
  return key;
}

// ---------------------------------------------------------------------------------------------
// Parsing transaction requests

type WriteAction = 'Put' | 'Update' | 'Delete' | 'ConditionCheck';
const WRITE_ACTIONS: readonly WriteAction[] = ['ConditionCheck', 'Put', 'Delete', 'Update'];

/** One entry of TransactItems. */
interface TransactOp {
  tableName: string;
  /** The action's own parameters, as sent by the client. */
  params: JsonObject;
  /** The Item for a Put, the Key otherwise. */
  keySource: AttributeMap;
}

interface WriteOp extends TransactOp {
  action: WriteAction;
  returnOldOnFailure: boolean;
}

/** The TransactItems array, checked for presence and length as DynamoDB does. */
function transactItemsOf(body: JsonObject): unknown[] {
  const items = body.TransactItems;
  const constraint = (value: string, rule: string) =>
    validationError(`1 validation error detected: Value ${value} at 'transactItems' failed to satisfy constraint: ${rule}`);
  if (!Array.isArray(items)) throw constraint('null', 'Member must not be null');
  if (items.length < 1) throw constraint("'[]'", 'Member must have length greater than or equal to 1');
  if (items.length > MAX_TRANSACTION_ITEMS) {
    throw constraint(`'[${items.length} items]'`, `Member must have length less than or equal to ${MAX_TRANSACTION_ITEMS}`);
  }
  return items;
}

function requireMember<T>(params: JsonObject, field: string, path: string, guard: (value: unknown) => value is T): T {
  const value = params[field];
  if (guard(value)) return value;
  throw validationError(
    `1 validation error detected: Value null at '${path}.${lowerFirst(field)}' failed to satisfy constraint: Member must not be null`,
  );
}

const isString = (value: unknown): value is string => typeof value === 'string';

/** Error messages name members the way the service model does: `TableName` → `tableName`. */
const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

function parseWriteOp(entry: unknown, index: number): WriteOp {
  const record = isRecord(entry) ? entry : {};
  const actions = WRITE_ACTIONS.filter((action) => record[action] != null);
  const action = actions[0];
  const params = action ? record[action] : undefined;
  if (actions.length !== 1 || !action || !isRecord(params)) {
    throw validationError('TransactItems can only contain one of Check, Put, Update or Delete');
  }
  const path = `transactItems.${index + 1}.member.${lowerFirst(action)}`;
  const tableName = requireMember(params, 'TableName', path, isString);
  const keySource = requireMember(params, action === 'Put' ? 'Item' : 'Key', path, isRecord);
  if (action === 'Update') requireMember(params, 'UpdateExpression', path, isString);
  if (action === 'ConditionCheck') requireMember(params, 'ConditionExpression', path, isString);
  const returnValues = params.ReturnValuesOnConditionCheckFailure;
  if (returnValues !== undefined && returnValues !== 'ALL_OLD' && returnValues !== 'NONE') {
    throw validationError(
      `1 validation error detected: Value '${String(returnValues)}' at '${path}.returnValuesOnConditionCheckFailure' ` +
        'failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]',
    );
  }
  return { action, tableName, params, keySource, returnOldOnFailure: returnValues === 'ALL_OLD' };
}

function parseGetOp(entry: unknown, index: number): TransactOp {
  const params = isRecord(entry) ? entry.Get : undefined;
  const path = `transactItems.${index + 1}.member.get`;
  if (!isRecord(params)) {
    throw validationError(`1 validation error detected: Value null at '${path}' failed to satisfy constraint: Member must not be null`);
  }
  const tableName = requireMember(params, 'TableName', path, isString);
  const keySource = requireMember(params, 'Key', path, isRecord);
  return { tableName, params, keySource };
}

// ---------------------------------------------------------------------------------------------
// Consumed capacity

type CapacityMode = 'TOTAL' | 'INDEXES' | undefined;

function capacityModeOf(body: JsonObject): CapacityMode {
  const mode = body.ReturnConsumedCapacity;
  return mode === 'TOTAL' || mode === 'INDEXES' ? mode : undefined;
}

/** Sums transactional read and write units per table, in order of first appearance. */
class CapacityTally {
  private readonly tables = new Map<string, { read: number; write: number }>();

  add(tableName: string, units: { read?: number; write?: number }): void {
    const entry = this.tables.get(tableName) ?? { read: 0, write: 0 };
    entry.read += TRANSACTION_COST * (units.read ?? 0);
    entry.write += TRANSACTION_COST * (units.write ?? 0);
    this.tables.set(tableName, entry);
  }

  /** Adds `ConsumedCapacity` to `response` when the client asked for it. */
  report(response: JsonObject, mode: CapacityMode): JsonObject {
    if (!mode) return response;
    const consumed = [...this.tables].map(([TableName, { read, write }]) => {
      const units = {
        CapacityUnits: read + write,
        ...(read > 0 ? { ReadCapacityUnits: read } : {}),
        ...(write > 0 ? { WriteCapacityUnits: write } : {}),
      };
      return { TableName, ...units, ...(mode === 'INDEXES' ? { Table: units } : {}) };
    });
    return { ...response, ConsumedCapacity: consumed };
  }
}

// ---------------------------------------------------------------------------------------------
// Idempotency (ClientRequestToken)

/**
 * Remembers successful TransactWriteItems answers for ten minutes: the same token with the same
 * items is answered again without being re-applied; the same token with other items is refused.
 * (The AWS SDK sends a fresh token with every call and reuses it only for its own retries.)
 */
class IdempotencyCache {
  private readonly entries = new Map<string, { fingerprint: string; response: JsonObject; expiresAt: number }>();

  /** The answer to replay, or undefined for a token not seen within the window. */
  replay(token: string, fingerprint: string): JsonObject | undefined {
    this.evictExpired();
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.fingerprint !== fingerprint) {
      throw DynamoError.of(
        'IdempotentParameterMismatchException',
        'The request uses the same client token as a previous, but non-identical request.',
      );
    }
    return entry.response;
  }

  remember(token: string, fingerprint: string, response: JsonObject): void {
    this.entries.delete(token); // re-inserted last, keeping the map ordered by expiry
    this.entries.set(token, { fingerprint, response, expiresAt: Date.now() + IDEMPOTENCY_WINDOW_MS });
  }

  private evictExpired(): void {
    const now = Date.now();
    for (const [token, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.entries.delete(token);
    }
  }
}

function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Transactions

interface Target<Op extends TransactOp> {
  op: Op;
  schema: KeySchema;
  /** The item's primary key, or null when the request lacks a key attribute (dynalite then
   * reports the validation error when the action is tried). */
  key: AttributeMap | null;
}

interface Snapshot {
  /** The before-image; undefined when the item does not exist. */
  item: AttributeMap | undefined;
  /** Non-transactional units of the consistent read that took the snapshot. */
  readUnits: number;
}

/** What committing one action does to the real table. */
type Effect = { kind: 'put'; item: AttributeMap } | { kind: 'delete' } | { kind: 'none' };

type DryRun =
  | { outcome: 'passed'; effect: Effect; writeUnits: number }
  | { outcome: 'conditionFailed' }
  | { outcome: 'error'; error: DynamoError };

interface Planned {
  target: Target<WriteOp>;
  snapshot: Snapshot;
  dryRun: DryRun;
}

class TransactionEngine {
  private readonly idempotency = new IdempotencyCache();

  constructor(
    private readonly store: DynaliteClient,
    private readonly scratch: DynaliteClient,
    private readonly catalog: TableCatalog,
    private readonly lock: SharedExclusiveLock,
  ) {}

  async transactWrite(body: JsonObject): Promise<JsonObject> {
    const ops = transactItemsOf(body).map(parseWriteOp);
    const token = typeof body.ClientRequestToken === 'string' ? body.ClientRequestToken : undefined;
    const fingerprint = fingerprintOf(body.TransactItems);
    return this.lock.exclusive(async () => {
      const replayed = token === undefined ? undefined : this.idempotency.replay(token, fingerprint);
      if (replayed) return replayed;
      const response = await this.executeWrite(ops, capacityModeOf(body));
      if (token !== undefined) this.idempotency.remember(token, fingerprint, response);
      return response;
    });
  }

  async transactGet(body: JsonObject): Promise<JsonObject> {
    const ops = transactItemsOf(body).map(parseGetOp);
    return this.lock.exclusive(async () => {
      await this.resolveTargets(ops); // unknown tables and duplicate items fail before any read
      const reads = await settleAll(
        ops.map((op) =>
          this.store.send('GetItem', {
            ...pick(op.params, ['TableName', 'Key', 'ProjectionExpression', 'ExpressionAttributeNames']),
            ConsistentRead: true,
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      );
      const tally = new CapacityTally();
      ops.forEach((op, i) => tally.add(op.tableName, { read: capacityUnitsOf(reads[i] ?? {}) }));
      const responses = reads.map((read) => (isRecord(read.Item) ? { Item: read.Item } : {}));
      return tally.report({ Responses: responses }, capacityModeOf(body));
    });
  }

  /** Steps 1–5 of the module comment; must run under the exclusive lock. */
  private async executeWrite(ops: WriteOp[], mode: CapacityMode): Promise<JsonObject> {
    const targets = await this.resolveTargets(ops);
    const plan = await settleAll(
      targets.map(async (target): Promise<Planned> => {
        const snapshot = await this.snapshot(target);
        return { target, snapshot, dryRun: await this.dryRun(target, snapshot) };
      }),
    );
    for (const { dryRun } of plan) if (dryRun.outcome === 'error') throw dryRun.error;
    if (plan.some(({ dryRun }) => dryRun.outcome === 'conditionFailed')) throw cancellation(plan);

    await this.commit(plan);
    const tally = new CapacityTally();
    for (const { target, snapshot, dryRun } of plan) {
      // A ConditionCheck only reads its item; the other actions are writes.
      if (target.op.action === 'ConditionCheck') tally.add(target.op.tableName, { read: snapshot.readUnits });
      else if (dryRun.outcome === 'passed') tally.add(target.op.tableName, { write: dryRun.writeUnits });
    }
    return tally.report({}, mode);
  }

  /** Looks up key schemas (ResourceNotFoundException for unknown tables) and refuses two
   * actions on the same item, as DynamoDB does before evaluating anything. */
  private async resolveTargets<Op extends TransactOp>(ops: Op[]): Promise<Target<Op>[]> {
    const tableNames = [...new Set(ops.map((op) => op.tableName))];
    const schemas = new Map<string, KeySchema>();
    await settleAll(tableNames.map(async (name) => schemas.set(name, await this.catalog.keySchema(name))));

    const seen = new Set<string>();
    return ops.map((op) => {
      const schema = schemas.get(op.tableName) ?? [];
      const key = pickKey(op.keySource, schema);
      if (key) {
        const identity = JSON.stringify([op.tableName, ...schema.map(({ name }) => key[name])]);
        if (seen.has(identity)) throw validationError('Transaction request cannot include multiple operations on one item');
        seen.add(identity);
      }
      return { op, schema, key };
    });
  }

  private async snapshot(target: Target<WriteOp>): Promise<Snapshot> {
    // Reads use the client's own Key, so a malformed key gets dynalite's own validation message.
    const key = target.op.action === 'Put' ? target.key : target.op.keySource;
    if (!key) return { item: undefined, readUnits: 0 };
    const read = await this.store.send('GetItem', {
      TableName: target.op.tableName,
      Key: key,
      ConsistentRead: true,
      ReturnConsumedCapacity: 'TOTAL',
    });
    return { item: isRecord(read.Item) ? read.Item : undefined, readUnits: capacityUnitsOf(read) };
  }

  /** Runs the action on a shadow copy of its item in the scratch engine (see module comment). */
  private async dryRun(target: Target<WriteOp>, snapshot: Snapshot): Promise<DryRun> {
    const shadow = await this.catalog.shadowTable(target.op.tableName, target.schema);
    try {
      if (snapshot.item) await this.scratch.send('PutItem', { TableName: shadow, Item: snapshot.item });
      const [operation, payload] = dryRunRequest(target.op, shadow);
      const { status, body } = await this.scratch.call(operation, payload);
      if (status === 200) return { outcome: 'passed', effect: effectOf(target.op, body), writeUnits: capacityUnitsOf(body) };
      if (errorName(body) === 'ConditionalCheckFailedException') return { outcome: 'conditionFailed' };
      return { outcome: 'error', error: new DynamoError(status, body) };
    } finally {
      // Leave the scratch engine empty for the next transaction.
      if (target.key) await this.scratch.call('DeleteItem', { TableName: shadow, Key: target.key });
    }
  }

  /** Writes every after-image; on any failure restores every before-image and rethrows. */
  private async commit(plan: Planned[]): Promise<void> {
    const writes = plan.flatMap(({ target, snapshot, dryRun }) =>
      dryRun.outcome === 'passed' && dryRun.effect.kind !== 'none' ? [{ target, snapshot, effect: dryRun.effect }] : [],
    );
    const results = await Promise.allSettled(writes.map(({ target, effect }) => this.write(target, effect)));
    const failure = results.find((result) => result.status === 'rejected');
    if (!failure) return;
    await settleAll(
      writes.map(({ target, snapshot }) =>
        this.write(target, snapshot.item ? { kind: 'put', item: snapshot.item } : { kind: 'delete' }),
      ),
    );
    throw failure.reason;
  }

  private async write(target: Target<WriteOp>, effect: Effect): Promise<void> {
    const TableName = target.op.tableName;
    if (effect.kind === 'put') await this.store.send('PutItem', { TableName, Item: effect.item });
    // A successful dry run implies a complete key, hence `target.key` is set here.
    if (effect.kind === 'delete' && target.key) await this.store.send('DeleteItem', { TableName, Key: target.key });
  }
}

const EXPRESSION_FIELDS = ['ConditionExpression', 'ExpressionAttributeNames', 'ExpressionAttributeValues'];

/** The single-item call that performs `op` on its shadow table, with the client's expressions. */
function dryRunRequest(op: WriteOp, shadowTable: string): [operation: string, payload: JsonObject] {
  const base = { ...pick(op.params, EXPRESSION_FIELDS), TableName: shadowTable, ReturnConsumedCapacity: 'TOTAL' };
  switch (op.action) {
    case 'Put':
      return ['PutItem', { ...base, Item: op.keySource }];
    case 'Update':
      // ALL_NEW hands back the after-image to commit.
      return ['UpdateItem', { ...base, Key: op.keySource, UpdateExpression: op.params.UpdateExpression, ReturnValues: 'ALL_NEW' }];
    case 'Delete':
    case 'ConditionCheck':
      // For a ConditionCheck the delete only evaluates the condition: it is never committed.
      return ['DeleteItem', { ...base, Key: op.keySource }];
  }
}

function effectOf(op: WriteOp, dryRunAnswer: JsonObject): Effect {
  switch (op.action) {
    case 'Put':
      return { kind: 'put', item: op.keySource };
    case 'Update':
      return { kind: 'put', item: isRecord(dryRunAnswer.Attributes) ? dryRunAnswer.Attributes : op.keySource };
    case 'Delete':
      return { kind: 'delete' };
    case 'ConditionCheck':
      return { kind: 'none' };
  }
}

/** The TransactionCanceledException answer: one reason per action, in request order. */
function cancellation(plan: Planned[]): DynamoError {
  const reasons = plan.map(({ target, snapshot, dryRun }) => {
    if (dryRun.outcome !== 'conditionFailed') return { Code: 'None' };
    const old = target.op.returnOldOnFailure && snapshot.item ? { Item: snapshot.item } : {};
    return { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', ...old };
  });
  const codes = reasons.map((reason) => reason.Code).join(', ');
  return DynamoError.of(
    'TransactionCanceledException',
    `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes}]`,
    { CancellationReasons: reasons },
  );
}

// ---------------------------------------------------------------------------------------------
// The proxy

interface ProxyContext {
  transactions: TransactionEngine;
  store: DynaliteClient;
  catalog: TableCatalog;
  lock: SharedExclusiveLock;
}

async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse, context: ProxyContext): Promise<void> {
  try {
    const body = await readBody(req);
    const target = req.headers['x-amz-target'];
    const operation = typeof target === 'string' ? target.slice(target.indexOf('.') + 1) : '';
    if (operation === 'TransactWriteItems') {
      sendJson(res, 200, await context.transactions.transactWrite(parseRequest(body)));
    } else if (operation === 'TransactGetItems') {
      sendJson(res, 200, await context.transactions.transactGet(parseRequest(body)));
    } else if (WRITE_OPERATIONS.has(operation)) {
      await context.lock.shared(async () => {
        const status = await forward(req, body, res, context.store);
        if (operation === 'DeleteTable' && status === 200) await context.catalog.forget(tableNameOf(body));
      });
    } else {
      await forward(req, body, res, context.store);
    }
  } catch (error) {
    if (error instanceof DynamoError) sendJson(res, error.status, error.body);
    else sendJson(res, 500, { __type: `${ERROR_PREFIX}InternalServerError`, message: String(error) });
  }
}

function parseRequest(raw: Buffer): JsonObject {
  try {
    return parseObject(raw);
  } catch {
    throw new DynamoError(400, { __type: 'com.amazon.coral.service#SerializationException' });
  }
}

function tableNameOf(raw: Buffer): string {
  try {
    const name = parseObject(raw).TableName;
    return typeof name === 'string' ? name : '';
  } catch {
    return '';
  }
}

function sendJson(res: http.ServerResponse, status: number, body: JsonObject): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(payload),
    'x-amzn-RequestId': randomUUID().replaceAll('-', '').toUpperCase(),
    'x-amz-crc32': crc32(payload),
  });
  res.end(payload);
}

/** Connection-level headers, which describe one hop and must not be copied to the next. */
const HOP_BY_HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

function endToEndHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const copy: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP_HEADERS.has(name)) copy[name] = value;
  return copy;
}

/** Replays the client's request on dynalite and streams the answer back; resolves with its
 * status once the answer has been fully relayed (i.e. once dynalite has applied any write). */
function forward(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse, to: DynaliteClient): Promise<number> {
  const { port, agent } = to;
  return new Promise((resolve, reject) => {
    const headers = { ...endToEndHeaders(req.headers), 'content-length': body.length };
    const upstream = http.request({ host: LOOPBACK, port, method: req.method, path: req.url, headers, agent }, (answer) => {
      const status = answer.statusCode ?? 502;
      res.writeHead(status, endToEndHeaders(answer.headers));
      answer.pipe(res);
      answer.on('end', () => resolve(status));
      answer.on('error', reject);
    });
    upstream.on('error', reject);
    upstream.end(body);
  });
}

// ---------------------------------------------------------------------------------------------
// Server lifecycle

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('server has no TCP address'));
      else resolve(address.port);
    });
  });
}

/** Closes servers in order (the proxy first), then the pooled connections to dynalite.
 * closeAllConnections() keeps idle keep-alive sockets from holding close() open. */
async function shutdown(servers: http.Server[], agent: http.Agent): Promise<void> {
  for (const server of servers) {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
  agent.destroy();
}
