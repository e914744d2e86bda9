/**
 * DynamoDB call accounting around one piece of work. The handlers run in this process (the local host
 * imports them through tsx, as this script does), so the SDK middleware of lambdas/store/client.ts sees
 * every call they make while the recorder is active. Only one piece of work may run at a time.
 */
import { recordDynamoCalls, type DynamoCall } from '../../lambdas/store/client.js';

export interface CallSummary {
  calls: number;
  /** Calls per DynamoDB operation, e.g. { BatchGetItem: 1, TransactWriteItems: 1 }. */
  byOperation: Record<string, number>;
  capacity: number;
}

export function summarize(calls: readonly DynamoCall[]): CallSummary {
  const byOperation: Record<string, number> = {};
  let capacity = 0;
  for (const call of calls) {
    byOperation[call.operation] = (byOperation[call.operation] ?? 0) + 1;
    capacity += call.capacity;
  }
  return { calls: calls.length, byOperation, capacity };
}

export async function recorded<T>(work: () => Promise<T>): Promise<{ result: T; summary: CallSummary }> {
  const recording = recordDynamoCalls();
  try {
    const result = await work();
    return { result, summary: summarize(recording.calls) };
  } finally {
    recording.stop();
  }
}

export const describeOperations = (byOperation: Record<string, number>): string =>
  Object.entries(byOperation)
    .map(([operation, count]) => `${operation} ${count}`)
    .join(', ') || '—';

export const countOf = (summary: CallSummary, operation: string): number => summary.byOperation[operation] ?? 0;
