/**
 * Bad input gets a clear 4xx, never a 500, never a half-written state.
 *
 * Generic over lib/manifest.ts: every route that takes a body, a query or path parameters is probed from
 * its own zod schemas, so a route added later is covered without touching this file — except that a route
 * with a body must add a valid sample to `validBodies` (a test fails until it does).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { type Role } from '../../lib/manifest.js';
import { MAX_BODY_BYTES } from '../../lambdas/platform/http.js';
import { allRoutes, signerOf, declared, entryOf, isImplemented, sampleIds, ULID, type Json, type Problem, type Route } from '../support/routes.js';
import { aListing, anOrder, aReview, aShipment, PNG_BYTES, useLocalApi, type Actor, type Api, type ApiResponse } from '../support/local-api.js';

const local = useLocalApi();

const writeRoutes = allRoutes.filter((route) => route.method !== 'GET');
const bodyRoutes = allRoutes.filter((route) => route.spec.body);
const pathRoutes = allRoutes.filter((route) => route.spec.path);
const queryRoutes = allRoutes.filter((route) => route.spec.query);

const inAMonth = () => new Date(Date.now() + 30 * 86_400_000).toISOString();

/** One valid body per route that takes one. The manifest's schema is the judge (see the first test). */
const validBodies: Record<string, () => Json> = {
  'PUT /v1/sellers/me': () => ({ storeName: 'A valid store', country: 'US' }),
  'POST /v1/sellers/me/verification': () => ({ legalName: 'Sam Seller', documents: [`upl_${ULID}`] }),
  'POST /v1/admin/sellers/{sellerId}/verification': () => ({ decision: 'REJECT', reasons: ['The document is unreadable'] }),
  'POST /v1/admin/sellers/{sellerId}/penalties': () => ({ points: 2, reason: 'Misleading listing photos' }),
  'POST /v1/admin/products/{productId}/decision': () => ({ decision: 'APPROVE' }),
  'POST /v1/products': () => aListing(),
  'PUT /v1/products/{productId}': () => aListing(),
  'POST /v1/orders': () => anOrder(`prd_${ULID}`),
  'POST /v1/orders/{orderId}/cancel': () => ({ reason: 'Changed my mind' }),
  'POST /v1/orders/{orderId}/shipment': () => aShipment(inAMonth()),
  'POST /v1/orders/{orderId}/tracking-events': () => ({ status: 'IN_TRANSIT', location: 'Memphis, TN', occurredAt: new Date().toISOString() }),
  'POST /v1/uploads': () => ({ purpose: 'review-media', contentType: 'image/jpeg', contentLength: 2048 }),
  'POST /v1/orders/{orderId}/reviews': () => ({ productId: `prd_${ULID}`, rating: 5, text: 'Brews a clean cup, well packed.', media: [], sellerRatings: { itemAsDescribed: 5, communication: 5, shippingSpeed: 5 } }),
  'PATCH /v1/reviews/{reviewId}': () => ({ rating: 4, text: 'Still good after a month of use.' }),
  'PUT /v1/reviews/{reviewId}/reply': () => ({ text: 'Thank you for the kind words!' }),
  'PUT /v1/reviews/{reviewId}/vote': () => ({ helpful: true }),
  'POST /v1/reviews/{reviewId}/reports': () => ({ reason: 'SPAM', details: 'Advertises another shop.' }),
  'POST /v1/admin/reviews/{reviewId}/decision': () => ({ decision: 'REJECT', reason: 'Off-topic content' }),
  'POST /v1/orders/{orderId}/disputes': () => ({ reason: 'DAMAGED', request: { type: 'REFUND', amount: { amount: 500, currency: 'USD' } }, description: 'The lid arrived cracked in two places.', evidence: [] }),
  'POST /v1/disputes/{disputeId}/response': () => ({ action: 'COUNTER_OFFER', counterOffer: { type: 'REFUND', amount: { amount: 100, currency: 'USD' } }, message: 'We can refund part of it.', evidence: [] }),
  'POST /v1/disputes/{disputeId}/escalate': () => ({ message: 'We cannot agree; please decide.' }),
  'POST /v1/disputes/{disputeId}/appeal': () => ({ statement: 'Please look at this decision again.', evidence: [`upl_${ULID}`] }),
  'POST /v1/disputes/{disputeId}/revise': () => ({ request: { type: 'REFUND', amount: { amount: 300, currency: 'USD' } }, message: 'Meet me halfway, please.' }),
  'POST /v1/disputes/{disputeId}/return-shipment': () => ({ carrier: 'UPS', trackingNumber: '1Z999AA10123456784' }),
  'POST /v1/conversations': () => ({ sellerId: 'seller-0001', productId: `prd_${ULID}` }),
  'POST /v1/conversations/{conversationId}/messages': () => ({ text: 'Is this still available?', attachments: [] }),
  'POST /v1/disputes/{disputeId}/return-problem': () => ({ problem: 'NOT_AS_SENT', message: 'The box came back with a different mug inside.', evidence: [] }),
  'POST /v1/payment-events/{provider}': () => ({ eventId: `evt-${Date.now()}`, type: 'chargeback.opened', chargebackId: 'cb-probe', paymentReference: 'pay_nobody_has_this', amount: { amount: 500, currency: 'USD' } }),
  'POST /v1/carrier-events/{carrier}': () => ({ events: [{ eventId: `evt-${Date.now()}`, trackingNumber: '1Z999AA10123456784', status: 'IN_TRANSIT', occurredAt: new Date().toISOString() }] }),
  'POST /v1/carrier-events/aftership': () => ({ event: 'tracking_update', event_id: `evt-${Date.now()}`, ts: Math.floor(Date.now() / 1000), msg: { tracking_number: '1Z999AA10123456784', tag: 'InTransit', checkpoints: [] } }),
  'POST /v1/admin/disputes/{disputeId}/decision': () => ({ refundAmount: { amount: 100, currency: 'USD' }, returnRequired: false, rationale: 'The photos show the damage clearly.' }),
  'POST /v1/admin/refunds/{refundId}/retry': () => ({ markPaid: true, reference: 'wire-2026-0001' }),
  // An address literal (TEST-NET-3: public, never routed): no DNS lookup in the test.
  'PUT /v1/me/webhook': () => ({ url: 'https://203.0.113.10/hooks/aftersale' }),
  'POST /v1/me/notifications/read': () => ({ upTo: `ntf_${ULID}` }),
};

function validBody(route: Route): Json | undefined {
  if (!route.spec.body) return undefined;
  const make = validBodies[route.key];
  if (!make) throw new Error(`${route.key} takes a body: add a valid sample to validBodies in test/integration/bad-input.test.ts`);
  return make();
}

const shapeOf = (schema: z.ZodMiniType | undefined): Record<string, z.ZodMiniType> => (schema instanceof z.ZodMiniObject ? (schema.shape as Record<string, z.ZodMiniType>) : {});

type JsonType = 'string' | 'number' | 'boolean' | 'array' | 'object';
/** The JSON type a field's schema expects, seen through optional/default/nullable and pipes. */
function expectedJsonType(schema: z.ZodMiniType): JsonType {
  const def = schema.def as { type: string; innerType?: z.ZodMiniType; in?: z.ZodMiniType; values?: unknown[] };
  if (def.innerType) return expectedJsonType(def.innerType);
  if (def.type === 'pipe' && def.in) return expectedJsonType(def.in);
  if (def.type === 'enum') return 'string';
  if (def.type === 'literal') return typeof def.values?.[0] === 'boolean' ? 'boolean' : typeof def.values?.[0] === 'number' ? 'number' : 'string';
  if (def.type === 'string' || def.type === 'number' || def.type === 'boolean' || def.type === 'array' || def.type === 'object') return def.type;
  throw new Error(`bad-input.test.ts does not know which JSON type a zod "${def.type}" expects; teach expectedJsonType`);
}
const wrongValueFor: Record<JsonType, unknown> = { string: 12345, number: 'twelve', boolean: 'yes', array: 'not-a-list', object: 'not-an-object' };

/** Path with syntactically valid sample ids, or with the given raw segments. */
function pathOf(route: Route, raw: Record<string, string> = {}): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const given = raw[name];
    if (given !== undefined) return given;
    const sample = [...sampleIds, 'user-0001'].find((candidate) => shapeOf(route.spec.path)[name]?.safeParse(candidate).success);
    if (sample === undefined) throw new Error(`no valid sample for {${name}} of ${route.key}: extend sampleIds`);
    return encodeURIComponent(sample);
  });
}

/** A signed-in user whose role the route allows (nobody for public routes). */
async function callerOf(route: Route): Promise<Actor | undefined> {
  if (route.spec.auth === 'none' || route.spec.auth === 'signed') return undefined;
  const role: Role = route.spec.roles?.[0] ?? 'buyer';
  return local.api.actor(role);
}

interface SendOptions {
  path?: string;
  query?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  as?: Actor;
}
/** Sends to a route as an allowed caller; by default with valid path params and a valid body. */
async function send(route: Route, options: SendOptions = {}): Promise<ApiResponse<Problem>> {
  const body = 'body' in options ? options.body : options.rawBody === undefined ? validBody(route) : undefined;
  const path = (options.path ?? pathOf(route)) + (options.query === undefined ? '' : `?${options.query}`);
  // A webhook is signed over whatever is sent, so what is judged is the input, not the signature.
  const signAs = route.spec.auth === 'signed' ? signerOf(route) : undefined;
  return local.api.request<Problem>(route.method, path, { as: options.as ?? (await callerOf(route)), body, rawBody: options.rawBody, headers: options.headers, ...(signAs && { signAs }) });
}

/** Every refusal in this file: a 4xx problem+json with type, title, status and an UPPER_SNAKE code. */
function expectProblem(response: ApiResponse<Problem>, status?: number, code?: string): Problem {
  expect(response.status, response.text).toBeGreaterThanOrEqual(400);
  expect(response.status, response.text).toBeLessThan(500);
  if (status !== undefined) expect(response.status, response.text).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status: response.status, code: expect.stringMatching(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/) });
  if (code !== undefined) expect(response.body.code).toBe(code);
  for (const error of response.body.errors ?? []) expect(error).toEqual({ path: expect.any(String), message: expect.any(String) });
  return response.body;
}

/** A 400 whose errors[] names `path` (or something under it). */
function expectFieldError(response: ApiResponse<Problem>, path: string): void {
  const problem = expectProblem(response, 400, 'VALIDATION_FAILED');
  expect(problem.errors?.length, response.text).toBeGreaterThan(0);
  expect(problem.errors?.some((error) => error.path === path || error.path.startsWith(`${path}.`)), `${path} in ${response.text}`).toBe(true);
}

for (const route of declared.filter((candidate) => !isImplemented(candidate))) it.todo(`probes ${route.key} once ${entryOf(route)} exists`);

describe('valid samples', () => {
  for (const route of bodyRoutes) {
    it(`has a body for ${route.key} that its schema accepts`, () => {
      expect(route.spec.body?.safeParse(validBody(route)).error).toBeUndefined();
    });
  }
});

for (const route of writeRoutes) describe(`${route.key} refuses a body that is not what it takes`, () => {
  it('answers 400 VALIDATION_FAILED to malformed JSON', async () => {
    expectProblem(await send(route, { rawBody: '{"a":' }), 400, 'VALIDATION_FAILED');
  });

  it.each([
    ['a JSON array', '[]'],
    ['a JSON string', '"text"'],
    ['null', 'null'],
    ['a number', '42'],
  ])('answers 400 to %s as the body', async (_, rawBody) => {
    expectProblem(await send(route, { rawBody }), 400, 'VALIDATION_FAILED');
  });

  it('answers 400 to an unknown top-level field', async () => {
    expectProblem(await send(route, { body: { ...validBody(route), extra: 1 } }), 400, 'VALIDATION_FAILED');
  });

  it.each([
    ['"__proto__"', '{"__proto__":{"polluted":true}'],
    ['"constructor.prototype"', '{"constructor":{"prototype":{"polluted":true}}'],
  ])('answers 400 to a %s key and pollutes no prototype', async (_, prefix) => {
    const valid = JSON.stringify(validBody(route) ?? {});
    const rawBody = valid === '{}' ? `${prefix}}` : `${prefix},${valid.slice(1)}`;
    expectProblem(await send(route, { rawBody }), 400, 'VALIDATION_FAILED');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('answers 415 UNSUPPORTED_MEDIA_TYPE to a JSON body sent as text/plain', async () => {
    const rawBody = JSON.stringify(validBody(route) ?? {});
    expectProblem(await send(route, { rawBody, headers: { 'content-type': 'text/plain' } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 413 PAYLOAD_TOO_LARGE to a string field that takes the body past 1 MB', async () => {
    const valid = validBody(route) ?? {};
    const field = Object.keys(valid).find((name) => typeof valid[name] === 'string') ?? 'note';
    expectProblem(await send(route, { body: { ...valid, [field]: 'x'.repeat(MAX_BODY_BYTES) } }), 413, 'PAYLOAD_TOO_LARGE');
  });
});

/**
 * Objects of a third party's documented format that take fields we do not read: AfterShip's `msg` (its
 * tracking object) grows over time, and refusing a new field would fail every delivery of its webhook.
 */
const openByDesign: Record<string, readonly string[]> = { 'POST /v1/carrier-events/aftership': ['msg'] };

for (const route of bodyRoutes) describe(`${route.key} validates every field of its body`, () => {
  const shape = Object.entries(shapeOf(route.spec.body));
  const required = shape.filter(([, field]) => !field.safeParse(undefined).success).map(([name]) => name);
  const fields = shape.map(([name, field]) => ({ name, type: expectedJsonType(field), wrong: JSON.stringify(wrongValueFor[expectedJsonType(field)]) }));
  const article = (type: JsonType) => (type === 'array' || type === 'object' ? 'an' : 'a');
  const tooLongFor10Kb = shape.filter(([, field]) => expectedJsonType(field) === 'string' && !field.safeParse('x'.repeat(10 * 1024)).success).map(([name]) => name);
  const sample = validBodies[route.key]?.() ?? {};
  const objectFields = Object.keys(sample).filter((name) => typeof sample[name] === 'object' && sample[name] !== null && !Array.isArray(sample[name]));

  it('answers 400 when there is no body at all', async () => {
    expectFieldError(await send(route, { body: undefined }), 'body');
  });

  if (required.length > 0) it(`answers 400 to {} naming every required field (${required.join(', ')})`, async () => {
    const response = await send(route, { body: {} });
    for (const name of required) expectFieldError(response, `body.${name}`);
  });

  for (const { name, type, wrong } of fields) {
    it(`answers 400 naming body.${name} when it is ${wrong} instead of ${article(type)} ${type}`, async () => {
      expectFieldError(await send(route, { body: { ...validBody(route), [name]: wrongValueFor[type] } }), `body.${name}`);
    });
  }

  it.each(tooLongFor10Kb)('answers 400 naming body.%s when it is a 10 KB string', async (name) => {
    expectFieldError(await send(route, { body: { ...validBody(route), [name]: 'x'.repeat(10 * 1024) } }), `body.${name}`);
  });

  it.each(objectFields.filter((name) => !openByDesign[route.key]?.includes(name)))('answers 400 naming body.%s when it carries an unknown field', async (name) => {
    const valid = validBody(route) ?? {};
    expectFieldError(await send(route, { body: { ...valid, [name]: { ...(valid[name] as Json), extra: 1 } } }), `body.${name}`);
  });
});

const badPathValues: [label: string, value: string][] = [
  ['a malformed id', 'ord_notAnId'],
  ['a path traversal', '../../etc'],
  ['a 300-character id', 'x'.repeat(300)],
  ['an injection attempt', "1' OR '1'='1"],
];
const pathCases = pathRoutes.flatMap((route) =>
  Object.entries(shapeOf(route.spec.path)).flatMap(([param, schema]) =>
    badPathValues.filter(([, value]) => !schema.safeParse(value).success).map(([label, value]) => ({ route, param, label, value })),
  ),
);

describe('invalid path parameters', () => {
  for (const { route, param, label, value } of pathCases) {
    it(`answers 400 naming path.${param} to ${route.key} with ${label} as {${param}}`, async () => {
      expectFieldError(await send(route, { path: pathOf(route, { [param]: encodeURIComponent(value) }) }), `path.${param}`);
    });
  }

  for (const route of pathRoutes) {
    it(`answers a 4xx problem to ${route.key} with an unencoded ../../etc in the path`, async () => {
      const path = route.path.replace(/\{\w+\}/, '../../etc');
      expectProblem(await send(route, { path: pathOf({ ...route, path }) }));
    });
  }
});

const badQueries: [query: string, param: string | undefined][] = [
  ['limit=0', 'limit'],
  ['limit=101', 'limit'],
  ['limit=abc', 'limit'],
  ['limit=1.5', 'limit'],
  ['cursor=', 'cursor'],
  ['cursor=not-a-cursor', 'cursor'],
  [`cursor=${'x'.repeat(3000)}`, 'cursor'],
  ['status=SHIPPED_TO_MARS', 'status'],
  ['sort=random', 'sort'],
  ['rating=6', 'rating'],
  ['withMedia=yes', 'withMedia'],
  ['colour=red', undefined],
];
const queryCases = queryRoutes.flatMap((route) => {
  const shape = shapeOf(route.spec.query);
  const strict = !route.spec.query?.safeParse({ colour: 'red' }).success;
  return badQueries
    .filter(([, param]) => (param === undefined ? strict : param in shape))
    .map(([query]) => ({ route, query, label: query.length > 40 ? `${query.slice(0, 12)}… (${query.length} chars)` : query }));
});

describe('invalid query parameters', () => {
  for (const { route, query, label } of queryCases) {
    it(`answers 400 to ${route.key}?${label}`, async () => {
      expectProblem(await send(route, { query }), 400);
    });
  }
});

interface ListFixture {
  path: string;
  as?: Actor;
  otherPath: string;
  otherAs?: Actor;
}
/** Lists with cursors: how to fill two of them (two users') with more than one item each. */
const listFixtures: Record<string, (api: Api) => Promise<ListFixture>> = {
  'GET /v1/orders': async (api) => {
    const { productId } = await api.sellerWithListing();
    const mine = await api.actor('buyer');
    const theirs = await api.actor('buyer');
    for (const buyer of [mine, mine, theirs, theirs]) expect((await api.post('/v1/orders', buyer, anOrder(productId))).status).toBe(201);
    return { path: '/v1/orders', as: mine, otherPath: '/v1/orders', otherAs: theirs };
  },
  'GET /v1/sellers/{sellerId}/products': async (api) => {
    const [mine, theirs] = [await api.sellerWithListing(), await api.sellerWithListing()];
    for (const { seller } of [mine, theirs]) expect((await api.reviewedListing(seller)).product.status).toBe('APPROVED');
    return { path: `/v1/sellers/${mine.seller.userId}/products`, otherPath: `/v1/sellers/${theirs.seller.userId}/products` };
  },
  'GET /v1/products/{productId}/reviews': async (api) => {
    const [mine, theirs] = [await api.sellerWithListing(), await api.sellerWithListing()];
    for (const listing of [mine, mine, theirs, theirs]) await reviewedPurchase(api, listing.seller, listing.productId, await api.actor('buyer'));
    await api.drainQueues();
    return { path: `/v1/products/${mine.productId}/reviews`, otherPath: `/v1/products/${theirs.productId}/reviews` };
  },
  'GET /v1/me/reviews': async (api) => {
    const { seller, productId } = await api.sellerWithListing();
    const [mine, theirs] = [await api.actor('buyer'), await api.actor('buyer')];
    for (const buyer of [mine, mine, theirs, theirs]) await reviewedPurchase(api, seller, productId, buyer);
    return { path: '/v1/me/reviews', as: mine, otherPath: '/v1/me/reviews', otherAs: theirs };
  },
  'GET /v1/sellers/me/reviews': async (api) => {
    const [mine, theirs] = [await api.sellerWithListing(), await api.sellerWithListing()];
    for (const listing of [mine, mine, theirs, theirs]) await reviewedPurchase(api, listing.seller, listing.productId, await api.actor('buyer'));
    await api.drainQueues();
    return { path: '/v1/sellers/me/reviews', as: mine.seller, otherPath: '/v1/sellers/me/reviews', otherAs: theirs.seller };
  },
  'GET /v1/admin/reviews': async (api) => {
    const { seller, productId } = await api.sellerWithListing();
    const insulting = async (which: string) => reviewedPurchase(api, seller, productId, await api.actor('buyer'), { text: `The ${which} courier was an idiot about the parcel.` });
    await insulting('first');
    await insulting('second');
    await api.drainQueues();
    // Two more that stay queued for moderation: a second list for the same admin.
    await reviewedPurchase(api, seller, productId, await api.actor('buyer'));
    await reviewedPurchase(api, seller, productId, await api.actor('buyer'));
    const admin = await api.actor('admin');
    return { path: '/v1/admin/reviews?status=NEEDS_HUMAN', as: admin, otherPath: '/v1/admin/reviews?status=PENDING_MODERATION', otherAs: admin };
  },
  'GET /v1/disputes': async (api) => {
    const [mine, theirs] = [await api.actor('buyer'), await api.actor('buyer')];
    for (const buyer of [mine, mine, theirs, theirs]) {
      const { seller, productId } = await api.sellerWithListing();
      const { orderId } = (await api.post<{ orderId: string }>('/v1/orders', buyer, anOrder(productId))).body;
      expect((await api.post(`/v1/orders/${orderId}/shipment`, seller, aShipment())).status).toBe(200);
      const opened = await api.post(`/v1/orders/${orderId}/disputes`, buyer, { reason: 'DAMAGED', request: { type: 'REFUND', amount: { amount: 100, currency: 'USD' } }, description: 'Arrived with a broken hinge.' });
      expect(opened.status, opened.text).toBe(201);
    }
    return { path: '/v1/disputes', as: mine, otherPath: '/v1/disputes', otherAs: theirs };
  },
  'GET /v1/conversations': async (api) => {
    const [mine, theirs] = [await api.actor('buyer'), await api.actor('buyer')];
    for (const buyer of [mine, mine, theirs, theirs]) await conversationOf(api, buyer);
    return { path: '/v1/conversations', as: mine, otherPath: '/v1/conversations', otherAs: theirs };
  },
  'GET /v1/conversations/{conversationId}/messages': async (api) => {
    const [mine, theirs] = [await conversationOf(api, await api.actor('buyer')), await conversationOf(api, await api.actor('buyer'))];
    for (const { path, buyer } of [mine, mine, theirs, theirs]) expect((await api.post(path, buyer, { text: 'Is it still available?' })).status).toBe(201);
    return { path: mine.path, as: mine.buyer, otherPath: theirs.path, otherAs: theirs.buyer };
  },
  'GET /v1/admin/conversations': async (api) => {
    const admin = await api.actor('admin');
    const waiting = [await conversationOf(api, await api.actor('buyer')), await conversationOf(api, await api.actor('buyer'))];
    for (const { path, buyer } of waiting) expect((await api.post(path, buyer, { text: 'Hello, anyone there?' })).status).toBe(201);
    // The seller has not answered for a day: the buyers may ask support.
    await api.moveClock('PT25H');
    for (const { path, buyer } of waiting) expect((await api.post(path.replace(/messages$/, 'escalate'), buyer)).status).toBe(200);
    await api.resetClock();
    // The admin's other list: the messages of one of those conversations.
    return { path: '/v1/admin/conversations?escalated=true', as: admin, otherPath: waiting[0]?.path ?? '', otherAs: admin };
  },
  'GET /v1/sellers/{sellerId}/reviews': async (api) => {
    const [mine, theirs] = [await api.sellerWithListing(), await api.sellerWithListing()];
    for (const listing of [mine, mine, theirs, theirs]) await reviewedPurchase(api, listing.seller, listing.productId, await api.actor('buyer'));
    await api.drainQueues();
    return { path: `/v1/sellers/${mine.seller.userId}/reviews`, otherPath: `/v1/sellers/${theirs.seller.userId}/reviews` };
  },
  'GET /v1/admin/sellers': async (api) => {
    for (const seller of [await api.actor('seller'), await api.actor('seller')]) {
      expect((await api.put('/v1/sellers/me', seller, { storeName: `Store ${seller.userId}`.slice(0, 80), country: 'US' })).status).toBe(200);
      const document = await api.upload(seller, PNG_BYTES, { purpose: 'kyc-document' });
      expect((await api.post('/v1/sellers/me/verification', seller, { legalName: 'Sam Seller', documents: [document] })).status).toBe(202);
    }
    const admin = await api.actor('admin');
    return { path: '/v1/admin/sellers?verification=PENDING', as: admin, otherPath: '/v1/admin/products?status=NEEDS_HUMAN', otherAs: admin };
  },
  'GET /v1/admin/refunds': async (api) => {
    // Two cancellations whose refunds the provider fails on every attempt: FAILED after four, in the admins' queue.
    for (const placed of [await api.placedOrder(), await api.placedOrder()]) {
      expect((await api.post(`/v1/orders/${placed.orderId}/cancel`, placed.buyer, { reason: 'changed my mind' })).status).toBe(200);
    }
    const failNext = async (count: number) => expect((await api.request('POST', '/local/payments/failures', { body: { count } })).status).toBe(200);
    await failNext(1000);
    await api.runJob('timers');
    for (const backoff of ['PT1H1M', 'PT4H1M', 'PT16H1M']) {
      await api.moveClock(backoff);
      await api.runJob('timers');
    }
    await failNext(0);
    await api.resetClock();
    const admin = await api.actor('admin');
    // The admin's other list: the identity verifications waiting for a decision.
    return { path: '/v1/admin/refunds?status=FAILED', as: admin, otherPath: '/v1/admin/sellers?verification=PENDING', otherAs: admin };
  },
  'GET /v1/me/notifications': async (api) => {
    // Each shipment tells its buyer: two notifications in each inbox.
    const [mine, theirs] = [await api.actor('buyer'), await api.actor('buyer')];
    for (const buyer of [mine, mine, theirs, theirs]) {
      const { seller, productId } = await api.sellerWithListing();
      const { orderId } = (await api.post<{ orderId: string }>('/v1/orders', buyer, anOrder(productId))).body;
      expect((await api.post(`/v1/orders/${orderId}/shipment`, seller, aShipment())).status).toBe(200);
    }
    return { path: '/v1/me/notifications', as: mine, otherPath: '/v1/me/notifications', otherAs: theirs };
  },
  'GET /v1/sellers/me/balance': async (api) => {
    // Two orders from one listing confirmed received: two RELEASE credits on the seller's balance.
    const { seller, productId } = await api.sellerWithListing();
    for (const buyer of [await api.actor('buyer'), await api.actor('buyer')]) {
      const { orderId } = (await api.post<{ orderId: string }>('/v1/orders', buyer, anOrder(productId))).body;
      expect((await api.post(`/v1/orders/${orderId}/shipment`, seller, aShipment())).status).toBe(200);
      expect((await api.post(`/v1/orders/${orderId}/confirm-receipt`, buyer)).status).toBe(200);
    }
    // The seller's other list: the inbox the shipments' and confirmations' notifications landed in.
    return { path: '/v1/sellers/me/balance', as: seller, otherPath: '/v1/me/notifications', otherAs: seller };
  },
  'GET /v1/me/webhook/deliveries': async (api) => {
    // A seller's webhook at a loopback port nobody listens on (the local host allows loopback): each of the
    // buyer's two messages tells the seller, and each delivery is attempted, refused, and listed.
    const { seller, productId } = await api.sellerWithListing();
    const port = await closedPort();
    expect((await api.put('/v1/me/webhook', seller, { url: `http://127.0.0.1:${port}/hooks` })).status).toBe(200);
    const buyer = await api.actor('buyer');
    const started = await api.post<{ conversationId: string }>('/v1/conversations', buyer, { sellerId: seller.userId, productId });
    expect(started.status, started.text).toBe(201);
    for (const text of ['Is it still available?', 'Does it come with a charger?']) {
      expect((await api.post(`/v1/conversations/${started.body.conversationId}/messages`, buyer, { text, attachments: [] })).status).toBe(201);
    }
    await api.drainQueues();
    // The seller's other list: the inbox those notifications landed in.
    return { path: '/v1/me/webhook/deliveries', as: seller, otherPath: '/v1/me/notifications', otherAs: seller };
  },
  'GET /v1/admin/products': async (api) => {
    const seller = await api.verifiedSeller();
    // A protected brand in the title: the listing-review worker leaves the decision to a person.
    for (const title of ['Sony wireless headphones, black', 'Sony wireless headphones, white']) {
      const created = await api.post('/v1/products', seller, aListing({ title, category: 'audio', images: [await api.listingImage(seller)] }));
      expect(created.status, created.text).toBe(201);
    }
    await api.drainQueues();
    const admin = await api.actor('admin');
    return { path: '/v1/admin/products?status=NEEDS_HUMAN', as: admin, otherPath: '/v1/admin/sellers?verification=PENDING', otherAs: admin };
  },
};

/** A loopback port that refuses connections: one the system handed out and that was closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A conversation the buyer started about a new listing: the buyer and its messages path. */
async function conversationOf(api: Api, buyer: Actor): Promise<{ buyer: Actor; path: string }> {
  const { seller, productId } = await api.sellerWithListing();
  const started = await api.post<{ conversationId: string }>('/v1/conversations', buyer, { sellerId: seller.userId, productId });
  expect(started.status, started.text).toBe(201);
  return { buyer, path: `/v1/conversations/${started.body.conversationId}/messages` };
}

/** A completed purchase of the listing by the buyer, reviewed (moderation still to run). */
async function reviewedPurchase(api: Api, seller: Actor, productId: string, buyer: Actor, overrides: Record<string, unknown> = {}): Promise<void> {
  const { orderId } = (await api.post<{ orderId: string }>('/v1/orders', buyer, anOrder(productId))).body;
  expect((await api.post(`/v1/orders/${orderId}/shipment`, seller, aShipment())).status).toBe(200);
  expect((await api.post(`/v1/orders/${orderId}/confirm-receipt`, buyer)).status).toBe(200);
  const review = await api.post(`/v1/orders/${orderId}/reviews`, buyer, aReview(productId, overrides));
  expect(review.status, review.text).toBe(201);
}
const flip = (text: string, at: number): string => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);

const pagedRoutes = queryRoutes.filter((route) => 'cursor' in shapeOf(route.spec.query));
for (const route of pagedRoutes.filter((candidate) => !listFixtures[candidate.key])) it.todo(`tampers with a real cursor of ${route.key} (add it to listFixtures)`);

for (const route of pagedRoutes.filter((candidate) => listFixtures[candidate.key])) describe(`${route.key} keeps its cursors tamper-proof`, () => {
  let list: ListFixture;
  let cursor: string;
  beforeAll(async () => {
    const fixture = listFixtures[route.key] ?? expect.unreachable();
    list = await fixture(local.api);
    const first = await local.api.request<{ nextCursor: string | null }>('GET', `${list.path}${list.path.includes('?') ? '&' : '?'}limit=1`, { as: list.as });
    expect(first.status, first.text).toBe(200);
    expect(first.body.nextCursor, 'the fixture must fill more than one page of limit=1').toEqual(expect.any(String));
    cursor = String(first.body.nextCursor);
  });
  const page = (path: string, as: Actor | undefined, next: string) => local.api.request<Problem>('GET', `${path}${path.includes('?') ? '&' : '?'}limit=1&cursor=${encodeURIComponent(next)}`, { as });

  it('reads the next page with the untouched cursor', async () => {
    expect((await page(list.path, list.as, cursor)).status).toBe(200);
  });

  it('answers 400 INVALID_CURSOR to the cursor with one character flipped (payload or signature)', async () => {
    for (const at of [0, cursor.indexOf('.') + 5]) expectProblem(await page(list.path, list.as, flip(cursor, at)), 400, 'INVALID_CURSOR');
  });

  it("answers 400 INVALID_CURSOR to the cursor used on another user's list", async () => {
    expectProblem(await page(list.otherPath, list.otherAs, cursor), 400, 'INVALID_CURSOR');
  });
});

for (const route of allRoutes.filter((candidate) => candidate.spec.idempotent)) describe(`${route.key} checks its Idempotency-Key`, () => {
  it.each([
    ['256 characters long', 'k'.repeat(256)],
    ['empty', ''],
  ])('answers 400 naming header.idempotency-key when the key is %s', async (_, key) => {
    expectFieldError(await send(route, { headers: { 'idempotency-key': key } }), 'header.idempotency-key');
  });
});

describe('a rejected write leaves nothing behind', () => {
  const rejectedVariants = (valid: Json, idempotent: boolean): [SendOptions, number][] => [
    [{ rawBody: '{"a":' }, 400],
    [{ rawBody: '[]' }, 400],
    [{ body: { ...valid, [Object.keys(valid)[0] ?? 'x']: undefined } }, 400],
    [{ body: { ...valid, [Object.keys(valid)[0] ?? 'x']: 12345 } }, 400],
    [{ body: { ...valid, extra: 1 } }, 400],
    [{ rawBody: `{"__proto__":{"polluted":true},${JSON.stringify(valid).slice(1)}` }, 400],
    [{ rawBody: JSON.stringify(valid), headers: { 'content-type': 'text/plain' } }, 415],
    [{ body: { ...valid, padding: 'x'.repeat(MAX_BODY_BYTES) } }, 413],
    ...(idempotent ? [[{ body: valid, headers: { 'idempotency-key': 'k'.repeat(256) } }, 400] as [SendOptions, number]] : []),
  ];

  it('places no order, and counts none for the store, after rejected POST /v1/orders', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const buyer = await api.actor('buyer');
    const valid = anOrder(productId);
    const quantityZero: [SendOptions, number] = [{ body: { ...valid, items: [{ productId, quantity: 0 }] } }, 400];
    const sameProductTwice: [SendOptions, number] = [{ body: { ...valid, items: [{ productId, quantity: 1 }, { productId, quantity: 2 }] } }, 400];
    for (const [options, status] of [...rejectedVariants(valid, true), quantityZero, sameProductTwice]) {
      expectProblem(await api.request<Problem>('POST', '/v1/orders', { as: buyer, ...options }), status);
    }
    expect((await api.get<{ items: unknown[] }>('/v1/orders', buyer)).body.items).toEqual([]);
    expect((await api.get<{ items: unknown[] }>('/v1/orders', seller)).body.items).toEqual([]);
    expect((await api.get<{ stats: { ordersPlaced: number } }>('/v1/sellers/me', seller)).body.stats.ordersPlaced).toBe(0);
    // Control: the same request, valid, goes through — the refusals above were about the input alone.
    expect((await api.post('/v1/orders', buyer, valid)).status).toBe(201);
    expect((await api.get<{ items: unknown[] }>('/v1/orders', buyer)).body.items).toHaveLength(1);
  });

  it('leaves the order AWAITING_SHIPMENT, with one HOLD, after rejected POST /v1/orders/{orderId}/shipment', async () => {
    const { api } = local;
    const { seller, buyer, orderId } = await api.placedOrder();
    const valid = aShipment(inAMonth());
    const inThePast: [SendOptions, number] = [{ body: { ...valid, estimatedDeliveryAt: '2001-01-01T00:00:00.000Z' } }, 400];
    for (const [options, status] of [...rejectedVariants(valid, false), inThePast]) {
      expectProblem(await api.request<Problem>('POST', `/v1/orders/${orderId}/shipment`, { as: seller, ...options }), status);
    }
    const order = await api.get<{ status: string; shipment: unknown; protectionEndsAt: unknown }>(`/v1/orders/${orderId}`, buyer);
    expect(order.body).toMatchObject({ status: 'AWAITING_SHIPMENT', shipment: null, protectionEndsAt: null });
    expect((await api.get<{ items: { type: string }[] }>(`/v1/orders/${orderId}/ledger`, buyer)).body.items.map((entry) => entry.type)).toEqual(['HOLD']);
    expect((await api.get<{ stats: { shipments: number } }>('/v1/sellers/me', seller)).body.stats.shipments).toBe(0);
    expect((await api.post<{ status: string }>(`/v1/orders/${orderId}/shipment`, seller, valid)).body.status).toBe('SHIPPED');
  });
});
