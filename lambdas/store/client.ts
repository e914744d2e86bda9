import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Counts DynamoDB calls and the capacity they consumed, per operation. Tests and the benchmark use it
 * to hold the promise "every access is one key lookup, one Query or one transaction"; it costs nothing
 * when no recorder is active.
 */
export interface DynamoCall {
  operation: string;
  capacity: number;
}

let recorder: DynamoCall[] | undefined;

export function recordDynamoCalls(): { calls: DynamoCall[]; stop(): DynamoCall[] } {
  const calls: DynamoCall[] = [];
  recorder = calls;
  return {
    calls,
    stop() {
      if (recorder === calls) recorder = undefined;
      return calls;
    },
  };
}

interface CapacityOutput {
  ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[];
}

const sumCapacity = (output: CapacityOutput): number => {
  const consumed = output.ConsumedCapacity;
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return list.reduce((sum, item) => sum + (item.CapacityUnits ?? 0), 0);
};

function createClient(): DynamoDBDocumentClient {
  const base = new DynamoDBClient({});
  base.middlewareStack.add(
    (next, context) => async (args) => {
      const calls = recorder;
      if (!calls) return next(args);
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const operation = context.commandName?.replace(/Command$/, '') ?? 'Unknown';
      try {
        const result = await next(args);
        calls.push({ operation, capacity: sumCapacity(result.output as CapacityOutput) });
        return result;
      } catch (error) {
        // A cancelled transaction or failed condition is still a call, and still billed.
        calls.push({ operation, capacity: 0 });
        throw error;
      }
    },
    { step: 'initialize', name: 'aftersaleCallRecorder' },
  );
  return DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
}

let client: DynamoDBDocumentClient | undefined;

/** Created on first use, so that a host can set endpoints and credentials before any handler runs. */
export const documentClient = (): DynamoDBDocumentClient => (client ??= createClient());
