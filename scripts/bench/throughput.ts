/**
 * Local throughput over HTTP on loopback: N concurrent clients, each in a bounded loop for a few
 * seconds, against the local host (gateway stand-in + real handlers + dynalite and the transaction
 * proxy, all in this one process, on the same cores as the clients). A regression catch for the code
 * path, not a statement about API Gateway, Lambda or DynamoDB.
 */
import { anOrder, mapLimit, type Actor, type BenchClient } from './client.js';
import { fmt, ms, percentile, table, type Section } from './report.js';

export interface ThroughputRun {
  label: string;
  clients: number;
  seconds: number;
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
}

interface Load {
  label: string;
  /** One request of client `index`; resolves to whether it got the expected answer. */
  request: (index: number) => Promise<boolean>;
}

/** Safety bound on each client's loop, whatever the duration. */
const MAX_REQUESTS_PER_CLIENT = 50_000;
const WARM_UP_REQUESTS_PER_CLIENT = 5;

async function drive(load: Load, clients: number, seconds: number): Promise<ThroughputRun> {
  await mapLimit(Array.from({ length: clients }, (_, index) => index), clients, async (index) => {
    for (let i = 0; i < WARM_UP_REQUESTS_PER_CLIENT; i++) await load.request(index);
  });
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await mapLimit(Array.from({ length: clients }, (_, index) => index), clients, async (index) => {
    for (let i = 0; i < MAX_REQUESTS_PER_CLIENT && performance.now() < deadline; i++) {
      const sent = performance.now();
      const ok = await load.request(index);
      latencies.push(performance.now() - sent);
      if (!ok) errors++;
    }
  });
  const elapsed = (performance.now() - started) / 1000;
  return { label: load.label, clients, seconds: elapsed, requests: latencies.length, errors, perSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

export async function measureThroughput(client: BenchClient, options: { clients: number; seconds: number }): Promise<ThroughputRun[]> {
  // Each client acts for its own buyer, and orders from its own store, as separate users would.
  const parties = await mapLimit(Array.from({ length: options.clients }), 4, async () => {
    const { productId } = await client.sellerWithListing();
    const buyer: Actor = await client.actor('buyer');
    return { buyer, productId, orderId: await client.placeOrder(buyer, productId) };
  });
  const party = (index: number) => parties[index] as (typeof parties)[number];

  const getOrder: Load = {
    label: '`GET /v1/orders/{orderId}`',
    request: async (index) => (await client.request('GET', `/v1/orders/${party(index).orderId}`, { as: party(index).buyer })).status === 200,
  };
  const placeOrder: Load = {
    label: '`POST /v1/orders`',
    request: async (index) => (await client.request('POST', '/v1/orders', { as: party(index).buyer, body: anOrder(party(index).productId) })).status === 201,
  };
  return [await drive(getOrder, options.clients, options.seconds), await drive(placeOrder, options.clients, options.seconds)];
}

export function throughputSection(runs: readonly ThroughputRun[]): Section {
  return {
    title: 'Local throughput over HTTP (regression catch, not AWS performance)',
    body: [
      table(
        ['route', 'concurrent clients', 'duration', 'requests', 'errors', 'requests/s', 'p50', 'p99'],
        runs.map((run) => [run.label, run.clients, `${fmt(run.seconds)} s`, run.requests, run.errors, fmt(run.perSecond, 0), ms(run.p50), ms(run.p99)]),
        ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
      'Clients, gateway stand-in, handlers, dynalite and the transaction proxy share one Node process and the same cores, over loopback. The transaction proxy applies one TransactWriteItems at a time, so `POST /v1/orders` measures that serialisation more than the handler. Compare these numbers only with earlier runs on the same machine.',
    ],
  };
}
