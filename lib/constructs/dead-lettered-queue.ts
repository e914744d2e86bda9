import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface DeadLetteredQueueProps {
  readonly description: string;
  /** At least 6× the timeout of the function that consumes the queue (checked by QueueWorker). */
  readonly visibilityTimeout: Duration;
  /** Deliveries before a message is parked in the dead-letter queue. */
  readonly maxReceiveCount: number;
}

/**
 * A work queue whose poisoned messages end in its own dead-letter queue: both encrypted with
 * SQS-managed keys and reachable over TLS only. The DLQ keeps messages for the SQS maximum (14 days)
 * so an operator has time to inspect and redrive them; the DLQ-depth alarm lives in the API stack.
 */
export class DeadLetteredQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly visibilityTimeout: Duration;
  readonly maxReceiveCount: number;
  readonly description: string;

  constructor(scope: Construct, id: string, props: DeadLetteredQueueProps) {
    super(scope, id);
    this.visibilityTimeout = props.visibilityTimeout;
    this.maxReceiveCount = props.maxReceiveCount;
    this.description = props.description;

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
    });

    this.queue = new Queue(this, 'Queue', {
      visibilityTimeout: props.visibilityTimeout,
      // Shorter than the DLQ's 14 days: a message's age carries over when it is moved to the DLQ.
      retentionPeriod: Duration.days(4),
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
  }
}
