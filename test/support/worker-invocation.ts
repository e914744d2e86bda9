/**
 * Invoking a queue worker's handler directly, as Lambda's SQS event source would, with records the test
 * chose (a poison message next to good ones): what the queue pump does, minus the queue.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { lambdaContext } from '../../lib/local/gateway-event.js';
import { functions, type FunctionSpec, type QueueName, type WorkerSpec } from '../../lib/manifest.js';

export interface TestRecord {
  messageId: string;
  body: string;
}

export const sqsEventOf = (queue: QueueName, records: readonly TestRecord[]): SQSEvent => ({
  Records: records.map(({ messageId, body }) => ({
    messageId,
    receiptHandle: messageId,
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'test', ApproximateFirstReceiveTimestamp: String(Date.now()) },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:aftersale-${queue}`,
    awsRegion: 'us-east-1',
  })),
});

const timeoutSeconds = (fn: WorkerSpec['fn']): number | undefined => (functions[fn] as FunctionSpec).timeoutSeconds;

type WorkerHandler = (event: SQSEvent, context: Context) => Promise<unknown>;

/**
 * One invocation of the worker with the function's own timeout. A batch whose every record failed throws
 * (Powertools' FullBatchFailureError), which Lambda counts as all of them failed: so does this.
 */
export const workerInvoker =
  (handler: WorkerHandler, worker: Pick<WorkerSpec, 'queue' | 'fn'>) =>
  async (records: readonly TestRecord[]): Promise<SQSBatchResponse> =>
    ((await handler(sqsEventOf(worker.queue, records), lambdaContext(worker.fn, (timeoutSeconds(worker.fn) ?? 10) * 1000)).catch(() => ({
      batchItemFailures: records.map(({ messageId }) => ({ itemIdentifier: messageId })),
    }))) as SQSBatchResponse);
