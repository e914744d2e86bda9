import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { QueueName } from '../../lib/manifest.js';
import { queueUrlVariable, required } from '../platform/config.js';

let client: SQSClient | undefined;

/** Sends one message to a manifest queue; the caller's function must declare it in `sendsTo`. */
export async function sendToQueue(queue: QueueName, message: Record<string, unknown>): Promise<void> {
  client ??= new SQSClient({});
  await client.send(new SendMessageCommand({ QueueUrl: required(queueUrlVariable(queue)), MessageBody: JSON.stringify(message) }));
}
