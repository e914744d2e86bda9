/**
 * The listing-review worker as Lambda runs it: idempotent under redelivery, and a poison message is
 * reported failed (never swallowed) until the queue's redrive policy parks it in the DLQ.
 */
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { queues } from '../../lib/manifest.js';
import { handler } from '../../lambdas/workers/listing-review.js';
import { aListing, useLocalApi } from '../support/local-api.js';
import { workerInvoker } from '../support/worker-invocation.js';

const local = useLocalApi();
let client: SQSClient | undefined;
const sqs = (): SQSClient => (client ??= new SQSClient({}));
afterAll(() => client?.destroy());

const invoke = workerInvoker(handler, { queue: 'listingReview', fn: 'listingReviewWorker' });

async function depth(queueUrl: string): Promise<number> {
  const { Attributes } = await sqs().send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(Attributes?.['ApproximateNumberOfMessages']) + Number(Attributes?.['ApproximateNumberOfMessagesNotVisible']);
}

describe('the listing-review worker', () => {
  it('decides a submission once: a redelivered request changes nothing', async () => {
    const { api } = local;
    const seller = await api.verifiedSeller();
    const created = await api.post<{ productId: string }>('/v1/products', seller, aListing({ images: [await api.listingImage(seller)], category: 'no-such-category' }));
    const request = JSON.stringify({ productId: created.body.productId, version: 0 });
    // The same request twice in one batch and once more later, as SQS may deliver it.
    expect((await invoke([{ messageId: 'm1', body: request }, { messageId: 'm2', body: request }])).batchItemFailures).toEqual([]);
    const decided = await api.get<Record<string, unknown> & { status: string; updatedAt: string }>(`/v1/products/${created.body.productId}`, seller);
    expect(decided.body.status).toBe('REJECTED');
    expect((await invoke([{ messageId: 'm3', body: request }])).batchItemFailures).toEqual([]);
    // Image links are presigned per read (their signature carries the second): compare the listing without them.
    const withoutLinks = (body: Record<string, unknown>) => ({ ...body, images: (body.images as { uploadId: string }[]).map(({ uploadId }) => uploadId) });
    expect(withoutLinks((await api.get<Record<string, unknown>>(`/v1/products/${created.body.productId}`, seller)).body)).toEqual(withoutLinks(decided.body));
  });

  it('reports a poison message failed, without holding back the rest of its batch, until it ends in the DLQ', async () => {
    const { api } = local;
    const { queueUrls, dlqUrls } = api.host.engines;
    const poison = JSON.stringify({ productId: 42 });
    const seller = await api.verifiedSeller();
    const good = await api.post<{ productId: string }>('/v1/products', seller, aListing({ images: [await api.listingImage(seller)] }));
    const mixed = await invoke([
      { messageId: 'poison', body: poison },
      { messageId: 'good', body: JSON.stringify({ productId: good.body.productId, version: 0 }) },
    ]);
    expect(mixed.batchItemFailures).toEqual([{ itemIdentifier: 'poison' }]);
    expect((await api.get(`/v1/products/${good.body.productId}`, seller)).body.status).toBe('APPROVED');

    await api.drainQueues();
    await sqs().send(new SendMessageCommand({ QueueUrl: queueUrls.listingReview, MessageBody: poison }));
    // As Lambda's poller would: receive, invoke, delete only what succeeded; the redrive policy counts receives.
    for (let receive = 0; receive <= queues.listingReview.maxReceiveCount; receive++) {
      const { Messages = [] } = await sqs().send(new ReceiveMessageCommand({ QueueUrl: queueUrls.listingReview, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0 }));
      for (const message of Messages) {
        const response = await invoke([{ messageId: message.MessageId ?? '', body: message.Body ?? '' }]);
        if (response.batchItemFailures.length === 0) await sqs().send(new DeleteMessageCommand({ QueueUrl: queueUrls.listingReview, ReceiptHandle: message.ReceiptHandle }));
      }
    }
    expect(await depth(queueUrls.listingReview)).toBe(0);
    const { Messages = [] } = await sqs().send(new ReceiveMessageCommand({ QueueUrl: dlqUrls.listingReview, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    expect(Messages.map((message) => message.Body)).toEqual([poison]);
  });
});
