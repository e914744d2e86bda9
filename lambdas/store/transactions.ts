import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Thrown when a transaction's conditions no longer hold: someone changed an item since we read it. */
export class ConflictError extends Error {
  constructor(readonly reasons: (string | undefined)[]) {
    super(`Transaction cancelled: ${reasons.join(', ')}`);
    this.name = 'ConflictError';
  }
}

/** Writes all items or none (DynamoDB TransactWriteItems, at most 100 items). */
export async function transact(items: TransactItem[]): Promise<void> {
  try {
    await documentClient().send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      throw new ConflictError((error.CancellationReasons ?? []).map((reason) => reason.Code));
    }
    throw error;
  }
}

/** Shorthand builders so store modules read as what they write. */
export const put = (item: Record<string, unknown>, condition?: { expression: string; names?: Record<string, string>; values?: Record<string, unknown> }): TransactItem => ({
  Put: {
    TableName: tableName(),
    Item: item,
    ...(condition && {
      ConditionExpression: condition.expression,
      ...(condition.names && { ExpressionAttributeNames: condition.names }),
      ...(condition.values && { ExpressionAttributeValues: condition.values }),
    }),
  },
});

export const putNew = (item: Record<string, unknown>): TransactItem => put(item, { expression: 'attribute_not_exists(PK)' });

export const conditionCheck = (key: { PK: string; SK: string }, expression: string, names?: Record<string, string>, values?: Record<string, unknown>): TransactItem => ({
  ConditionCheck: {
    TableName: tableName(),
    Key: key,
    ConditionExpression: expression,
    ...(names && { ExpressionAttributeNames: names }),
    ...(values && { ExpressionAttributeValues: values }),
  },
});

export const update = (key: { PK: string; SK: string }, expression: string, names: Record<string, string> | undefined, values: Record<string, unknown>): TransactItem => ({
  Update: {
    TableName: tableName(),
    Key: key,
    UpdateExpression: expression,
    ...(names && { ExpressionAttributeNames: names }),
    ExpressionAttributeValues: values,
  },
});

export const remove = (key: { PK: string; SK: string }, condition?: { expression: string; values?: Record<string, unknown> }): TransactItem => ({
  Delete: {
    TableName: tableName(),
    Key: key,
    ...(condition && { ConditionExpression: condition.expression, ...(condition.values && { ExpressionAttributeValues: condition.values }) }),
  },
});
