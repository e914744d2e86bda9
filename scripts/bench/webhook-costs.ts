/**
 * Calls per request of the signed carrier webhooks (`POST /v1/carrier-events/{carrier}` and AfterShip's),
 * signed here as the carrier signs (its local secret, the platform clock's time), for an event that
 * matches an order's shipment, the same event delivered again, an event naming no shipment of ours, and a
 * batch of matched events (so the cost per event shows: the batch's one read of the tracking numbers,
 * then per event the order's read and its one transaction with the event's dedupe record).
 * Derived targets (`*`): the tracking numbers' one read, plus per matched (or duplicate) event its
 * deciding read and its one write; a duplicate's write is the transaction its dedupe guard refuses.
 */
import { fileURLToPath } from 'node:url';
import { startLocalHost, type LocalHost } from '../../lib/local/host.js';
import type { RouteKey } from '../../lib/manifest.js';
import { carrierSecret, carrierSignatureHeaders } from '../../lambdas/platform/carriers.js';
import { clock } from '../../lambdas/platform/clock.js';
import { ownFormatCarriers, type CarrierSlug } from '../../lambdas/platform/config.js';
import { aShipment, BenchClient, uniqueId, type Actor } from './client.js';
import { costProbes, costSection, type CostRow } from './dynamo-costs.js';
import { countUnits } from './recorder.js';
import { renderSection } from './report.js';

/** The webhook's answer, in the contract's field order. */
interface Received {
  matched: number;
  unmatched: number;
  duplicates: number;
}

/** Events in the batch row: enough to show the per-event cost apart from the batch's one read. */
const BATCH = 5;

/** The calls a batch costs with `found` events naming a shipment (matched or duplicate): one read of the tracking numbers, then a read and a write each. */
export const carrierBatchCalls = (found: number): number => 1 + 2 * found;

export async function measureWebhookCosts(_host: LocalHost, client: BenchClient): Promise<CostRow[]> {
  const { rows, run } = costProbes(client);
  const carrier = ownFormatCarriers[0] as CarrierSlug;
  const { seller, productId } = await client.sellerWithListing();
  const buyer = await client.actor('buyer');
  const shippedTo = async (as: Actor): Promise<string> => {
    const orderId = await client.placeOrder(as, productId);
    const shipment = aShipment();
    await client.expect(200, 'POST', `/v1/orders/${orderId}/shipment`, { as: seller, body: shipment });
    return shipment.trackingNumber;
  };
  const inTransit = (trackingNumber: string) => ({ eventId: uniqueId('evt'), trackingNumber, status: 'IN_TRANSIT', occurredAt: clock.nowIso(), location: 'Memphis, TN' });
  // Signed like the carrier: the body as sent, its secret (read once here, as the function reads it once per cold start).
  const signed = async (slug: CarrierSlug, body: unknown) => ({ body, headers: carrierSignatureHeaders(slug, JSON.stringify(body), await carrierSecret(slug), Math.floor(clock.now().getTime() / 1000)) });
  // Each row checks the webhook's answer, so a row never measures another path than its label says.
  const post = async (label: string, route: RouteKey, path: string, slug: CarrierSlug, body: unknown, expected: Received) => {
    const reply = await run({ label, route, maxCalls: carrierBatchCalls(expected.matched + expected.duplicates), status: 202, path, options: await signed(slug, body) });
    if (JSON.stringify(reply.body) !== JSON.stringify(expected)) throw new Error(`${label}: expected ${JSON.stringify(expected)}, got ${reply.text}`);
  };
  const own = (label: string, events: unknown[], expected: Received) => post(label, 'POST /v1/carrier-events/{carrier}', `/v1/carrier-events/${carrier}`, carrier, { events }, expected);

  const matched = { events: [inTransit(await shippedTo(buyer))] };
  await own('carrier event, matched (an order shipment)', matched.events, { matched: 1, unmatched: 0, duplicates: 0 });
  await own('carrier event, duplicate (sent again)', matched.events, { matched: 0, unmatched: 0, duplicates: 1 });
  await own('carrier event, unmatched (no shipment of ours)', [inTransit(`ZZ${uniqueId('').replace(/[^A-Za-z0-9]/g, '').toUpperCase()}`)], { matched: 0, unmatched: 1, duplicates: 0 });
  const numbers: string[] = [];
  for (let index = 0; index < BATCH; index++) numbers.push(await shippedTo(buyer));
  await own(`carrier events, a batch of ${BATCH} matched`, numbers.map(inTransit), { matched: BATCH, unmatched: 0, duplicates: 0 });

  const afterShip = {
    event: 'tracking_update',
    event_id: uniqueId('as-evt'),
    ts: Math.floor(clock.now().getTime() / 1000),
    msg: { tracking_number: await shippedTo(buyer), tag: 'InTransit', slug: 'ups', updated_at: clock.nowIso(), checkpoints: [{ checkpoint_time: clock.nowIso(), location: 'Memphis, TN', tag: 'InTransit' }] },
  };
  await post("AfterShip's webhook, matched", 'POST /v1/carrier-events/aftership', '/v1/carrier-events/aftership', 'aftership', afterShip, { matched: 1, unmatched: 0, duplicates: 0 });
  return rows;
}

/** `npx tsx scripts/bench/webhook-costs.ts`: this section's rows alone. */
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const host = await startLocalHost();
  try {
    countUnits(true);
    const rows = await measureWebhookCosts(host, new BenchClient(host));
    countUnits(false);
    process.stdout.write(`${renderSection(costSection(rows))}\n`);
  } finally {
    await host.stop();
  }
}
