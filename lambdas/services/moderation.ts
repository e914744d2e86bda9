/**
 * Automated moderation of review revisions and seller replies (the moderation queue's worker), and the
 * outbox that makes sure every request for moderation is eventually delivered.
 *
 * Requests go to SQS after the write that creates them commits; a MODERATION timer written in that same
 * transaction re-sends the request if it is still undecided later (services/outbox.ts), so a lost send
 * cannot leave a review pending forever. Deciding is one command that also ends the outbox timer, so a
 * redelivered message finds nothing to decide.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { decideModeration, duplicateFingerprint, duplicateTextFinding, mediaFindingsAsModeration, screenText, type Finding } from '../domain/moderation.js';
import { reviewNotifications } from '../domain/notification-texts.js';
import { applyModeration, applyReplyModeration, reviewChange, type Review } from '../domain/reviews.js';
import { businessEvent } from '../platform/business-events.js';
import { logger } from '../platform/logger.js';
import type { OrderFeedback } from '../domain/reputation.js';
import { getOrderFeedback } from '../store/reputation.js';
import { claimText, getReview, reviewWrites, textOwner } from '../store/reviews.js';
import { cancelTimer, type Timer } from '../store/timers.js';
import { runCommand, type Decision } from './command.js';
import { notify } from './notifications.js';
import { outbox } from './outbox.js';
import { pinUpload } from './uploads.js';

export const ModerationRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('review'), reviewId: z.string(), revision: z.int() }),
  z.object({ kind: z.literal('reply'), reviewId: z.string(), replyVersion: z.int() }),
]);
export type ModerationRequest = z.infer<typeof ModerationRequest>;

export const moderationRequest = (review: Review, kind: 'review' | 'reply'): ModerationRequest =>
  kind === 'review' ? { kind, reviewId: review.reviewId, revision: review.latest.revision } : { kind, reviewId: review.reviewId, replyVersion: review.reply?.version ?? 0 };

const stillWaiting = (review: Review | undefined, request: ModerationRequest): boolean =>
  !!review &&
  review.status !== 'REMOVED' &&
  (request.kind === 'review'
    ? review.latest.revision === request.revision && review.latest.status === 'PENDING_MODERATION'
    : review.reply?.version === request.replyVersion && review.reply.status === 'PENDING_MODERATION');

/** One MODERATION timer per review and kind: a newer request replaces the one before it. */
const timerEntity = (request: ModerationRequest) => `${request.reviewId}#${request.kind}`;

/**
 * "Send now, retry by timer" for moderation requests: the timer is written with the change that asks for
 * moderation and removed with the decision. Pure: the worker, which only decides, leaves it (and the queue
 * client it sends with) out of its bundle.
 */
export const moderationOutbox = /* @__PURE__ */ outbox<ModerationRequest>({
  kind: 'MODERATION',
  queue: 'moderation',
  message: ModerationRequest,
  entityId: timerEntity,
  stillWaiting: async (request) => stillWaiting(await getReview(request.reviewId), request),
});

/** Written with a decision: the request is answered, so its outbox timer sends it no more (the outbox's `done`). */
const answered = (request: ModerationRequest) => cancelTimer('MODERATION', timerEntity(request));

/** The outbox timer fired: re-send a request still waiting, a few times, then leave it to the DLQ alarm. */
export const retryModeration = (timer: Timer): Promise<void> => moderationOutbox.retry(timer);

/** Texts shorter than this are too generic ("great product, thanks") to call copies. */
const MIN_DUPLICATE_LENGTH = 30;

const fingerprintOf = (text: string): string | undefined => {
  const normalized = duplicateFingerprint(text);
  return normalized.length >= MIN_DUPLICATE_LENGTH ? createHash('sha256').update(normalized).digest('base64url') : undefined;
};

/**
 * The revision's media as the platform's own checked copies (services/uploads.ts `pinUpload`, the one
 * "check the bytes and copy to a platform key"): the uploader's form stays valid for minutes after
 * upload, and a second post to it must not replace what moderation approved. Files already copied are
 * only checked again. What is wrong with a file becomes a finding, which rejects the revision with a
 * reason its author reads.
 */
async function pinnedMedia(review: Review): Promise<{ pinned: Review; findings: Finding[] }> {
  const pins = await Promise.all(review.latest.media.map(async (item) => ({ item, ...(await pinUpload(item, 'review-media')) })));
  const media = pins.map(({ item, key }) => ({ ...item, key }));
  return { pinned: { ...review, latest: { ...review.latest, media } }, findings: pins.flatMap(({ findings }) => mediaFindingsAsModeration(findings)) };
}

async function reviewFindings(review: Review, fingerprint: string | undefined): Promise<{ pinned: Review; findings: Finding[] }> {
  const { pinned, findings: mediaFindings } = await pinnedMedia(review);
  const findings = [...screenText(review.latest.text), ...mediaFindings];
  if (fingerprint) {
    const owner = await textOwner(fingerprint);
    if (owner && owner !== review.reviewId) findings.push(duplicateTextFinding());
  }
  return { pinned, findings };
}

export type RequestOutcome = 'decided' | 'stale';

const stale: Decision<RequestOutcome> = { writes: [], result: 'stale' };

/**
 * Decisions on reviews of one product ADD to its rating shards (and the shop's month shards), and every
 * publication of an order's reviews moves that order's feedback item on its version (store/reputation.ts):
 * a batch holding the ten lines of one order has ten records racing for one item, and each round only one
 * wins. So a lost race is decided again on fresh data at once, up to a batch's worth of rounds and some,
 * rather than after a visibility timeout (five attempts left about half of such a batch to redeliveries).
 * After these attempts the request throws and its message is redelivered.
 */
const ATTEMPTS = 12;

/** Decides one request; a request no longer waiting (decided, overtaken by an edit, removed) is 'stale'. */
export const moderate = (request: ModerationRequest): Promise<RequestOutcome> => (request.kind === 'reply' ? moderateReply(request) : moderateRevision(request));

function moderateReply(request: Extract<ModerationRequest, { kind: 'reply' }>): Promise<RequestOutcome> {
  return runCommand({
    subject: 'review',
    maxAttempts: ATTEMPTS,
    load: () => getReview(request.reviewId),
    decide: (review, now) => {
      const { outcome, reasons } = decideModeration(screenText(review?.reply?.text ?? ''));
      const next = review && applyReplyModeration(review, request.replyVersion, outcome, reasons, now);
      if (!review || !next) return stale;
      const told = notify(reviewNotifications(review, next), now);
      return { writes: [...reviewWrites(reviewChange(review, next)), answered(request), ...told.writes], result: 'decided', afterCommit: told.afterCommit };
    },
  });
}

interface RevisionToDecide {
  review: Review;
  /** The order's feedback, which a publication moves. */
  feedback: OrderFeedback | null;
  /** The review with its media replaced by the platform's own copies: what is checked and published. */
  pinned: Review;
  fingerprint: string | undefined;
  findings: Finding[];
}

/** The revision and everything its decision rests on: the media as stored and who owns its text. */
async function revisionToDecide(request: Extract<ModerationRequest, { kind: 'review' }>): Promise<RevisionToDecide | undefined> {
  const review = await getReview(request.reviewId);
  if (!review || !stillWaiting(review, request)) return undefined;
  const fingerprint = fingerprintOf(review.latest.text);
  const [feedback, found] = await Promise.all([getOrderFeedback(review.orderId), reviewFindings(review, fingerprint)]);
  return { review, fingerprint, feedback, ...found };
}

function moderateRevision(request: Extract<ModerationRequest, { kind: 'review' }>): Promise<RequestOutcome> {
  return runCommand({
    subject: 'review',
    maxAttempts: ATTEMPTS,
    load: () => revisionToDecide(request),
    decide: (loaded, now): Decision<RequestOutcome> => {
      if (!loaded) return stale;
      const { review, pinned, fingerprint, feedback } = loaded;
      const { outcome, reasons } = decideModeration(loaded.findings);
      const next = applyModeration(pinned, request.revision, outcome, reasons, now);
      if (!next) return stale;
      const published = outcome === 'PUBLISHED';
      // The author learns whether it is out; a revision left to a moderator tells nobody yet.
      const told = notify(reviewNotifications(review, next), now);
      return {
        writes: [
          ...reviewWrites(reviewChange(review, next), { feedback }),
          answered(request),
          ...told.writes,
          // The first review to publish a text owns it; a copy published meanwhile fails here and is decided again.
          ...(published && fingerprint ? [claimText(fingerprint, review.reviewId)] : []),
        ],
        result: 'decided',
        afterCommit: [
          () => logger.info('Review moderated', { reviewId: review.reviewId, revision: request.revision, outcome, reasons: reasons.map((reason) => reason.code) }),
          ...(published ? [() => businessEvent('ReviewPublished', { reviewId: review.reviewId, productId: review.productId, revision: request.revision, by: 'moderation' })] : []),
          ...told.afterCommit,
        ],
      };
    },
  });
}
