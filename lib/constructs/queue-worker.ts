import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import type { DeadLetteredQueue } from './dead-lettered-queue.js';
import type { ManifestFunction } from './manifest-function.js';

export interface QueueWorkerProps {
  readonly worker: ManifestFunction;
  readonly queue: DeadLetteredQueue;
  /** Messages per invocation (1–10 without a batching window). */
  readonly batchSize: number;
}

/**
 * A manifest function consuming a queue in batches. The worker reports the messages it failed
 * (`batchItemFailures`) so only those are retried; after the queue's maxReceiveCount they land in its DLQ.
 */
export class QueueWorker extends Construct {
  readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: QueueWorkerProps) {
    super(scope, id);
    const { worker, queue, batchSize } = props;
    // Lambda refuses an SQS event source whose visibility timeout is shorter than the function timeout:
    // fail at synth, not at deploy.
    if (worker.timeout.toSeconds() > queue.visibilityTimeout.toSeconds()) {
      throw new Error(
        `${id}: the function timeout (${worker.timeout.toSeconds()} s) exceeds the queue visibility timeout (${queue.visibilityTimeout.toSeconds()} s)`,
      );
    }
    // Receive/delete/change-visibility on this one queue (the event source would add the same statement).
    queue.queue.grantConsumeMessages(worker.role);
    this.eventSource = new SqsEventSource(queue.queue, { batchSize, reportBatchItemFailures: true });
    worker.function.addEventSource(this.eventSource);
  }
}
