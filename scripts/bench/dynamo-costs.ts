/**
 * DynamoDB calls and consumed capacity per manifest route, one request at a time through the local host
 * over HTTP, counted by the SDK middleware (see recorder.ts). This module measures the sellers, listings
 * and orders routes and renders the table; review-costs.ts and dispute-costs.ts add their routes' rows
 * through the same probe runner.
 *
 * Targets: "each read is one call; each state change is one transaction". The issue names some (place
 * order ≤ 2, confirm ≤ 2, get order 1, list orders 1 per page, a product's review page 1 Query + at most
 * one batch read); the others are derived from the rule: a read is 1 call, a state change is at most the
 * read(s) that decide it plus its one write.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startLocalHost } from '../../lib/local/host.js';
import { functions, routes, type RouteKey, type RouteSpec } from '../../lib/manifest.js';
import { clock } from '../../lambdas/platform/clock.js';
import { counterShards } from '../../lambdas/store/sharded-counter.js';
import { anOrder, aShipment, BenchClient, PNG_BYTES, stringField, type Actor, type Reply, type RequestOptions } from './client.js';
import { countUnits, describeOperations, recorded, type CallSummary } from './recorder.js';
import { fmt, okMark, renderSection, table, type Section } from './report.js';

/** A dispute action's derived target: its one transaction plus the two reads that decide it (dispute, then order). */
export const DISPUTE_ACTION_CALLS = 3;

/** A state change on an existing dispute (the routes held to DISPUTE_ACTION_CALLS). */
export const isDisputeAction = (row: Pick<CostRow, 'route'>): boolean => row.route.startsWith('POST ') && row.route.includes('/disputes/{disputeId}/');

export interface CostRow {
  label: string;
  route: RouteKey;
  summary: CallSummary;
  maxCalls: number;
  /** Where the target comes from. */
  targetSource: 'issue' | 'derived';
  ok: boolean;
}

export interface Probe {
  label: string;
  route: RouteKey;
  maxCalls: number;
  targetSource?: 'issue' | 'derived';
  status: number;
  path: string;
  options?: RequestOptions;
}

async function probe(client: BenchClient, spec: Probe): Promise<{ row: CostRow; reply: Reply }> {
  const method = spec.route.split(' ')[0] as string;
  const { result: reply, summary } = await recorded(() => client.expect(spec.status, method, spec.path, spec.options));
  const row: CostRow = {
    label: spec.label,
    route: spec.route,
    summary,
    maxCalls: spec.maxCalls,
    targetSource: spec.targetSource ?? 'derived',
    ok: summary.calls <= spec.maxCalls,
  };
  return { row, reply };
}

/** Runs probes one after another and keeps their rows. */
export interface CostProbes {
  rows: CostRow[];
  run(spec: Probe): Promise<Reply>;
}

export function costProbes(client: BenchClient): CostProbes {
  const rows: CostRow[] = [];
  return {
    rows,
    async run(spec) {
      const { row, reply } = await probe(client, spec);
      rows.push(row);
      return reply;
    },
  };
}

export async function measureRouteCosts(client: BenchClient): Promise<CostRow[]> {
  const { rows, run } = costProbes(client);

  // Operations: no table access at all.
  await run({ label: 'health', route: 'GET /v1/health', maxCalls: 0, status: 200, path: '/v1/health' });
  await run({ label: 'OpenAPI document', route: 'GET /v1/openapi.json', maxCalls: 0, status: 200, path: '/v1/openapi.json' });
  await run({ label: 'reference page', route: 'GET /docs', maxCalls: 0, status: 200, path: '/docs' });

  // Sellers and their identity verification.
  const seller: Actor = await client.actor('seller');
  const admin: Actor = await client.actor('admin');
  const profile = { storeName: `Store ${seller.userId}`.slice(0, 80), country: 'US' };
  await run({ label: 'save my shop profile', route: 'PUT /v1/sellers/me', maxCalls: 4, status: 200, path: '/v1/sellers/me', options: { as: seller, body: profile } });
  const document = await client.upload(seller, 'kyc-document', PNG_BYTES);
  await run({ label: 'submit identity verification', route: 'POST /v1/sellers/me/verification', maxCalls: 3, status: 202, path: '/v1/sellers/me/verification', options: { as: seller, body: { legalName: 'Bench Seller', documents: [document] } } });
  await run({ label: 'verification queue, page (admin)', route: 'GET /v1/admin/sellers', maxCalls: 1, status: 200, path: '/v1/admin/sellers?verification=PENDING&limit=20', options: { as: admin } });
  await run({ label: 'decide a verification (admin)', route: 'POST /v1/admin/sellers/{sellerId}/verification', maxCalls: 2, status: 200, path: `/v1/admin/sellers/${seller.userId}/verification`, options: { as: admin, body: { decision: 'APPROVE' } } });
  await run({ label: 'my shop profile + stats, verification, penalties', route: 'GET /v1/sellers/me', maxCalls: 3, status: 200, path: '/v1/sellers/me', options: { as: seller } });
  await run({ label: 'public seller profile with reputation and badges', route: 'GET /v1/sellers/{sellerId}', maxCalls: 1, status: 200, path: `/v1/sellers/${seller.userId}` });
  await run({ label: "a store's reviews, page (public)", route: 'GET /v1/sellers/{sellerId}/reviews', maxCalls: 1, status: 200, path: `/v1/sellers/${seller.userId}/reviews?limit=20` });

  // Products: submissions, decided by the listing-review worker between the probes (not counted here; see its own section).
  const created = await run({ label: 'create listing', route: 'POST /v1/products', maxCalls: 4, status: 201, path: '/v1/products', options: { as: seller, body: await client.listingBody(seller) } });
  const productId = stringField(created.body, 'productId');
  await client.host.drainQueues();
  await run({ label: 'edit listing', route: 'PUT /v1/products/{productId}', maxCalls: 3, status: 200, path: `/v1/products/${productId}`, options: { as: seller, body: await client.listingBody(seller) } });
  await client.host.drainQueues();
  await run({ label: 'get listing (public)', route: 'GET /v1/products/{productId}', maxCalls: 1, status: 200, path: `/v1/products/${productId}` });
  await run({ label: 'get listing (owner, signed in)', route: 'GET /v1/products/{productId}', maxCalls: 1, status: 200, path: `/v1/products/${productId}`, options: { as: seller } });
  // A page of listings and, batched, their rating shards: 1 Query + one BatchGetItem per 100 shard keys (decision 021).
  const listingPageCalls = 1 + Math.ceil((20 * counterShards()) / 100);
  await run({ label: "seller's listings, page (public)", route: 'GET /v1/sellers/{sellerId}/products', maxCalls: listingPageCalls, status: 200, path: `/v1/sellers/${seller.userId}/products?limit=20` });
  await run({ label: "seller's listings, page (owner)", route: 'GET /v1/sellers/{sellerId}/products', maxCalls: listingPageCalls, status: 200, path: `/v1/sellers/${seller.userId}/products?limit=20`, options: { as: seller } });
  const branded = await client.expect(201, 'POST', '/v1/products', { as: seller, body: await client.listingBody(seller, { title: 'Sony wireless headphones', category: 'audio' }) });
  await client.host.drainQueues();
  await run({ label: 'listings waiting for a person, page (admin)', route: 'GET /v1/admin/products', maxCalls: 1, status: 200, path: '/v1/admin/products?status=NEEDS_HUMAN&limit=20', options: { as: admin } });
  await run({ label: 'decide a listing (admin)', route: 'POST /v1/admin/products/{productId}/decision', maxCalls: 2, status: 200, path: `/v1/admin/products/${stringField(branded.body, 'productId')}/decision`, options: { as: admin, body: { decision: 'APPROVE' } } });
  const penalized = await client.seller();
  await run({ label: 'add penalty points (admin)', route: 'POST /v1/admin/sellers/{sellerId}/penalties', maxCalls: 3, status: 200, path: `/v1/admin/sellers/${penalized.userId}/penalties`, options: { as: admin, body: { points: 2, reason: 'Misleading photos' } } });

  // Orders.
  const buyer = await client.actor('buyer');
  // 2 calls: the simulated payment provider's binding is written in the order's transaction (Stripe adds an HTTPS call, no DynamoDB one).
  const placed = await run({ label: 'place order', route: 'POST /v1/orders', maxCalls: 2, targetSource: 'issue', status: 201, path: '/v1/orders', options: { as: buyer, body: anOrder(productId) } });
  const orderId = stringField(placed.body, 'orderId');
  const keyed = { as: buyer, body: anOrder(productId), headers: { 'idempotency-key': `bench-${orderId}` } };
  // The key record is read with the listings and written in the order's transaction: no extra call.
  const first = await run({ label: 'place order, with Idempotency-Key', route: 'POST /v1/orders', maxCalls: 2, targetSource: 'issue', status: 201, path: '/v1/orders', options: keyed });
  const replay = await run({ label: 'place order, idempotent replay', route: 'POST /v1/orders', maxCalls: 1, status: 201, path: '/v1/orders', options: keyed });
  if (stringField(replay.body, 'orderId') !== stringField(first.body, 'orderId')) throw new Error('the replay did not return the first order');
  const keyedOrderId = stringField(first.body, 'orderId');

  await run({ label: 'list my orders, page (buyer)', route: 'GET /v1/orders', maxCalls: 1, targetSource: 'issue', status: 200, path: '/v1/orders?limit=20', options: { as: buyer } });
  await run({ label: "list my shop's orders, page (seller)", route: 'GET /v1/orders', maxCalls: 1, targetSource: 'issue', status: 200, path: '/v1/orders?limit=20', options: { as: seller } });
  await run({ label: 'get order', route: 'GET /v1/orders/{orderId}', maxCalls: 1, targetSource: 'issue', status: 200, path: `/v1/orders/${orderId}`, options: { as: buyer } });
  await run({ label: 'cancel (buyer)', route: 'POST /v1/orders/{orderId}/cancel', maxCalls: 2, status: 200, path: `/v1/orders/${keyedOrderId}/cancel`, options: { as: buyer, body: { reason: 'changed my mind' } } });
  const third = await client.placeOrder(buyer, productId);
  await run({ label: 'cancel (seller)', route: 'POST /v1/orders/{orderId}/cancel', maxCalls: 2, status: 200, path: `/v1/orders/${third}/cancel`, options: { as: seller, body: { reason: 'out of stock' } } });

  await run({ label: 'ship', route: 'POST /v1/orders/{orderId}/shipment', maxCalls: 2, status: 200, path: `/v1/orders/${orderId}/shipment`, options: { as: seller, body: aShipment() } });
  const event = { status: 'IN_TRANSIT', location: 'Memphis, TN', occurredAt: clock.nowIso() };
  await run({ label: 'add tracking event', route: 'POST /v1/orders/{orderId}/tracking-events', maxCalls: 2, status: 201, path: `/v1/orders/${orderId}/tracking-events`, options: { as: seller, body: event } });
  await run({ label: 'tracking list', route: 'GET /v1/orders/{orderId}/tracking', maxCalls: 1, status: 200, path: `/v1/orders/${orderId}/tracking`, options: { as: buyer } });
  await run({ label: 'extend protection', route: 'POST /v1/orders/{orderId}/extend-protection', maxCalls: 2, status: 200, path: `/v1/orders/${orderId}/extend-protection`, options: { as: buyer } });
  await run({ label: 'confirm receipt', route: 'POST /v1/orders/{orderId}/confirm-receipt', maxCalls: 2, targetSource: 'issue', status: 200, path: `/v1/orders/${orderId}/confirm-receipt`, options: { as: buyer } });
  await run({ label: 'ledger', route: 'GET /v1/orders/{orderId}/ledger', maxCalls: 1, status: 200, path: `/v1/orders/${orderId}/ledger`, options: { as: buyer } });
  return rows;
}

export function costSection(rows: readonly CostRow[]): Section {
  const measured = new Set(rows.map((row) => row.route));
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const unmeasured = (Object.keys(routes) as RouteKey[]).filter((key) => !measured.has(key));
  const handlerExists = (key: RouteKey) => existsSync(`${root}${(functions as Record<string, { entry: string }>)[(routes[key] as RouteSpec).fn]?.entry ?? ''}`);
  const notBuilt = unmeasured.filter((key) => !handlerExists(key));
  const missing = unmeasured.filter((key) => handlerExists(key));
  const list = (keys: RouteKey[]) => (keys.length === 0 ? 'none' : keys.map((key) => `\`${key}\``).join(', '));
  const misses = rows.filter((row) => !row.ok);
  const actions = rows.filter(isDisputeAction);
  const rereads = actions.filter((row) => row.summary.calls > DISPUTE_ACTION_CALLS);
  return {
    title: 'DynamoDB calls and capacity per API operation',
    body: [
      table(
        ['operation', 'route', 'calls', 'by operation', 'capacity units', 'target (calls)', 'ok?'],
        rows.map((row) => [
          row.label,
          `\`${row.route}\``,
          row.summary.calls,
          describeOperations(row.summary.byOperation),
          fmt(row.summary.capacity),
          `${row.maxCalls === 0 ? '0' : row.maxCalls === 1 ? '1' : `≤ ${row.maxCalls}`}${row.targetSource === 'derived' ? ' *' : ''}`,
          okMark(row.ok),
        ]),
        ['l', 'l', 'r', 'l', 'r', 'l', 'l'],
      ),
      [
        'Targets without `*` are the issue\'s (a product\'s review page: "one Query plus at most one batch read", so ≤ 2); `*` marks targets derived from its rule ("each read is one call; each state change is one transaction", plus the read(s) that decide a change).',
        'Placing an order, opening a dispute, writing a review, starting a conversation and sending a message with an Idempotency-Key read the key\'s record with what the create reads anyway (one BatchGetItem) and write it in the create\'s own transaction (a replay is that one read); the other creates with a key (listing, upload) still claim and complete it around the handler, two single-item writes more. A review with a photo (and a dispute with evidence) adds the read that checks the named uploads are the caller\'s own, made for this purpose (BatchGetItem).',
        `Dispute actions (response, accept-offer, escalate, cancel, return-shipment, return-received, admin decision): the derived target is ≤ ${DISPUTE_ACTION_CALLS} * — the one transaction plus the two reads that decide it, the dispute with its timeline (one Query, which also gives the answer) and then its order (the order id is known only from the dispute, so the two cannot be one batch).${rereads.length > 0 ? ` ${rereads.length} of ${actions.length} make more calls than that.` : ''}`,
        'Listings (issue 10): creating one reads the verification (GetItem) and the penalty standing (Query) to refuse early with the rule\'s answer, then the named photo records (BatchGetItem), then writes one transaction (listing, verified / not-restricted / shop checks, upload claims, the review outbox timer) — 4 calls; an edit reads the listing instead of the two checks (3). A public read of a listing is one Query of its partition: a closed store\'s listings carry the closure\'s mark there (decision 025); a public shop\'s list adds one Query of the seller\'s standing (hidden store), the owner\'s does not. `GET /v1/sellers/me` reads the profile with its counters, the verification and the penalties in parallel (3).',
        'A failed conditional write is counted as a call with 0 units: DynamoDB bills it a write unit, but an error answer carries no ConsumedCapacity.',
        'dynalite charges the table only: on DynamoDB every write of an item that carries index keys (orders: GSI1 and GSI2; timers: GSI3; listings: GSI1, GSI2 once approved, GSI3 while waiting for a person; verifications: GSI1 while pending; reviews: GSI1, GSI2 once published, GSI3 while queued; public review projections: GSI1, GSI2 and GSI3; disputes: GSI1, GSI2, GSI3 while escalated) also costs write units in each index, so real write costs are higher than shown.',
        missing.length === 0 ? `Every manifest route is measured.${notBuilt.length > 0 ? ` Declared but without a handler file yet (not measurable): ${list(notBuilt)}.` : ''}` : `Routes this bench does not exercise: ${list(missing)}.${notBuilt.length > 0 ? ` Declared but without a handler file yet (not measurable): ${list(notBuilt)}.` : ''}`,
        misses.length === 0 ? 'Every measured operation meets its target.' : `Over target: ${misses.map((row) => `${row.label} (${row.summary.calls} calls, ${describeOperations(row.summary.byOperation)})`).join('; ')}.`,
      ].join('\n'),
    ],
  };
}

/** `npx tsx scripts/bench/dynamo-costs.ts`: the sellers, listings and orders rows alone (e.g. to re-measure placement). */
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const host = await startLocalHost();
  try {
    countUnits(true);
    const rows = await measureRouteCosts(new BenchClient(host));
    countUnits(false);
    process.stdout.write(`${renderSection(costSection(rows))}\n`);
  } finally {
    await host.stop();
  }
}
