import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import type { DeadLetteredQueue } from './dead-lettered-queue.js';
import type { ManifestFunction } from './manifest-function.js';

/** AWS's guidance for SQS event sources: visibility timeout ≥ 6 × the function timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

export interface QueueWorkerProps {
  readonly worker: ManifestFunction;
  readonly queue: DeadLetteredQueue;
  /** Messages per invocation (1–10 without a batching window). */
  readonly batchSize: number;
  /** At most this many concurrent invocations from this queue (2–1000); unbounded if absent. */
  readonly maxConcurrency?: number;
}

/**
 * A manifest function consuming a queue in batches. The worker reports the messages it failed
 * (`batchItemFailures`) so only those are retried; after the queue's maxReceiveCount they land in its DLQ.
 */
export class QueueWorker extends Construct {
  readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: QueueWorkerProps) {
    super(scope, id);
    const { worker, queue, batchSize, maxConcurrency } = props;
    // Lambda refuses a visibility timeout shorter than the function timeout at deploy; AWS asks for 6×, so
    // a batch that the poller retries after throttling is not delivered again while still being worked on.
    const needed = VISIBILITY_TIMEOUT_FACTOR * worker.timeout.toSeconds();
    if (queue.visibilityTimeout.toSeconds() < needed) {
      throw new Error(
        `${id}: the queue visibility timeout (${queue.visibilityTimeout.toSeconds()} s) is less than ${VISIBILITY_TIMEOUT_FACTOR}× the function timeout (${worker.timeout.toSeconds()} s): make it at least ${needed} s`,
      );
    }
    // Receive/delete/change-visibility on this one queue (the event source would add the same statement).
    queue.queue.grantConsumeMessages(worker.role);
    this.eventSource = new SqsEventSource(queue.queue, { batchSize, maxConcurrency, reportBatchItemFailures: true });
    // On the alias: a deployment shifts the queue's traffic with the rest (lib/constructs/canary-deployment.ts).
    worker.live.addEventSource(this.eventSource);
  }
}
