/**
 * Writes, and the names of the conditions they carry. A conditional write is built with a guard name
 * (`orderVersion`, `paymentUnused`, …); when DynamoDB refuses, the failure is reported by those names,
 * so no caller reads a cancellation reason by its position in the transaction and reordering writes
 * cannot change which answer a user gets.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
export type TableKey = { PK: string; SK: string };

/**
 * The guard names, declared by the store module that writes each guard (module augmentation keeps the
 * name next to its condition):
 *   declare module './transactions.js' { interface Guards { orderVersion: true } }
 * A refusal keyed by a name nobody declares is a compile error.
 */
export interface Guards {
  /** A timer moved or removed since it was read (store/timers.ts `ifDueAt`, `settleTimer`). */
  timerUnmoved: true;
}
export type GuardName = keyof Guards & string;

/** A conditional write and the name its failure is reported under. */
export interface Guarded {
  readonly guard: GuardName;
  readonly item: TransactItem;
}

/** What a transaction takes: plain writes, or writes whose condition has a name. */
export type Write = TransactItem | Guarded;

export const guarded = (guard: GuardName, item: TransactItem): Guarded => ({ guard, item });

const isGuarded = (write: Write): write is Guarded => 'guard' in write && 'item' in write;
const itemOf = (write: Write): TransactItem => (isGuarded(write) ? write.item : write);
const guardOf = (write: Write): GuardName | undefined => (isGuarded(write) ? write.guard : undefined);

/**
 * A write refused: a named guard's condition failed (`failedGuards`), or the transaction lost to a
 * concurrent one on the same item (`contended`), or a condition without a name failed.
 */
export class ConflictError extends Error {
  readonly failedGuards: ReadonlySet<GuardName>;
  /** DynamoDB cancelled the transaction because another one was writing the same item at once. */
  readonly contended: boolean;

  constructor(
    /** DynamoDB's cancellation codes in write order, for the log line; callers read `failedGuards`. */
    readonly reasons: (string | undefined)[],
    failedGuards: Iterable<GuardName> = [],
  ) {
    super(`Transaction cancelled: ${reasons.join(', ')}`);
    this.name = 'ConflictError';
    this.failedGuards = new Set(failedGuards);
    this.contended = reasons.includes('TransactionConflict');
  }
}

/**
 * Writes all items or none. One write goes as a single conditional Put/Update/Delete (half the capacity
 * of a transaction, same atomicity); more go as one TransactWriteItems (at most 100 items).
 */
export async function transact(writes: readonly Write[]): Promise<void> {
  const only = writes.length === 1 ? writes[0] : undefined;
  if (only && !itemOf(only).ConditionCheck) return writeOne(only);
  try {
    await documentClient().send(new TransactWriteCommand({ TransactItems: writes.map(itemOf) }));
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = (error.CancellationReasons ?? []).map((reason) => reason.Code);
    const failed = writes.flatMap((write, index) => {
      const guard = guardOf(write);
      return guard && reasons[index] === 'ConditionalCheckFailed' ? [guard] : [];
    });
    throw new ConflictError(reasons, failed);
  }
}

async function writeOne(write: Write): Promise<void> {
  const item = itemOf(write);
  try {
    if (item.Put) await documentClient().send(new PutCommand(item.Put));
    else if (item.Update) await documentClient().send(new UpdateCommand(item.Update));
    else if (item.Delete) await documentClient().send(new DeleteCommand(item.Delete));
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const guard = guardOf(write);
    throw new ConflictError(['ConditionalCheckFailed'], guard ? [guard] : []);
  }
}

/** A condition in DynamoDB's expression language, with the names and values it refers to. */
export interface Condition {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

const conditionOf = (condition: Condition | undefined) =>
  condition && {
    ConditionExpression: condition.expression,
    ...(condition.names && { ExpressionAttributeNames: condition.names }),
    ...(condition.values && { ExpressionAttributeValues: condition.values }),
  };

/** Shorthand builders so store modules read as what they write. */
export const put = (item: Record<string, unknown>, condition?: Condition): TransactItem => ({
  Put: { TableName: tableName(), Item: item, ...conditionOf(condition) },
});

/** A new item: its key must be free. */
export const putNew = (item: Record<string, unknown>): TransactItem => put(item, { expression: 'attribute_not_exists(PK)' });

/** A whole item replacing the one read at `version`. */
export const putAtVersion = (item: Record<string, unknown>, version: number): TransactItem => put(item, { expression: 'version = :version', values: { ':version': version } });

/** A new item (which must not exist yet), or the next version of one read at `previousVersion`, under `guard`. */
export const putVersioned = (guard: GuardName, item: Record<string, unknown>, previousVersion: number | null): Write =>
  previousVersion === null ? putNew(item) : guarded(guard, putAtVersion(item, previousVersion));

export const conditionCheck = (key: TableKey, expression: string, names?: Record<string, string>, values?: Record<string, unknown>): TransactItem => ({
  ConditionCheck: {
    TableName: tableName(),
    Key: key,
    ConditionExpression: expression,
    ...(names && { ExpressionAttributeNames: names }),
    ...(values && { ExpressionAttributeValues: values }),
  },
});

export const update = (key: TableKey, expression: string, names: Record<string, string> | undefined, values: Record<string, unknown>, condition?: Condition): TransactItem => ({
  Update: {
    TableName: tableName(),
    Key: key,
    UpdateExpression: expression,
    ...(names && { ExpressionAttributeNames: names }),
    ExpressionAttributeValues: values,
    ...(condition && { ConditionExpression: condition.expression }),
    ...(condition?.names && { ExpressionAttributeNames: { ...names, ...condition.names } }),
    ...(condition?.values && { ExpressionAttributeValues: { ...values, ...condition.values } }),
  },
});

export const remove = (key: TableKey, condition?: Condition): TransactItem => ({
  Delete: { TableName: tableName(), Key: key, ...conditionOf(condition) },
});
