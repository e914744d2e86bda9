/**
 * Nobody sees what is not theirs: tokens, roles and ownership, for every route of lib/manifest.ts.
 *
 * Generic over the manifest: a route added later is probed from its `auth`, `roles` and path. A route with
 * a body must add a valid sample to `validBodies` (a test fails until it does), so that a refusal is about
 * who is asking, never about the input.
 */
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { type Role } from '../../lib/manifest.js';
import { allRoutes, signerOf, declared, entryOf, isImplemented, sampleIds, ULID, type Json, type Problem, type Route } from '../support/routes.js';
import { aListing, anAddress, anOrder, aShipment, useLocalApi, type Actor, type ApiResponse } from '../support/local-api.js';

const local = useLocalApi();

type Ids = Record<string, string>;

const allRoles: readonly Role[] = ['buyer', 'seller', 'admin'];


/** One valid body per route that takes one, naming the real ids of the resource under test. */
const validBodies: Record<string, (ids: Ids) => Json> = {
  'PUT /v1/sellers/me': () => ({ storeName: 'A valid store', country: 'US' }),
  'POST /v1/sellers/me/verification': () => ({ legalName: 'Somebody Else', documents: [`upl_${ULID}`] }),
  'POST /v1/admin/sellers/{sellerId}/verification': () => ({ decision: 'REJECT', reasons: ['Decided by a stranger'] }),
  'POST /v1/admin/sellers/{sellerId}/penalties': () => ({ points: 48, reason: 'Decided by a stranger' }),
  'POST /v1/products': () => aListing(),
  'POST /v1/admin/products/{productId}/decision': () => ({ decision: 'REJECT', reasons: ['Decided by a stranger'] }),
  'PUT /v1/products/{productId}': () => aListing({ title: 'Somebody else wants this title' }),
  'POST /v1/orders': (ids) => anOrder(ids.productId ?? `prd_${ULID}`),
  'POST /v1/orders/{orderId}/cancel': () => ({ reason: 'Changed my mind' }),
  'POST /v1/orders/{orderId}/shipment': () => aShipment(),
  'POST /v1/orders/{orderId}/tracking-events': () => ({ status: 'DELIVERED', location: 'Front porch', occurredAt: new Date().toISOString() }),
  'POST /v1/uploads': () => ({ purpose: 'review-media', contentType: 'image/jpeg', contentLength: 2048 }),
  'POST /v1/orders/{orderId}/reviews': (ids) => ({ productId: ids.productId ?? `prd_${ULID}`, rating: 1, text: 'Written by somebody who never bought it.', media: [], sellerRatings: { itemAsDescribed: 1, communication: 1, shippingSpeed: 1 } }),
  'PATCH /v1/reviews/{reviewId}': () => ({ rating: 1, text: 'Rewritten by somebody else entirely.' }),
  'PUT /v1/reviews/{reviewId}/reply': () => ({ text: 'A reply from the wrong store.' }),
  'PUT /v1/reviews/{reviewId}/vote': () => ({ helpful: true }),
  'POST /v1/reviews/{reviewId}/reports': () => ({ reason: 'SPAM' }),
  'POST /v1/admin/reviews/{reviewId}/decision': () => ({ decision: 'REMOVE', reason: 'Removed by a stranger' }),
  'POST /v1/orders/{orderId}/disputes': () => ({ reason: 'DAMAGED', request: { type: 'REFUND', amount: { amount: 500, currency: 'USD' } }, description: 'The lid arrived cracked in two places.', evidence: [] }),
  'POST /v1/disputes/{disputeId}/response': () => ({ action: 'COUNTER_OFFER', counterOffer: { type: 'REFUND', amount: { amount: 100, currency: 'USD' } }, message: 'We can refund part of it.', evidence: [] }),
  'POST /v1/disputes/{disputeId}/escalate': () => ({ message: 'We cannot agree; please decide.' }),
  'POST /v1/disputes/{disputeId}/appeal': () => ({ statement: 'Please look at this decision again.', evidence: [`upl_${ULID}`] }),
  'POST /v1/disputes/{disputeId}/revise': () => ({ request: { type: 'REFUND', amount: { amount: 300, currency: 'USD' } }, message: 'Meet me halfway, please.' }),
  'POST /v1/disputes/{disputeId}/return-shipment': () => ({ carrier: 'UPS', trackingNumber: '1Z999AA10123456784' }),
  'POST /v1/conversations': (ids) => ({ sellerId: ids.sellerId ?? 'user-0001', productId: ids.productId ?? `prd_${ULID}` }),
  'POST /v1/conversations/{conversationId}/messages': () => ({ text: 'A message from somebody else entirely.' }),
  'POST /v1/disputes/{disputeId}/return-problem': () => ({ problem: 'NOT_AS_SENT', message: 'The box came back with a different mug inside.', evidence: [] }),
  'POST /v1/payment-events/{provider}': () => ({ eventId: `evt-${Date.now()}`, type: 'chargeback.opened', chargebackId: 'cb-probe', paymentReference: 'pay_nobody_has_this', amount: { amount: 500, currency: 'USD' } }),
  'POST /v1/carrier-events/{carrier}': () => ({ events: [{ eventId: `evt-${Date.now()}`, trackingNumber: '1Z999AA10123456784', status: 'IN_TRANSIT', occurredAt: new Date().toISOString() }] }),
  'POST /v1/carrier-events/aftership': () => ({ event: 'tracking_update', event_id: `evt-${Date.now()}`, ts: Math.floor(Date.now() / 1000), msg: { tracking_number: '1Z999AA10123456784', tag: 'InTransit', checkpoints: [] } }),
  'POST /v1/admin/disputes/{disputeId}/decision': () => ({ refundAmount: { amount: 100, currency: 'USD' }, returnRequired: false, rationale: 'The photos show the damage clearly.' }),
  'POST /v1/admin/refunds/{refundId}/retry': () => ({ markPaid: true, reference: 'wire-2026-0001' }),
  // An address literal (TEST-NET-3: public, never routed): no DNS lookup in the test.
  'PUT /v1/me/webhook': () => ({ url: 'https://203.0.113.10/hooks/aftersale' }),
  'POST /v1/me/notifications/read': (ids) => ({ upTo: ids.notificationId ?? `ntf_${ULID}` }),
};

function validBody(route: Route, ids: Ids = {}): Json | undefined {
  if (!route.spec.body) return undefined;
  const make = validBodies[route.key];
  if (!make) throw new Error(`${route.key} takes a body: add a valid sample to validBodies in test/integration/access.test.ts`);
  return make(ids);
}

const shapeOf = (schema: z.ZodMiniType | undefined): Record<string, z.ZodMiniType> => (schema instanceof z.ZodMiniObject ? (schema.shape as Record<string, z.ZodMiniType>) : {});

/** The route's path with the given real ids, or syntactically valid sample ids for the others. */
function pathOf(route: Route, ids: Ids = {}): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = ids[name] ?? [...sampleIds, 'user-0001'].find((candidate) => shapeOf(route.spec.path)[name]?.safeParse(candidate).success);
    if (value === undefined) throw new Error(`no valid sample for {${name}} of ${route.key}: extend sampleIds`);
    return encodeURIComponent(value);
  });
}

async function call(route: Route, options: { ids?: Ids; as?: Actor; token?: string } = {}): Promise<ApiResponse<Problem>> {
  const body = validBody(route, options.ids);
  return local.api.request<Problem>(route.method, pathOf(route, options.ids), { as: options.as, token: options.token, body });
}

function expectProblem(response: ApiResponse<Problem>, status: number, code: string): void {
  expect(response.status, response.text).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, code });
}

// ---- Tokens that must not get anyone in ----

let foreignKey: CryptoKey;
let localKeyId: string | undefined;
beforeAll(async () => {
  ({ privateKey: foreignKey } = await generateKeyPair('RS256'));
  localKeyId = decodeProtectedHeader(await local.api.host.tokens.sign({ userId: 'kid-probe', role: 'buyer' })).kid;
});

/** The claims of a genuine dev access token (lib/local/dev-tokens.ts) for a role the route allows, with another subject. */
const claimsFor = async (role: Role) => {
  const { iat: _, exp: __, ...claims } = decodeJwt(await local.api.host.tokens.sign({ userId: 'claims-probe', role }));
  return { ...claims, sub: `intruder-${role}`, username: `intruder-${role}` };
};
const forgedToken = async (role: Role) =>
  new SignJWT(await claimsFor(role)).setProtectedHeader({ alg: 'RS256', ...(localKeyId !== undefined && { kid: localKeyId }) }).setIssuedAt().setExpirationTime('1h').sign(foreignKey);

const badTokens: { name: string; make: (role: Role) => Promise<string | undefined> }[] = [
  { name: 'without a token', make: async () => undefined },
  { name: 'with a garbage token', make: async () => 'garbage' },
  { name: 'with a token signed by another key', make: forgedToken },
  { name: 'with an expired token', make: (role) => local.api.host.tokens.sign({ userId: `expired-${role}`, role }, -60) },
  { name: 'with an unsigned (alg: none) token', make: async (role) => new UnsecuredJWT(await claimsFor(role)).setIssuedAt().setExpirationTime('1h').encode() },
  // Genuine, signed by the right key, for the right client: the gateway's authorizer lets it through.
  { name: 'with an ID token instead of an access token', make: (role) => local.api.host.tokens.signIdToken({ userId: `id-token-${role}`, role, name: 'Ida Token' }) },
];
const allowedRole = (route: Route): Role => route.spec.roles?.[0] ?? 'buyer';

for (const route of declared.filter((candidate) => !isImplemented(candidate))) it.todo(`checks access to ${route.key} once ${entryOf(route)} exists`);

describe('bad tokens get nobody in', () => {
  it('forges tokens with exactly the claims and header of a genuine one, so only the key differs', async () => {
    const genuine = await local.api.host.tokens.sign({ userId: 'genuine', role: 'buyer' });
    const forged = await forgedToken('buyer');
    expect(Object.keys(decodeJwt(forged)).sort()).toEqual(Object.keys(decodeJwt(genuine)).sort());
    expect(decodeProtectedHeader(forged)).toEqual(decodeProtectedHeader(genuine));
  });

  for (const route of allRoutes.filter((candidate) => candidate.spec.auth === 'required')) {
    for (const { name, make } of badTokens) {
      it(`answers 401 problem+json to ${route.key} ${name}`, async () => {
        const response = await call(route, { token: await make(allowedRole(route)) });
        expectProblem(response, 401, 'UNAUTHENTICATED');
      });
    }
  }

  for (const route of allRoutes.filter((candidate) => candidate.spec.auth === 'optional')) {
    for (const { name, make } of badTokens.slice(1)) {
      it(`answers 401 problem+json to ${route.key} (public, token optional) ${name}`, async () => {
        expectProblem(await call(route, { token: await make('buyer') }), 401, 'UNAUTHENTICATED');
      });
    }
  }
});

// ---- Fixtures: two orders of one buyer and seller, and a stranger buyer and seller with their own ----

let pending: Awaited<ReturnType<typeof local.api.placedOrder>>;
let shipped: Awaited<ReturnType<typeof local.api.shippedOrder>>;
let strangers: Awaited<ReturnType<typeof local.api.placedOrder>>;
let admin: Actor;
const idsOf = (fixture: typeof pending): Ids => ({ orderId: fixture.orderId, productId: fixture.productId, sellerId: fixture.seller.userId });
const snapshot = async (fixture: typeof pending) => {
  const order = await local.api.get(`/v1/orders/${fixture.orderId}`, admin);
  const product = await local.api.get(`/v1/products/${fixture.productId}`, fixture.seller);
  return { order: [order.body.status, order.body.updatedAt], product: [product.body.title, product.body.updatedAt] };
};
let before: Map<typeof pending, Awaited<ReturnType<typeof snapshot>>>;

beforeAll(async () => {
  const { api } = local;
  [pending, shipped, strangers, admin] = [await api.placedOrder(), await api.shippedOrder(), await api.placedOrder(), await api.actor('admin')];
  before = new Map([
    [pending, await snapshot(pending)],
    [shipped, await snapshot(shipped)],
  ]);
});

describe('public routes answer without a token', () => {
  for (const route of allRoutes.filter((candidate) => candidate.spec.auth === 'none' || candidate.spec.auth === 'optional')) {
    it(`answers ${route.key} without a token: 2xx, or 404 problem+json for an unknown id`, async () => {
      const response = await call(route, { ids: idsOf(pending) });
      if (response.status === 404) expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      else expect(response.status, response.text).toBeLessThan(300);
    });
  }
});

describe('signed webhooks take no token: only the sender’s signature gets in', () => {
  for (const route of allRoutes.filter((candidate) => candidate.spec.auth === 'signed')) {
    it(`answers 401 INVALID_SIGNATURE to ${route.key} unsigned, with or without a token`, async () => {
      expectProblem(await call(route), 401, 'INVALID_SIGNATURE');
      expectProblem(await call(route, { as: admin }), 401, 'INVALID_SIGNATURE');
    });

    it(`answers 202 to ${route.key} signed with its carrier's key`, async () => {
      const response = await local.api.request(route.method, pathOf(route), { body: validBody(route), signAs: signerOf(route) });
      expect(response.status, response.text).toBe(202);
    });
  }
});

describe('a role the route is not for gets 403, even on its own order', () => {
  /** The party of the order with that role: the order's own buyer or seller, or an admin. */
  const partyWith = (role: Role): Actor => (role === 'buyer' ? shipped.buyer : role === 'seller' ? shipped.seller : admin);

  for (const route of allRoutes.filter((candidate) => candidate.spec.roles)) {
    for (const role of allRoles.filter((candidate) => !route.spec.roles?.includes(candidate))) {
      it(`answers 403 FORBIDDEN_ROLE to ${route.key} called by ${role === 'admin' ? 'an' : 'a'} ${role}`, async () => {
        expectProblem(await call(route, { ids: idsOf(shipped), as: partyWith(role) }), 403, 'FORBIDDEN_ROLE');
      });
    }
  }

  it('left the order and its listing untouched', async () => {
    expect(await snapshot(shipped)).toEqual(before.get(shipped));
  });
});

describe("another user's order or listing is 404, indistinguishable from one that does not exist", () => {
  const notFoundCodes: Record<string, string> = { orderId: 'ORDER_NOT_FOUND', productId: 'PRODUCT_NOT_FOUND' };
  const owned = allRoutes.filter((route) => route.spec.auth === 'required' && Object.keys(notFoundCodes).some((param) => route.path.includes(`{${param}}`)));
  const strangerWith = (role: Role): Actor => (role === 'buyer' ? strangers.buyer : strangers.seller);
  const states = [
    { label: 'awaiting shipment', fixture: () => pending },
    { label: 'shipped', fixture: () => shipped },
  ];

  for (const route of owned) {
    const param = Object.keys(notFoundCodes).find((name) => route.path.includes(`{${name}}`)) ?? '';
    const code = notFoundCodes[param] ?? '';
    for (const role of (['buyer', 'seller'] as const).filter((candidate) => route.spec.roles?.includes(candidate))) {
      for (const state of param === 'orderId' ? states : states.slice(0, 1)) {
        it(`answers 404 ${code} to ${route.key} by another ${role} (${param === 'orderId' ? `order ${state.label}` : 'listed product'})`, async () => {
          const fixture = state.fixture();
          const ids = idsOf(fixture);
          const realId = ids[param] ?? '';
          const response = await call(route, { ids, as: strangerWith(role) });
          expectProblem(response, 404, code);
          for (const secret of [fixture.buyer.userId, fixture.seller.userId, String(fixture.order.paymentReference), anAddress().line1, anAddress().name]) {
            expect(response.text).not.toContain(secret);
          }
          const missingId = sampleIds.find((candidate) => candidate.startsWith(realId.slice(0, 4))) ?? '';
          const missing = await call(route, { ids: { ...ids, [param]: missingId }, as: strangerWith(role) });
          expect(response.text.replaceAll(realId, '{id}')).toBe(missing.text.replaceAll(missingId, '{id}'));
          expect(await snapshot(fixture)).toEqual(before.get(fixture));
        });
      }
    }
  }

  it("keeps the orders out of the strangers' lists, and in their seller's", async () => {
    const { api } = local;
    const orderIds = async (as: Actor) => (await api.get<{ items: { orderId: string }[] }>('/v1/orders?limit=100', as)).body.items.map((order) => order.orderId);
    expect(await orderIds(strangers.buyer)).not.toContain(pending.orderId);
    expect(await orderIds(strangers.seller)).not.toContain(pending.orderId);
    expect(await orderIds(pending.seller)).toContain(pending.orderId);
    expect(await orderIds(pending.buyer)).toContain(pending.orderId);
  });
});

describe('listings are public, their review outcome is not', () => {
  it('shows an existing product to anyone: no token, a buyer, another seller, an admin', async () => {
    const { api } = local;
    for (const as of [undefined, strangers.buyer, strangers.seller, admin]) {
      const response = await api.get(`/v1/products/${pending.productId}`, as);
      expect(response.status, response.text).toBe(200);
      expect(response.body.productId).toBe(pending.productId);
      if (as !== admin) expect(response.body).not.toHaveProperty('review');
    }
    expect((await api.get(`/v1/products/${pending.productId}`, pending.seller)).body).toHaveProperty('review');
  });

  it('answers 404 PRODUCT_NOT_FOUND for a product id that does not exist', async () => {
    expectProblem(await local.api.request<Problem>('GET', `/v1/products/prd_${ULID}`), 404, 'PRODUCT_NOT_FOUND');
  });
});

describe('each party sees its own side of an order', () => {
  it('lets an admin read any order', async () => {
    for (const fixture of [pending, shipped, strangers]) {
      const response = await local.api.get(`/v1/orders/${fixture.orderId}`, admin);
      expect(response.status, response.text).toBe(200);
      expect(response.body.orderId).toBe(fixture.orderId);
    }
  });

  it("shows the seller their order without the buyer's paymentReference, and the buyer with it", async () => {
    const asSeller = await local.api.get(`/v1/orders/${pending.orderId}`, pending.seller);
    expect(asSeller.status).toBe(200);
    expect(asSeller.body).not.toHaveProperty('paymentReference');
    expect(asSeller.text).not.toContain(String(pending.order.paymentReference));
    const asBuyer = await local.api.get(`/v1/orders/${pending.orderId}`, pending.buyer);
    expect(asBuyer.body.paymentReference).toBe(pending.order.paymentReference);
  });
});

describe("another user's notification is 404, and stays out of everyone else's inbox", () => {
  type Inbox = { items: { id: string; subject: { id: string } }[]; unreadCount: number };
  const inboxOf = async (as: Actor) => (await local.api.get<Inbox>('/v1/me/notifications?limit=100', as)).body;

  it('answers 404 NOTIFICATION_NOT_FOUND to a stranger of any role marking it read, like an unknown id, and leaves it unread', async () => {
    const shippedNotice = (await inboxOf(shipped.buyer)).items.find((item) => item.subject.id === shipped.orderId);
    const notificationId = shippedNotice?.id ?? expect.unreachable('the shipment told its buyer');
    const route = allRoutes.find((candidate) => candidate.key === 'POST /v1/me/notifications/read') ?? expect.unreachable();
    for (const stranger of [strangers.buyer, strangers.seller, shipped.seller, admin]) {
      const response = await call(route, { ids: { notificationId }, as: stranger });
      expectProblem(response, 404, 'NOTIFICATION_NOT_FOUND');
      const missing = await call(route, { as: stranger });
      expect(response.text.replaceAll(notificationId, '{id}')).toBe(missing.text.replaceAll(`ntf_${ULID}`, '{id}'));
      expect((await inboxOf(stranger)).items.map((item) => item.id)).not.toContain(notificationId);
    }
    expect((await inboxOf(shipped.buyer)).unreadCount).toBeGreaterThan(0);
  });
});
