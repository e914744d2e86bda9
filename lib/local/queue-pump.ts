/**
 * Delivers queue messages to their workers the way Lambda's SQS event source does: batches up to the
 * manifest's size, SQS events, and partial batch failures (failed messages stay for redelivery and end
 * in the DLQ after maxReceiveCount).
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { functions, workers, type FunctionSpec, type QueueName, type WorkerSpec } from '../manifest.js';
import { lambdaContext } from './gateway-event.js';

/** lib/constructs/manifest-function.ts's default for a function that declares none. */
const DEFAULT_TIMEOUT_SECONDS = 10;

export type WorkerHandler = (event: SQSEvent, context: ReturnType<typeof lambdaContext>) => Promise<SQSBatchResponse | void>;

export interface DrainOptions {
  /** Only these queues (default: every worker's). */
  queues?: readonly QueueName[];
  /** Sees what each worker invocation of this drain answered (not those of other drains under way). */
  onResponse?: (response: SQSBatchResponse | void) => void;
}

export interface QueuePump {
  /** Delivers until every queue is empty (or only holds messages waiting to be retried); returns how many were delivered. */
  drain(options?: DrainOptions): Promise<number>;
  /** Polls every worker's queue in the background, but those in `except` (drained by whoever fills them). */
  start(options?: { except?: readonly QueueName[] }): void;
  stop(): Promise<void>;
}

function sqsEvent(queueArn: string, messages: Message[]): SQSEvent {
  return {
    Records: messages.map((message) => ({
      messageId: message.MessageId as string,
      receiptHandle: message.ReceiptHandle as string,
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: 'us-east-1',
    })),
  };
}

export function createQueuePump(options: {
  queueUrls: Record<QueueName, string>;
  loadWorker: (spec: WorkerSpec) => Promise<WorkerHandler>;
  onError: (error: unknown) => void;
  specs?: readonly WorkerSpec[];
}): QueuePump {
  const sqs = new SQSClient({});
  const specs = options.specs ?? workers;
  let running = false;
  let loops: Promise<void>[] = [];
  // Deliveries under way, from the background loops or a drain: a drain waits for them, so that when it
  // returns every message sent before it has been handled (not merely taken off the queue).
  const inFlight = new Set<Promise<number>>();
  const track = (delivery: Promise<number>): Promise<number> => {
    inFlight.add(delivery);
    void delivery.finally(() => inFlight.delete(delivery)).catch(() => undefined);
    return delivery;
  };
  /** Waits for the deliveries under way now (not later ones: the background loops never stop polling). */
  const settle = async (): Promise<number> =>
    (await Promise.allSettled([...inFlight])).reduce((sum, result) => sum + (result.status === 'fulfilled' ? result.value : 0), 0);

  /** The worker's own timeout, as Lambda gives it (a worker that watches its remaining time sees the real one). */
  const workerTimeoutMs = (spec: WorkerSpec): number => {
    const fn: FunctionSpec = functions[spec.fn];
    return (fn.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  };

  /** One invocation of a worker with a batch of messages; deletes those it did not report as failed. */
  async function invoke(spec: WorkerSpec, queueUrl: string, Messages: Message[], onResponse?: DrainOptions['onResponse']): Promise<void> {
    const handler = await options.loadWorker(spec);
    const response = await handler(sqsEvent(`arn:aws:sqs:us-east-1:000000000000:aftersale-${spec.queue}`, Messages), lambdaContext(spec.fn, workerTimeoutMs(spec))).catch((error: unknown) => {
      options.onError(error);
      // A thrown handler fails the whole batch, as in Lambda.
      return { batchItemFailures: Messages.map((message) => ({ itemIdentifier: message.MessageId as string })) };
    });
    onResponse?.(response);
    const failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    const done = Messages.filter((message) => !failed.has(message.MessageId as string));
    if (done.length > 0) {
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle as string })) }));
    }
  }

  /**
   * Receives up to 10 messages and invokes the worker with batches of its batch size, at once: Lambda's
   * poller, too, runs several invocations side by side when a queue holds more than one batch.
   */
  async function deliverOnce(spec: WorkerSpec, waitSeconds: number, onResponse?: DrainOptions['onResponse']): Promise<number> {
    const queueUrl = options.queueUrls[spec.queue];
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds, MessageSystemAttributeNames: ['All'] }));
    const batches: Message[][] = [];
    for (let start = 0; start < Messages.length; start += spec.batchSize) batches.push(Messages.slice(start, start + spec.batchSize));
    await Promise.all(batches.map((batch) => invoke(spec, queueUrl, batch, onResponse)));
    return Messages.length;
  }

  return {
    async drain({ queues, onResponse }: DrainOptions = {}) {
      const draining = queues ? specs.filter((spec) => queues.includes(spec.queue)) : specs;
      let delivered = 0;
      // Two quiet rounds in a row: a background poll that started during the first may still have
      // picked up a message; the second round waits for it.
      for (let round = 0, quiet = 0; round < 1000 && quiet < 2; round++) {
        let thisRound = await settle();
        for (const spec of draining) thisRound += await track(deliverOnce(spec, 0, onResponse));
        delivered += thisRound;
        quiet = thisRound === 0 ? quiet + 1 : 0;
      }
      return delivered;
    },
    start({ except = [] } = {}) {
      running = true;
      loops = specs.filter((spec) => !except.includes(spec.queue)).map(async (spec) => {
        while (running) {
          await track(deliverOnce(spec, 1)).catch((error: unknown) => {
            options.onError(error);
            return new Promise((resolve) => setTimeout(resolve, 1000));
          });
        }
      });
    },
    async stop() {
      running = false;
      await Promise.all(loops);
      sqs.destroy();
    },
  };
}
