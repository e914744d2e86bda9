/**
 * What happens to a review after it is written: seller replies, helpful votes, abuse reports, the admin's
 * decisions, how a product's reviews are sorted and filtered, what the public and the seller never see,
 * and the product's rating aggregate (DOMAIN.md / API.md "Reviews").
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getReview } from '../../lambdas/store/reviews.js';
import { aReview, anOrder, aShipment, PNG_BYTES, useLocalApi, type Actor, type Api } from '../support/local-api.js';

const local = useLocalApi();

interface Reason {
  code: string;
  message: string;
}
interface Reply {
  text: string;
  repliedAt: string;
}
interface PublicReview {
  reviewId: string;
  rating: number;
  media: { url: string; contentType: string }[];
  reviewer: { displayName: string };
  helpfulCount: number;
  sellerReply: Reply | null;
}
interface SellerReview extends PublicReview {
  reply: { text: string; status: string; reasons: Reason[] } | null;
}
interface Decided {
  status: string;
  decidedAt: string | null;
  decidedBy?: string | null;
}
interface AuthorReview {
  reviewId: string;
  status: string;
  moderation: { reasons: Reason[] };
  current: Decided;
  revisions?: Decided[];
  removal: { reason: string; at: string; by?: string | null } | null;
  reply?: (Decided & { text: string }) | null;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface RatingSummary {
  count: number;
  average: number | null;
  histogram: Record<string, number>;
  withMedia: number;
}

// ---- Helpers ----------------------------------------------------------------------------------------

let texts = 0;
/** Moderation rejects a text that repeats another review's, so every review says something of its own. */
const freshText = () => `Review number ${++texts}: the dripper arrived well packed and brews a clean cup.`;

interface Reviewed {
  buyer: Actor;
  seller: Actor;
  orderId: string;
  productId: string;
  reviewId: string;
}

/** A completed order of the seller's product, bought by a new buyer (place → ship → confirm receipt). */
async function completedPurchase(api: Api, seller: Actor, productId: string, buyerName?: string) {
  const buyer = await api.actor('buyer', undefined, buyerName);
  const placed = await api.post<{ orderId: string }>('/v1/orders', buyer, anOrder(productId));
  expect(placed.status, placed.text).toBe(201);
  const { orderId } = placed.body;
  expect((await api.post(`/v1/orders/${orderId}/shipment`, seller, aShipment())).status).toBe(200);
  expect((await api.post(`/v1/orders/${orderId}/confirm-receipt`, buyer)).status).toBe(200);
  return { buyer, orderId };
}

/** Writes a review of that purchase; `drain` runs automated moderation over it. */
async function review(api: Api, purchase: { buyer: Actor; orderId: string; productId: string }, overrides: Record<string, unknown> = {}, drain = true): Promise<string> {
  const written = await api.post<AuthorReview>(`/v1/orders/${purchase.orderId}/reviews`, purchase.buyer, aReview(purchase.productId, { text: freshText(), ...overrides }));
  expect(written.status, written.text).toBe(201);
  if (drain) await api.drainQueues();
  return written.body.reviewId;
}

/** A review of a fresh product, moderated, in the status its text earns (PUBLISHED for clean text). */
async function reviewedOrder(api: Api, overrides: Record<string, unknown> = {}, options: { buyerName?: string; drain?: boolean } = {}): Promise<Reviewed> {
  const { seller, productId } = await api.sellerWithListing();
  const purchase = { ...(await completedPurchase(api, seller, productId, options.buyerName)), productId };
  return { ...purchase, seller, reviewId: await review(api, purchase, overrides, options.drain ?? true) };
}

async function publishedReview(api: Api, overrides: Record<string, unknown> = {}, buyerName?: string): Promise<Reviewed> {
  const reviewed = await reviewedOrder(api, overrides, { buyerName });
  expect(await authorStatus(api, reviewed)).toBe('PUBLISHED');
  return reviewed;
}

const asAuthor = (api: Api, r: Reviewed) => api.get<AuthorReview>(`/v1/reviews/${r.reviewId}`, r.buyer);
const authorStatus = async (api: Api, r: Reviewed) => (await asAuthor(api, r)).body.status;
const publicReview = (api: Api, reviewId: string) => api.get<PublicReview>(`/v1/reviews/${reviewId}`);
const productReviews = (api: Api, productId: string, query = '') => api.get<Page<PublicReview>>(`/v1/products/${productId}/reviews${query}`);
const publicIds = async (api: Api, productId: string, query = '') => (await productReviews(api, productId, query)).body.items.map((item) => item.reviewId);
const ratingSummary = async (api: Api, productId: string) => (await api.get<{ ratingSummary: RatingSummary }>(`/v1/products/${productId}`)).body.ratingSummary;
const shopReviews = (api: Api, seller: Actor) => api.get<Page<SellerReview>>('/v1/sellers/me/reviews?limit=100', seller);
const replyTo = (api: Api, seller: Actor, reviewId: string, text: string) => api.put<SellerReview>(`/v1/reviews/${reviewId}/reply`, seller, { text });
const vote = (api: Api, as: Actor, reviewId: string) => api.put<{ helpfulCount: number }>(`/v1/reviews/${reviewId}/vote`, as, { helpful: true });
const unvote = (api: Api, as: Actor, reviewId: string) => api.request<{ helpfulCount: number }>('DELETE', `/v1/reviews/${reviewId}/vote`, { as });
const reportAs = (api: Api, as: Actor, reviewId: string) => api.post<{ code?: string }>(`/v1/reviews/${reviewId}/reports`, as, { reason: 'SPAM' });
const decide = (api: Api, reviewId: string, body: Record<string, unknown>, as?: Actor) => api.post<AuthorReview & { code?: string }>(`/v1/admin/reviews/${reviewId}/decision`, as, body);
const buyers = (api: Api, n: number) => Promise.all(Array.from({ length: n }, () => api.actor('buyer')));

/** The aggregate as it must be, computed from the reviews the public can read. */
function summaryOf(reviews: PublicReview[]): RatingSummary {
  const histogram: Record<string, number> = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 };
  for (const r of reviews) histogram[r.rating] = (histogram[r.rating] ?? 0) + 1;
  const sum = reviews.reduce((total, r) => total + r.rating, 0);
  return { count: reviews.length, average: reviews.length === 0 ? null : Math.round((sum / reviews.length) * 100) / 100, histogram, withMedia: reviews.filter((r) => r.media.length > 0).length };
}

// ---- Seller replies -----------------------------------------------------------------------------------

describe('seller replies', () => {
  it('publishes the product seller’s reply after moderation, on the review and in the product’s list', async () => {
    const { api } = local;
    const r = await publishedReview(api);
    const replied = await replyTo(api, r.seller, r.reviewId, 'Thank you, enjoy your coffee!');
    expect(replied.status, replied.text).toBe(200);
    expect(replied.body.reply).toMatchObject({ text: 'Thank you, enjoy your coffee!', status: 'PENDING_MODERATION' });
    expect((await publicReview(api, r.reviewId)).body.sellerReply).toBeNull();

    await api.drainQueues();
    const shown = (await publicReview(api, r.reviewId)).body.sellerReply;
    expect(shown).toEqual({ text: 'Thank you, enjoy your coffee!', repliedAt: expect.any(String) });
    expect((await productReviews(api, r.productId)).body.items[0]?.sellerReply).toEqual(shown);
    expect((await shopReviews(api, r.seller)).body.items[0]?.reply).toMatchObject({ status: 'PUBLISHED' });
  });

  it('keeps one reply per review: an edit replaces it once moderated, a rejected edit leaves the last published one', async () => {
    const { api } = local;
    const r = await publishedReview(api);
    await replyTo(api, r.seller, r.reviewId, 'Thanks for the kind words.');
    await api.drainQueues();
    expect((await replyTo(api, r.seller, r.reviewId, 'Thanks! A spare filter is on its way.')).status).toBe(200);
    expect((await publicReview(api, r.reviewId)).body.sellerReply?.text).toBe('Thanks for the kind words.');
    await api.drainQueues();
    expect((await publicReview(api, r.reviewId)).body.sellerReply?.text).toBe('Thanks! A spare filter is on its way.');

    await replyTo(api, r.seller, r.reviewId, 'Cheaper on www.dripper-outlet.com next time.');
    await api.drainQueues();
    expect((await publicReview(api, r.reviewId)).body.sellerReply?.text).toBe('Thanks! A spare filter is on its way.');
    const mine = (await shopReviews(api, r.seller)).body.items;
    expect(mine).toHaveLength(1);
    expect(mine[0]?.reply?.status).toBe('REJECTED');
    expect(mine[0]?.reply?.reasons.map((reason) => reason.code)).toContain('EXTERNAL_LINK');
  });

  it('rejects a reply with an email address: the public sees no reply', async () => {
    const { api } = local;
    const r = await publishedReview(api);
    await replyTo(api, r.seller, r.reviewId, 'Write to me at deals@dripper-outlet.com for a discount.');
    await api.drainQueues();
    expect((await publicReview(api, r.reviewId)).body.sellerReply).toBeNull();
    expect((await shopReviews(api, r.seller)).body.items[0]?.reply).toMatchObject({ status: 'REJECTED', reasons: [{ code: 'CONTACT_DETAILS' }] });
  });

  it('is for the product’s seller only (another seller 404, a buyer 403), and only once the review is published (404)', async () => {
    const { api } = local;
    const r = await publishedReview(api);
    expect((await replyTo(api, await api.actor('seller'), r.reviewId, 'Not my product.')).status).toBe(404);
    expect((await replyTo(api, r.buyer, r.reviewId, 'Replying to myself.')).status).toBe(403);
    const pending = await reviewedOrder(api, {}, { drain: false });
    expect((await replyTo(api, pending.seller, pending.reviewId, 'Too early.')).status).toBe(404);
  });
});

// ---- Helpful votes ----------------------------------------------------------------------------------

describe('helpful votes', () => {
  it('counts a burst of 60 concurrent votes; a repeat is a no-op; withdrawing removes one, twice is a no-op', async () => {
    const { api } = local;
    const r = await publishedReview(api);
    const voters = await buyers(api, 60);
    const votes = await Promise.all(voters.map((voter) => vote(api, voter, r.reviewId)));
    expect(votes.map((response) => response.status)).toEqual(Array(60).fill(200));
    expect((await publicReview(api, r.reviewId)).body.helpfulCount).toBe(60);

    const [first] = voters as [Actor];
    const again = await vote(api, first, r.reviewId);
    expect([again.status, again.body.helpfulCount]).toEqual([200, 60]);
    expect((await unvote(api, first, r.reviewId)).body.helpfulCount).toBe(59);
    const twice = await unvote(api, first, r.reviewId);
    expect([twice.status, twice.body.helpfulCount]).toEqual([200, 59]);
    expect((await publicReview(api, r.reviewId)).body.helpfulCount).toBe(59);
  });

  it('refuses the author’s own vote with CANNOT_VOTE_OWN_REVIEW, and votes on an unpublished review with 404', async () => {
    const { api } = local;
    const r = await publishedReview(api);
    const own = await vote(api, r.buyer, r.reviewId);
    expect(own.status).toBe(409);
    expect(own.body).toMatchObject({ code: 'CANNOT_VOTE_OWN_REVIEW' });
    const pending = await reviewedOrder(api, {}, { drain: false });
    expect((await vote(api, await api.actor('buyer'), pending.reviewId)).status).toBe(404);
  });
});

// ---- Abuse reports ----------------------------------------------------------------------------------

describe('abuse reports', () => {
  it('sends a review back to a human after 3 distinct reporters; an admin can publish it again, counted once', async () => {
    const { api } = local;
    const r = await publishedReview(api);
    const [a, b, c] = (await buyers(api, 3)) as [Actor, Actor, Actor];
    expect((await ratingSummary(api, r.productId)).count).toBe(1);

    expect((await reportAs(api, a, r.reviewId)).status).toBe(201);
    const repeated = await reportAs(api, a, r.reviewId);
    expect([repeated.status, repeated.body.code]).toEqual([409, 'ALREADY_REPORTED']);
    expect((await reportAs(api, b, r.reviewId)).status).toBe(201);
    expect((await publicReview(api, r.reviewId)).status).toBe(200);
    expect((await ratingSummary(api, r.productId)).count).toBe(1);

    expect((await reportAs(api, c, r.reviewId)).status).toBe(201);
    expect((await publicReview(api, r.reviewId)).status).toBe(404);
    expect(await publicIds(api, r.productId)).toEqual([]);
    expect(await ratingSummary(api, r.productId)).toMatchObject({ count: 0, average: null });
    const author = (await asAuthor(api, r)).body;
    expect(author.status).toBe('NEEDS_HUMAN');
    expect(author.moderation.reasons).toEqual([{ code: 'REPORTED_BY_USERS', message: expect.any(String) }]);
    const queue = await api.get<Page<AuthorReview>>('/v1/admin/reviews?limit=100', await api.actor('admin'));
    expect(queue.body.items.map((item) => item.reviewId)).toContain(r.reviewId);

    expect((await decide(api, r.reviewId, { decision: 'PUBLISH' }, await api.actor('admin'))).status).toBe(200);
    expect((await publicReview(api, r.reviewId)).status).toBe(200);
    expect(await publicIds(api, r.productId)).toEqual([r.reviewId]);
    expect(await ratingSummary(api, r.productId)).toMatchObject({ count: 1, average: 5, histogram: { 5: 1 } });
    expect((await decide(api, r.reviewId, { decision: 'PUBLISH' }, await api.actor('admin'))).status).toBe(409);
    expect((await ratingSummary(api, r.productId)).count).toBe(1);
  });

  it.each([
    ['an edit is still pending', { rating: 4 }, false],
    ['an edit was rejected', { text: 'Call me on 555 123 4567 for the real story.' }, true],
  ])('hides the published text after 3 reports even while %s', async (_case, edit, drain) => {
    const { api } = local;
    const r = await publishedReview(api);
    expect((await api.request('PATCH', `/v1/reviews/${r.reviewId}`, { as: r.buyer, body: edit })).status).toBe(200);
    if (drain) await api.drainQueues();
    expect((await publicReview(api, r.reviewId)).status).toBe(200);
    for (const reporter of await buyers(api, 3)) expect((await reportAs(api, reporter, r.reviewId)).status).toBe(201);
    expect((await publicReview(api, r.reviewId)).status).toBe(404);
    expect((await ratingSummary(api, r.productId)).count).toBe(0);
    // The superseded edit's moderation request finds nothing to decide, and the review stays hidden.
    await api.drainQueues();
    expect((await publicReview(api, r.reviewId)).status).toBe(404);
    expect(await authorStatus(api, r)).toBe('NEEDS_HUMAN');
    // What the moderator publishes is the text that was reported.
    await decide(api, r.reviewId, { decision: 'PUBLISH' }, await api.actor('admin'));
    expect((await publicReview(api, r.reviewId)).body.rating).toBe(5);
    expect((await ratingSummary(api, r.productId)).count).toBe(1);
  });

  it('escalates exactly once when 3 reports arrive at the same time', async () => {
    const { api } = local;
    const r = await publishedReview(api);
    const reports = await Promise.all((await buyers(api, 3)).map((reporter) => reportAs(api, reporter, r.reviewId)));
    expect(reports.map((response) => response.status)).toEqual([201, 201, 201]);
    expect(await authorStatus(api, r)).toBe('NEEDS_HUMAN');
    expect(await ratingSummary(api, r.productId)).toMatchObject({ count: 0, histogram: { 5: 0 } });
  });
});

// ---- Admin decisions --------------------------------------------------------------------------------

describe('admin decisions', () => {
  const insult = { rating: 1, text: 'The seller is an idiot, the box came crushed and late.' };

  it('escalates a milder insult to NEEDS_HUMAN; rejecting needs a reason, which the author then reads', async () => {
    const { api } = local;
    const admin = await api.actor('admin');
    const r = await reviewedOrder(api, insult);
    const author = (await asAuthor(api, r)).body;
    expect(author.status).toBe('NEEDS_HUMAN');
    expect(author.moderation.reasons.map((reason) => reason.code)).toEqual(['SUSPECTED_OFFENSIVE']);
    expect((await api.get<Page<AuthorReview>>('/v1/admin/reviews?limit=100', admin)).body.items.map((item) => item.reviewId)).toContain(r.reviewId);

    const unexplained = await decide(api, r.reviewId, { decision: 'REJECT' }, admin);
    expect([unexplained.status, unexplained.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await decide(api, r.reviewId, { decision: 'REJECT', reason: 'Insults the seller personally.' }, admin)).status).toBe(200);
    const rejected = (await asAuthor(api, r)).body;
    expect(rejected.status).toBe('REJECTED');
    expect(rejected.moderation.reasons).toEqual([{ code: 'REJECTED_BY_MODERATOR', message: 'Insults the seller personally.' }]);
    expect((await publicReview(api, r.reviewId)).status).toBe(404);
    expect((await ratingSummary(api, r.productId)).count).toBe(0);
  });

  it('publishes an escalated review when the admin decides PUBLISH', async () => {
    const { api } = local;
    const r = await reviewedOrder(api, insult);
    expect((await decide(api, r.reviewId, { decision: 'PUBLISH' }, await api.actor('admin'))).status).toBe(200);
    expect((await publicReview(api, r.reviewId)).body.rating).toBe(1);
    expect(await ratingSummary(api, r.productId)).toMatchObject({ count: 1, average: 1, histogram: { 1: 1 } });
  });

  it('removes a published review with a reason: gone from the public and the aggregate, no more edits', async () => {
    const { api } = local;
    const admin = await api.actor('admin');
    const r = await publishedReview(api);
    expect((await decide(api, r.reviewId, { decision: 'REMOVE' }, admin)).status).toBe(400);
    expect((await decide(api, r.reviewId, { decision: 'REMOVE', reason: 'Written for a competitor.' }, admin)).status).toBe(200);

    expect((await publicReview(api, r.reviewId)).status).toBe(404);
    expect(await publicIds(api, r.productId)).toEqual([]);
    expect((await ratingSummary(api, r.productId)).count).toBe(0);
    const author = (await asAuthor(api, r)).body;
    expect(author).toMatchObject({ status: 'REMOVED', removal: { reason: 'Written for a competitor.' } });
    const edit = await api.request<{ code: string }>('PATCH', `/v1/reviews/${r.reviewId}`, { as: r.buyer, body: { rating: 4 } });
    expect([edit.status, edit.body.code]).toEqual([409, 'REVIEW_REMOVED']);
  });

  it("records which admin decided and when: stored, shown to admins, and only the time to the author", async () => {
    const { api } = local;
    const [first, second] = [await api.actor('admin'), await api.actor('admin')];
    const r = await reviewedOrder(api, insult);
    const rejected = await decide(api, r.reviewId, { decision: 'REJECT', reason: 'Insults the seller personally.' }, first);
    expect(rejected.body.current).toMatchObject({ status: 'REJECTED', decidedBy: first.userId });
    const decidedAt = rejected.body.current.decidedAt;
    expect(decidedAt).toEqual(expect.any(String));
    expect((await getReview(r.reviewId))?.latest).toMatchObject({ decidedBy: first.userId, decidedAt });

    const author = (await asAuthor(api, r)).body;
    expect(author.current).toMatchObject({ status: 'REJECTED', decidedAt });
    expect(author.current).not.toHaveProperty('decidedBy');
    const history = (await api.get<AuthorReview>(`/v1/reviews/${r.reviewId}`, second)).body.revisions;
    expect(history?.map((revision) => revision.decidedBy)).toEqual([first.userId]);

    const removed = await decide(api, r.reviewId, { decision: 'REMOVE', reason: 'Written for a competitor.' }, second);
    expect(removed.body.removal).toEqual({ reason: 'Written for a competitor.', at: expect.any(String), by: second.userId });
    expect((await getReview(r.reviewId))?.removal).toMatchObject({ by: second.userId });
    expect((await asAuthor(api, r)).body.removal).not.toHaveProperty('by');
  });

  it("queues an escalated seller reply for admins, and records which admin decided it, and when", async () => {
    const { api } = local;
    const admin = await api.actor('admin');
    const r = await publishedReview(api);
    expect((await replyTo(api, r.seller, r.reviewId, 'Thank you, you idiot, we appreciate the feedback.')).status).toBe(200);
    await api.drainQueues();
    const queue = async () => (await api.get<Page<AuthorReview>>('/v1/admin/reviews?limit=100', admin)).body.items.filter((item) => item.reviewId === r.reviewId);
    // The escalated reply reaches the admins' queue, with the reply to decide on.
    expect(await queue()).toMatchObject([{ status: 'PUBLISHED', reply: { status: 'NEEDS_HUMAN', decidedBy: null } }]);
    const decided = await decide(api, r.reviewId, { decision: 'PUBLISH', target: 'REPLY' }, admin);
    expect(decided.status, decided.text).toBe(200);
    expect(decided.body.reply).toMatchObject({ status: 'PUBLISHED', decidedAt: expect.any(String), decidedBy: admin.userId });
    expect((await getReview(r.reviewId))?.reply).toMatchObject({ status: 'PUBLISHED', decidedBy: admin.userId });
    expect(await queue()).toEqual([]);
  });

  it('is for admins only (403), and refuses PUBLISH of a review nobody needs to decide with NOTHING_TO_DECIDE', async () => {
    const { api } = local;
    const r = await publishedReview(api);
    for (const caller of [r.buyer, r.seller]) expect((await decide(api, r.reviewId, { decision: 'PUBLISH' }, caller)).status).toBe(403);
    expect((await decide(api, r.reviewId, { decision: 'PUBLISH' })).status).toBe(401);
    const published = await decide(api, r.reviewId, { decision: 'PUBLISH' }, await api.actor('admin'));
    expect([published.status, published.body.code]).toEqual([409, 'NOTHING_TO_DECIDE']);
  });
});

// ---- Sorting and filtering --------------------------------------------------------------------------

describe("a product's review list", () => {
  // One product with five published reviews from five buyers, written in this order.
  const catalog = { productId: '', ids: { great: '', poor: '', good: '', awful: '', photo: '' } };

  beforeAll(async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    catalog.productId = productId;
    const plan = [['great', 5], ['poor', 2], ['good', 4], ['awful', 1], ['photo', 5]] as const;
    for (const [name, rating] of plan) {
      const purchase = { ...(await completedPurchase(api, seller, productId)), productId };
      const media = name === 'photo' ? [await api.upload(purchase.buyer, PNG_BYTES, { contentType: 'image/png' })] : [];
      catalog.ids[name] = await review(api, purchase, { rating, media });
    }
    const [v1, v2, v3, v4] = (await buyers(api, 4)) as [Actor, Actor, Actor, Actor];
    for (const voter of [v1, v2, v3]) await vote(api, voter, catalog.ids.good);
    await vote(api, v4, catalog.ids.poor);
    await replyTo(api, seller, catalog.ids.poor, 'Sorry to hear that, we will make it right.');
    await api.drainQueues();
  });

  it('lists newest first by default, each with a masked name, media URLs and the seller reply', async () => {
    const { api } = local;
    const { ids } = catalog;
    const page = (await productReviews(api, catalog.productId)).body;
    expect(page.items.map((item) => item.reviewId)).toEqual([ids.photo, ids.awful, ids.good, ids.poor, ids.great]);
    expect(page.nextCursor).toBeNull();
    for (const item of page.items) {
      expect(item.reviewer.displayName).toMatch(/^\S\*\*\*\S$/);
      for (const media of item.media) expect(media.url).toMatch(/^https?:\/\//);
      expect(item.sellerReply === null || typeof item.sellerReply.text === 'string').toBe(true);
    }
    expect(page.items.find((item) => item.reviewId === ids.photo)?.media).toEqual([{ url: expect.stringMatching(/^https?:\/\//), contentType: 'image/png' }]);
    expect(page.items.find((item) => item.reviewId === ids.poor)?.sellerReply?.text).toBe('Sorry to hear that, we will make it right.');
    expect(await publicIds(api, catalog.productId, '?sort=newest')).toEqual(page.items.map((item) => item.reviewId));
    expect(await ratingSummary(api, catalog.productId)).toEqual({ ...summaryOf(page.items), count: 5, average: 3.4, withMedia: 1 });
  });

  it('sorts by rating both ways and by helpful votes', async () => {
    const { api } = local;
    const ratings = async (query: string) => (await productReviews(api, catalog.productId, query)).body.items.map((item) => item.rating);
    expect(await ratings('?sort=rating_desc')).toEqual([5, 5, 4, 2, 1]);
    expect(await ratings('?sort=rating_asc')).toEqual([1, 2, 4, 5, 5]);
    const helpful = (await productReviews(api, catalog.productId, '?sort=helpful')).body.items;
    expect(helpful.slice(0, 2).map((item) => [item.reviewId, item.helpfulCount])).toEqual([[catalog.ids.good, 3], [catalog.ids.poor, 1]]);
    expect(helpful.slice(2).every((item) => item.helpfulCount === 0)).toBe(true);
  });

  it('filters by rating and by media', async () => {
    const { api } = local;
    expect(await publicIds(api, catalog.productId, '?rating=5')).toEqual([catalog.ids.photo, catalog.ids.great]);
    expect(await publicIds(api, catalog.productId, '?rating=3')).toEqual([]);
    expect(await publicIds(api, catalog.productId, '?withMedia=true')).toEqual([catalog.ids.photo]);
    // "With media" is a key, not a filter: a one-item page in any order holds the one photo review
    // (a filter would read the lowest-rated review first and answer an empty page with a cursor).
    const firstPage = await productReviews(api, catalog.productId, '?withMedia=true&sort=rating_asc&limit=1');
    expect(firstPage.body.items.map((item) => item.reviewId)).toEqual([catalog.ids.photo]);
    const rest = await productReviews(api, catalog.productId, `?withMedia=true&sort=rating_asc&limit=1&cursor=${encodeURIComponent(String(firstPage.body.nextCursor))}`);
    expect(rest.body).toEqual({ items: [], nextCursor: null });
  });

  it('pages with limit and nextCursor through every review once, and refuses a cursor from another sort', async () => {
    const { api } = local;
    for (const sort of ['newest', 'rating_desc', 'helpful']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let firstCursor: string | null = null;
      do {
        const page: Page<PublicReview> = (await productReviews(api, catalog.productId, `?sort=${sort}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).body;
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((item) => item.reviewId));
        cursor = page.nextCursor;
        firstCursor ??= cursor;
      } while (cursor);
      expect(seen).toEqual(await publicIds(api, catalog.productId, `?sort=${sort}`));
      expect(new Set(seen).size).toBe(5);
      const other = sort === 'newest' ? 'rating_asc' : 'newest';
      const crossed = await api.get<{ code: string }>(`/v1/products/${catalog.productId}/reviews?sort=${other}&limit=2&cursor=${encodeURIComponent(String(firstCursor))}`);
      expect([crossed.status, crossed.body.code]).toEqual([400, 'INVALID_CURSOR']);
    }
  });
});

// ---- Privacy ----------------------------------------------------------------------------------------

describe('what the public and the seller see of a reviewer', () => {
  it('never carries the reviewer’s id, order id or real name, only the masked name J***a', async () => {
    const { api } = local;
    // With a photo: media URLs are part of what the public sees, and must not name the reviewer either.
    const { seller, productId } = await api.sellerWithListing();
    const purchase = { ...(await completedPurchase(api, seller, productId, 'Jordan Quintessa')), productId };
    const photo = await api.upload(purchase.buyer, PNG_BYTES, { contentType: 'image/png' });
    const r: Reviewed = { ...purchase, seller, reviewId: await review(api, purchase, { media: [photo] }) };
    expect(await authorStatus(api, r)).toBe('PUBLISHED');
    const replied = await replyTo(api, r.seller, r.reviewId, 'Thank you, friend!');
    await api.drainQueues();
    const seen = {
      list: (await productReviews(api, r.productId)).body,
      anonymous: (await publicReview(api, r.reviewId)).body,
      seller: (await api.get(`/v1/reviews/${r.reviewId}`, r.seller)).body,
      shop: (await shopReviews(api, r.seller)).body,
      reply: replied.body,
    };
    expect(seen.anonymous.reviewer.displayName).toBe('J***a');
    expect(seen.list.items[0]?.reviewer.displayName).toBe('J***a');
    expect(seen.shop.items[0]?.reviewer.displayName).toBe('J***a');
    for (const [audience, body] of Object.entries(seen)) {
      const json = JSON.stringify(body);
      for (const secret of [r.buyer.userId, r.orderId, 'Jordan', 'Quintessa']) expect(json, `${audience} shows ${secret}`).not.toContain(secret);
    }
  });
});

// ---- Aggregates -------------------------------------------------------------------------------------

describe("a product's rating aggregate", () => {
  it('equals what the public reviews add up to after edits, reports, decisions and removals', async () => {
    const { api } = local;
    const admin = await api.actor('admin');
    const { seller, productId } = await api.sellerWithListing();
    const buy = async () => ({ ...(await completedPurchase(api, seller, productId)), productId });
    const [p0, p1, p2, p3, p4, p5] = [await buy(), await buy(), await buy(), await buy(), await buy(), await buy()];
    const media = [await api.upload(p0.buyer, PNG_BYTES, { contentType: 'image/png' })];
    const edited = await review(api, p0, { rating: 5, media });
    const reported = await review(api, p1, { rating: 4 });
    const removed = await review(api, p2, { rating: 3 });
    await review(api, p3, { rating: 2 });
    const escalated = await review(api, p4, { rating: 1, text: 'Sold by a scammer: the lid is missing entirely.' });
    const rejectedEdit = await review(api, p5, { rating: 4 });

    // A published edit moves the review from 5 to 3 stars (media kept); a rejected edit changes nothing.
    await api.request('PATCH', `/v1/reviews/${edited}`, { as: p0.buyer, body: { rating: 3 } });
    await api.request('PATCH', `/v1/reviews/${rejectedEdit}`, { as: p5.buyer, body: { rating: 1, text: 'Call me on 555 123 4567 for the real story.' } });
    await api.drainQueues();
    for (const reporter of await buyers(api, 3)) await reportAs(api, reporter, reported);
    expect((await decide(api, removed, { decision: 'REMOVE', reason: 'Not about this product.' }, admin)).status).toBe(200);
    expect((await decide(api, escalated, { decision: 'PUBLISH' }, admin)).status).toBe(200);

    const visible = (await productReviews(api, productId, '?limit=100')).body.items;
    expect(visible.map((item) => item.rating).sort()).toEqual([1, 2, 3, 4]);
    expect(await ratingSummary(api, productId)).toEqual(summaryOf(visible));
    expect(summaryOf(visible)).toMatchObject({ count: 4, average: 2.5, withMedia: 1 });
  });
});

