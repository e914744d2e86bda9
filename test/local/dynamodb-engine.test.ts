import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { startDynamoDb, type DynamoDbEngine } from '../../lib/local/dynamodb-engine.js';

const TABLE = 'engine-test';
const INDEXED_TABLE = 'engine-test-indexed';

let engine: DynamoDbEngine;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;

function newClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

async function createTable(name: string, withIndex = false): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
        ...(withIndex ? [{ AttributeName: 'GSI1PK', AttributeType: 'S' as const }] : []),
      ],
      ...(withIndex
        ? {
            GlobalSecondaryIndexes: [
              {
                IndexName: 'GSI1',
                KeySchema: [{ AttributeName: 'GSI1PK', KeyType: 'HASH' as const }],
                Projection: { ProjectionType: 'ALL' as const },
              },
            ],
          }
        : {}),
    }),
  );
  // createTableMs is 0, but the table still flips to ACTIVE on a later tick.
  await new Promise((resolve) => setTimeout(resolve, 20));
}

async function getItem(PK: string, SK: string, table = TABLE): Promise<Record<string, unknown> | undefined> {
  const { Item } = await doc.send(new GetCommand({ TableName: table, Key: { PK, SK }, ConsistentRead: true }));
  return Item;
}

async function put(item: Record<string, unknown>, table = TABLE): Promise<void> {
  await doc.send(new PutCommand({ TableName: table, Item: item }));
}

/** Runs `send` and returns the error it must throw. */
async function failureOf(send: () => Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await send();
  } catch (error) {
    if (error instanceof Error) return error as Error & Record<string, unknown>;
    throw error;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  engine = await startDynamoDb();
  client = newClient(engine.endpoint);
  doc = DynamoDBDocumentClient.from(client);
  await createTable(TABLE);
  await createTable(INDEXED_TABLE, true);
});

afterAll(async () => {
  client?.destroy();
  await engine?.stop();
});

describe('startDynamoDb', () => {
  it('serves on a loopback endpoint', () => {
    expect(engine.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('stops promptly even with a keep-alive client still connected', async () => {
    const other = await startDynamoDb();
    const otherClient = newClient(other.endpoint);
    await createTableWith(otherClient, 'keep-alive-test');
    const started = Date.now();
    await other.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
    otherClient.destroy();
  });
});

async function createTableWith(someClient: DynamoDBClient, name: string): Promise<void> {
  await someClient.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    }),
  );
}

describe('forwarded operations', () => {
  it('PutItem, GetItem, UpdateItem and Query work through the proxy', async () => {
    await put({ PK: 'plain', SK: '1', name: 'one' });
    await put({ PK: 'plain', SK: '2', name: 'two' });
    await doc.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { PK: 'plain', SK: '2' },
        UpdateExpression: 'SET #n = :n',
        ExpressionAttributeNames: { '#n': 'name' },
        ExpressionAttributeValues: { ':n': 'TWO' },
      }),
    );
    expect(await getItem('plain', '1')).toEqual({ PK: 'plain', SK: '1', name: 'one' });
    const { Items } = await doc.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': 'plain' },
      }),
    );
    expect(Items?.map((item) => item.name)).toEqual(['one', 'TWO']);
  });

  it('passes dynalite errors back unchanged', async () => {
    const error = await failureOf(() =>
      doc.send(
        new PutCommand({
          TableName: TABLE,
          Item: { PK: 'plain', SK: '1' },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      ),
    );
    expect(error.name).toBe('ConditionalCheckFailedException');
  });
});

describe('TransactWriteItems', () => {
  it('applies Put, Update, Delete and ConditionCheck together', async () => {
    await put({ PK: 'all', SK: 'update', count: 1 });
    await put({ PK: 'all', SK: 'delete' });
    await put({ PK: 'all', SK: 'check', status: 'open' });

    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: TABLE, Item: { PK: 'all', SK: 'put', a: 1 }, ConditionExpression: 'attribute_not_exists(PK)' } },
          {
            Update: {
              TableName: TABLE,
              Key: { PK: 'all', SK: 'update' },
              UpdateExpression: 'SET #c = #c + :one',
              ConditionExpression: '#c = :one',
              ExpressionAttributeNames: { '#c': 'count' },
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
          { Delete: { TableName: TABLE, Key: { PK: 'all', SK: 'delete' }, ConditionExpression: 'attribute_exists(PK)' } },
          {
            ConditionCheck: {
              TableName: TABLE,
              Key: { PK: 'all', SK: 'check' },
              ConditionExpression: '#s = :open',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':open': 'open' },
            },
          },
        ],
      }),
    );

    expect(await getItem('all', 'put')).toEqual({ PK: 'all', SK: 'put', a: 1 });
    expect(await getItem('all', 'update')).toEqual({ PK: 'all', SK: 'update', count: 2 });
    expect(await getItem('all', 'delete')).toBeUndefined();
    expect(await getItem('all', 'check')).toEqual({ PK: 'all', SK: 'check', status: 'open' });
  });

  it('upserts with Update on a missing item, as UpdateItem does', async () => {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: TABLE,
              Key: { PK: 'upsert', SK: '1' },
              UpdateExpression: 'ADD hits :one',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
        ],
      }),
    );
    expect(await getItem('upsert', '1')).toEqual({ PK: 'upsert', SK: '1', hits: 1 });
  });

  it('cancels every action when one condition fails, with one reason per action', async () => {
    await put({ PK: 'cancel', SK: 'a', v: 1 });
    await put({ PK: 'cancel', SK: 'b', v: 1 });
    await put({ PK: 'cancel', SK: 'c', v: 1 });

    const error = await failureOf(() =>
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: TABLE, Item: { PK: 'cancel', SK: 'new' } } },
            {
              Update: {
                TableName: TABLE,
                Key: { PK: 'cancel', SK: 'a' },
                UpdateExpression: 'SET v = :two',
                ExpressionAttributeValues: { ':two': 2 },
              },
            },
            {
              Update: {
                TableName: TABLE,
                Key: { PK: 'cancel', SK: 'b' },
                UpdateExpression: 'SET v = :two',
                ConditionExpression: 'v = :wrong',
                ExpressionAttributeValues: { ':two': 2, ':wrong': 99 },
              },
            },
            { Delete: { TableName: TABLE, Key: { PK: 'cancel', SK: 'c' } } },
            {
              ConditionCheck: {
                TableName: TABLE,
                Key: { PK: 'cancel', SK: 'missing' },
                ConditionExpression: 'attribute_exists(PK)',
              },
            },
          ],
        }),
      ),
    );

    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect(error.message).toBe(
      'Transaction cancelled, please refer cancellation reasons for specific reasons ' +
        '[None, None, ConditionalCheckFailed, None, ConditionalCheckFailed]',
    );
    expect(error.CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'None' },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
      { Code: 'None' },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    ]);
    expect(await getItem('cancel', 'new')).toBeUndefined();
    expect(await getItem('cancel', 'a')).toEqual({ PK: 'cancel', SK: 'a', v: 1 });
    expect(await getItem('cancel', 'b')).toEqual({ PK: 'cancel', SK: 'b', v: 1 });
    expect(await getItem('cancel', 'c')).toEqual({ PK: 'cancel', SK: 'c', v: 1 });
  });

  it('rolls back writes already applied when a later write is rejected', async () => {
    // The shadow tables used for dry runs only model primary keys, so a GSI key of the wrong type
    // is only caught while committing: the other actions must then be undone.
    await put({ PK: 'rollback', SK: 'existing', v: 1 });
    const error = await failureOf(() =>
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: TABLE, Item: { PK: { S: 'rollback' }, SK: { S: 'new' } } } },
            {
              Update: {
                TableName: TABLE,
                Key: { PK: { S: 'rollback' }, SK: { S: 'existing' } },
                UpdateExpression: 'SET v = :two',
                ExpressionAttributeValues: { ':two': { N: '2' } },
              },
            },
            {
              Put: {
                TableName: INDEXED_TABLE,
                Item: { PK: { S: 'rollback' }, SK: { S: 'bad' }, GSI1PK: { N: '1' } },
              },
            },
          ],
        }),
      ),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/Type mismatch for Index Key GSI1PK/);
    expect(await getItem('rollback', 'new')).toBeUndefined();
    expect(await getItem('rollback', 'existing')).toEqual({ PK: 'rollback', SK: 'existing', v: 1 });
    expect(await getItem('rollback', 'bad', INDEXED_TABLE)).toBeUndefined();
  });

  it('returns the old item in the reason with ReturnValuesOnConditionCheckFailure ALL_OLD', async () => {
    await put({ PK: 'old', SK: '1', state: 'shipped' });
    await put({ PK: 'old', SK: '2', state: 'shipped' });
    const error = await failureOf(() =>
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: TABLE,
                Key: { PK: { S: 'old' }, SK: { S: '1' } },
                UpdateExpression: 'SET #s = :paid',
                ConditionExpression: '#s = :open',
                ExpressionAttributeNames: { '#s': 'state' },
                ExpressionAttributeValues: { ':open': { S: 'open' }, ':paid': { S: 'paid' } },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              ConditionCheck: {
                TableName: TABLE,
                Key: { PK: { S: 'old' }, SK: { S: '2' } },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
          ],
        }),
      ),
    );
    expect(error.CancellationReasons).toEqual([
      {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        Item: { PK: { S: 'old' }, SK: { S: '1' }, state: { S: 'shipped' } },
      },
      // Without ALL_OLD the reason carries no item.
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    ]);
  });

  it('never creates the item targeted by a ConditionCheck', async () => {
    const error = await failureOf(() =>
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { ConditionCheck: { TableName: TABLE, Key: { PK: 'ghost', SK: '1' }, ConditionExpression: 'attribute_exists(PK)' } },
          ],
        }),
      ),
    );
    expect(error.CancellationReasons).toEqual([
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    ]);
    expect(await getItem('ghost', '1')).toBeUndefined();

    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { ConditionCheck: { TableName: TABLE, Key: { PK: 'ghost', SK: '1' }, ConditionExpression: 'attribute_not_exists(PK)' } },
          { Put: { TableName: TABLE, Item: { PK: 'ghost', SK: '2' } } },
        ],
      }),
    );
    expect(await getItem('ghost', '1')).toBeUndefined();
    expect(await getItem('ghost', '2')).toEqual({ PK: 'ghost', SK: '2' });
  });

  it('refuses two actions on one item', async () => {
    const error = await failureOf(() =>
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: TABLE, Item: { PK: 'twice', SK: '1', a: 1 } } },
            { ConditionCheck: { TableName: TABLE, Key: { PK: 'twice', SK: '1' }, ConditionExpression: 'attribute_not_exists(PK)' } },
          ],
        }),
      ),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe('Transaction request cannot include multiple operations on one item');
    expect(await getItem('twice', '1')).toBeUndefined();
  });

  it.each([
    [0, /Member must have length greater than or equal to 1/],
    [101, /Member must have length less than or equal to 100/],
  ])('refuses %i actions', async (count, message) => {
    const items: TransactWriteItem[] = Array.from({ length: count }, (_, i) => ({
      Put: { TableName: TABLE, Item: { PK: { S: 'count' }, SK: { S: String(i) } } },
    }));
    const error = await failureOf(() => client.send(new TransactWriteItemsCommand({ TransactItems: items })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(message);
    expect(await getItem('count', '0')).toBeUndefined();
  });

  it('accepts exactly 100 actions', async () => {
    const items: TransactWriteItem[] = Array.from({ length: 100 }, (_, i) => ({
      Put: { TableName: TABLE, Item: { PK: { S: 'hundred' }, SK: { S: String(i).padStart(3, '0') } } },
    }));
    await client.send(new TransactWriteItemsCommand({ TransactItems: items }));
    const { Count } = await doc.send(
      new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': 'hundred' } }),
    );
    expect(Count).toBe(100);
  });

  it('answers a ValidationException from an invalid action and applies nothing', async () => {
    await put({ PK: 'invalid', SK: '1', label: 'text' });
    const error = await failureOf(() =>
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: TABLE, Item: { PK: 'invalid', SK: '2' } } },
            {
              Update: {
                TableName: TABLE,
                Key: { PK: 'invalid', SK: '1' },
                UpdateExpression: 'ADD label :one', // ADD of a number to a string
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
          ],
        }),
      ),
    );
    expect(error.name).toBe('ValidationException');
    expect(await getItem('invalid', '2')).toBeUndefined();
    expect(await getItem('invalid', '1')).toEqual({ PK: 'invalid', SK: '1', label: 'text' });
  });

  it('answers ResourceNotFoundException for an unknown table', async () => {
    const error = await failureOf(() =>
      doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: 'no-such-table', Item: { PK: 'x', SK: 'y' } } }] })),
    );
    expect(error.name).toBe('ResourceNotFoundException');
  });

  it('loses no update and writes nothing partially under 50 concurrent guarded increments', async () => {
    await put({ PK: 'race', SK: 'counter', version: 0 });

    // Each worker reads the counter and tries to bump it (guarded by the version it read) while
    // recording its own unique item; a worker whose guard fails retries a few times.
    const attempt = async (worker: number): Promise<boolean> => {
      const counter = await getItem('race', 'counter');
      const version = Number(counter?.version);
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: TABLE,
                  Key: { PK: 'race', SK: 'counter' },
                  UpdateExpression: 'SET version = :next',
                  ConditionExpression: 'version = :v',
                  ExpressionAttributeValues: { ':v': version, ':next': version + 1 },
                },
              },
              { Put: { TableName: TABLE, Item: { PK: 'race-unique', SK: `worker-${worker}`, version: version + 1 } } },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        expect(error.CancellationReasons?.map((reason) => reason.Code)).toEqual(['ConditionalCheckFailed', 'None']);
        return false;
      }
    };
    const worker = async (id: number): Promise<boolean> => {
      for (let tries = 0; tries < 3; tries += 1) if (await attempt(id)) return true;
      return false;
    };

    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, id) => worker(id)));
    const winners = outcomes.flatMap((won, id) => (won ? [`worker-${id}`] : []));

    const counter = await getItem('race', 'counter');
    const { Items = [] } = await doc.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': 'race-unique' },
        ConsistentRead: true,
      }),
    );
    expect(winners.length).toBeGreaterThan(0);
    expect(counter?.version).toBe(winners.length);
    expect(Items.map((item) => item.SK).sort()).toEqual([...winners].sort());
    // Every winner saw a distinct version: the increments were serialised.
    expect(Items.map((item) => item.version).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: winners.length }, (_, i) => i + 1),
    );
  });

  it('reports transactional ConsumedCapacity when asked', async () => {
    await put({ PK: 'capacity', SK: 'check', ok: true });
    const { ConsumedCapacity } = await doc.send(
      new TransactWriteCommand({
        ReturnConsumedCapacity: 'TOTAL',
        TransactItems: [
          { Put: { TableName: TABLE, Item: { PK: 'capacity', SK: 'small' } } },
          // About 1.5 KB: two write units, four once doubled.
          { Put: { TableName: TABLE, Item: { PK: 'capacity', SK: 'large', blob: 'x'.repeat(1500) } } },
          { ConditionCheck: { TableName: TABLE, Key: { PK: 'capacity', SK: 'check' }, ConditionExpression: 'ok = :t', ExpressionAttributeValues: { ':t': true } } },
          { Put: { TableName: INDEXED_TABLE, Item: { PK: 'capacity', SK: 'other' } } },
        ],
      }),
    );
    expect(ConsumedCapacity).toEqual([
      expect.objectContaining({ TableName: TABLE, CapacityUnits: 2 + 4 + 2 }),
      expect.objectContaining({ TableName: INDEXED_TABLE, CapacityUnits: 2 }),
    ]);

    const withoutCapacity = await doc.send(
      new TransactWriteCommand({ TransactItems: [{ Put: { TableName: TABLE, Item: { PK: 'capacity', SK: 'none' } } }] }),
    );
    expect(withoutCapacity.ConsumedCapacity).toBeUndefined();
  });

  it('honours ClientRequestToken idempotency', async () => {
    const increment = (by: number) =>
      new TransactWriteItemsCommand({
        ClientRequestToken: 'token-1',
        TransactItems: [
          {
            Update: {
              TableName: TABLE,
              Key: { PK: { S: 'idempotent' }, SK: { S: '1' } },
              UpdateExpression: 'ADD hits :by',
              ExpressionAttributeValues: { ':by': { N: String(by) } },
            },
          },
        ],
      });
    await client.send(increment(1));
    await client.send(increment(1)); // replayed, not re-applied
    expect(await getItem('idempotent', '1')).toEqual({ PK: 'idempotent', SK: '1', hits: 1 });

    const error = await failureOf(() => client.send(increment(5)));
    expect(error.name).toBe('IdempotentParameterMismatchException');
    expect(await getItem('idempotent', '1')).toEqual({ PK: 'idempotent', SK: '1', hits: 1 });
  });

  it('follows a table deleted and recreated with another key schema', async () => {
    const name = 'engine-test-recreated';
    await createTable(name);
    await doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: name, Item: { PK: 'a', SK: 'b' } } }] }));
    await client.send(new DeleteTableCommand({ TableName: name }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await createTableWith(client, name);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [{ Put: { TableName: name, Item: { id: 'x' }, ConditionExpression: 'attribute_not_exists(id)' } }],
      }),
    );
    const { Item } = await doc.send(new GetCommand({ TableName: name, Key: { id: 'x' } }));
    expect(Item).toEqual({ id: 'x' });
  });
});

describe('TransactGetItems', () => {
  it('returns the items in request order, with an empty entry for a missing key', async () => {
    await put({ PK: 'get', SK: '1', a: 1, b: 'one' });
    await put({ PK: 'get', SK: '2', a: 2, b: 'two' });
    const { Responses, ConsumedCapacity } = await client.send(
      new TransactGetItemsCommand({
        ReturnConsumedCapacity: 'TOTAL',
        TransactItems: [
          { Get: { TableName: TABLE, Key: { PK: { S: 'get' }, SK: { S: '2' } } } },
          { Get: { TableName: TABLE, Key: { PK: { S: 'get' }, SK: { S: 'missing' } } } },
          {
            Get: {
              TableName: TABLE,
              Key: { PK: { S: 'get' }, SK: { S: '1' } },
              ProjectionExpression: '#b',
              ExpressionAttributeNames: { '#b': 'b' },
            },
          },
        ],
      }),
    );
    expect(Responses).toEqual([
      { Item: { PK: { S: 'get' }, SK: { S: '2' }, a: { N: '2' }, b: { S: 'two' } } },
      {},
      { Item: { b: { S: 'one' } } },
    ]);
    expect(ConsumedCapacity).toEqual([expect.objectContaining({ TableName: TABLE, CapacityUnits: 6 })]);
  });

  it('refuses an empty request', async () => {
    const error = await failureOf(() => client.send(new TransactGetItemsCommand({ TransactItems: [] })));
    expect(error.name).toBe('ValidationException');
  });
});
