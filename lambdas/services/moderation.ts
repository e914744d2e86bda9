/**
 * Automated moderation of review revisions and seller replies (the moderation queue's worker), and the
 * outbox that makes sure every request for moderation is eventually delivered.
 *
 * Requests go to SQS after the write that creates them commits; a MODERATION timer written in that same
 * transaction re-sends the request if it is still undecided 10 minutes later, so a lost send cannot leave
 * a review pending forever. Deciding is one conditional transaction that also removes the timer, so a
 * redelivered message finds nothing to decide.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { checkStoredMedia } from '../domain/media.js';
import { decideModeration, duplicateFingerprint, duplicateTextFinding, mediaFindingsAsModeration, screenText, type Finding } from '../domain/moderation.js';
import { applyModeration, applyReplyModeration, type Review } from '../domain/reviews.js';
import { clock } from '../platform/clock.js';
import { businessEvent } from '../platform/business-events.js';
import { logger } from '../platform/logger.js';
import { copyObject, inspectObject } from '../store/files.js';
import { sendToQueue } from '../store/queue.js';
import { claimText, getReview, reviewWrites, textOwner } from '../store/reviews.js';
import { cancelTimer, setTimer, settleTimer, type Timer } from '../store/timers.js';
import { ConflictError, transact } from '../store/transactions.js';

export const ModerationRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('review'), reviewId: z.string(), revision: z.int() }),
  z.object({ kind: z.literal('reply'), reviewId: z.string(), replyVersion: z.int() }),
]);
export type ModerationRequest = z.infer<typeof ModerationRequest>;

export const moderationRequest = (review: Review, kind: 'review' | 'reply'): ModerationRequest =>
  kind === 'review' ? { kind, reviewId: review.reviewId, revision: review.latest.revision } : { kind, reviewId: review.reviewId, replyVersion: review.reply?.version ?? 0 };

/** Sends a request; a failed send is logged, not thrown: the outbox timer will send it again. */
export async function requestModeration(request: ModerationRequest): Promise<void> {
  await sendToQueue('moderation', request).catch((error: unknown) => logger.warn('Moderation request not sent; the timer will retry', { request, error: String(error) }));
}

/** Texts shorter than this are too generic ("great product, thanks") to call copies. */
const MIN_DUPLICATE_LENGTH = 30;

const fingerprintOf = (text: string): string | undefined => {
  const normalized = duplicateFingerprint(text);
  return normalized.length >= MIN_DUPLICATE_LENGTH ? createHash('sha256').update(normalized).digest('base64url') : undefined;
};

/** Where the platform's own copies of a review's media live: no upload ticket can write there. */
const PUBLISHED_MEDIA = 'review-media-published/';

/**
 * Media are checked and published from copies under a platform-only prefix: the uploader's ticket stays
 * valid for minutes after upload, and a second post to it must not replace what moderation approved.
 * A missing original keeps its key, so the check reports it missing.
 */
async function withPlatformCopies(review: Review): Promise<Review> {
  const media = await Promise.all(
    review.latest.media.map(async (item) => {
      if (item.key.startsWith(PUBLISHED_MEDIA)) return item;
      const target = `${PUBLISHED_MEDIA}${review.reviewId}/${item.uploadId}`;
      return (await copyObject(item.key, target)) === 'copied' ? { ...item, key: target } : item;
    }),
  );
  return { ...review, latest: { ...review.latest, media } };
}

async function reviewFindings(review: Review, fingerprint: string | undefined): Promise<Finding[]> {
  const findings = screenText(review.latest.text);
  const facts = await Promise.all(review.latest.media.map((media) => inspectObject(media.key)));
  review.latest.media.forEach((media, index) => {
    findings.push(...mediaFindingsAsModeration(checkStoredMedia({ purpose: 'review-media', contentType: media.contentType }, facts[index] ?? { exists: false })));
  });
  if (fingerprint) {
    const owner = await textOwner(fingerprint);
    if (owner && owner !== review.reviewId) findings.push(duplicateTextFinding());
  }
  return findings;
}

export type ModerationOutcome = 'decided' | 'stale';

const ATTEMPTS = 5;

/**
 * Decides one request. Decisions on reviews of one product all update its rating item, so a batch's
 * records can cancel each other's transactions on DynamoDB: a lost race is decided again on fresh data
 * right away rather than waiting a visibility timeout. Throws when the message should be redelivered.
 */
export async function moderate(request: ModerationRequest): Promise<ModerationOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await moderateOnce(request);
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

async function moderateOnce(request: ModerationRequest): Promise<ModerationOutcome> {
  const review = await getReview(request.reviewId);
  if (!review || !stillWaiting(review, request)) return 'stale';
  const now = clock.nowIso();
  if (request.kind === 'reply') {
    const { outcome, reasons } = decideModeration(screenText(review.reply?.text ?? ''));
    const next = applyReplyModeration(review, request.replyVersion, outcome, reasons, now);
    if (!next) return 'stale';
    await transact([...reviewWrites(review, next, null), cancelTimer('MODERATION', `${review.reviewId}#reply`)]);
    return 'decided';
  }
  const fingerprint = fingerprintOf(review.latest.text);
  const pinned = await withPlatformCopies(review);
  const { outcome, reasons } = decideModeration(await reviewFindings(pinned, fingerprint));
  const result = applyModeration(pinned, request.revision, outcome, reasons, now);
  if (!result) return 'stale';
  await transact([
    ...reviewWrites(review, result.review, result.publication),
    cancelTimer('MODERATION', `${review.reviewId}#review`),
    // The first review to publish a text owns it; a copy published meanwhile fails here and is re-decided.
    ...(outcome === 'PUBLISHED' && fingerprint ? [claimText(fingerprint, review.reviewId)] : []),
  ]);
  logger.info('Review moderated', { reviewId: review.reviewId, revision: request.revision, outcome, reasons: reasons.map((reason) => reason.code) });
  if (outcome === 'PUBLISHED') businessEvent('ReviewPublished', { reviewId: review.reviewId, productId: review.productId, revision: request.revision, by: 'moderation' });
  return 'decided';
}

const MAX_SENDS = 5;
const RETRY_AFTER_MS = 10 * 60_000;

const stillWaiting = (review: Review | undefined, request: ModerationRequest): boolean =>
  !!review &&
  review.status !== 'REMOVED' &&
  (request.kind === 'review'
    ? review.latest.revision === request.revision && review.latest.status === 'PENDING_MODERATION'
    : review.reply?.version === request.replyVersion && review.reply.status === 'PENDING_MODERATION');

/** The outbox timer: re-send a request still waiting, a few times, then leave it to the DLQ alarm. */
export async function retryModeration(timer: Timer): Promise<void> {
  const parsed = z.object({ message: ModerationRequest, attempt: z.int() }).safeParse(timer.payload);
  const waiting = parsed.success && stillWaiting(await getReview(parsed.data.message.reviewId), parsed.data.message);
  if (!parsed.success || !waiting || parsed.data.attempt >= MAX_SENDS) {
    if (waiting) logger.error('Moderation request gave up after retries', { timer });
    await transact([settleTimer(timer)]);
    return;
  }
  const now = clock.nowIso();
  const next = { ...timer, dueAt: new Date(new Date(now).getTime() + RETRY_AFTER_MS).toISOString(), payload: { message: parsed.data.message, attempt: parsed.data.attempt + 1 } };
  // Moved only if nobody decided (and removed it) meanwhile; then the request is sent again.
  try {
    await transact([setTimer(next, now, { ifDueAt: timer.dueAt })]);
  } catch (error) {
    if (error instanceof ConflictError) return;
    throw error;
  }
  await requestModeration(parsed.data.message);
}
