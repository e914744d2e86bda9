/**
 * What a million API requests cost at AWS list prices, for a stated request mix, built from the
 * request units each operation consumed in this run (bench/dynamo-costs.ts and friends, counted by
 * bench/recorder.ts with index writes), next to a plain reference endpoint.
 *
 * Prices: AWS public list prices, us-east-1, as published on the AWS pricing pages on 2025-06-01 (the
 * DynamoDB on-demand prices are those in force since the 2024-11-01 reduction); not re-read since.
 *   - DynamoDB on-demand: $0.625 per million write request units, $0.125 per million read request units
 *     (https://aws.amazon.com/dynamodb/pricing/on-demand/); global secondary index writes are billed as
 *     write request units too.
 *   - API Gateway HTTP API: $1.00 per million requests (first 300 million a month; each 512 KB of a
 *     request counts as one) (https://aws.amazon.com/api-gateway/pricing/).
 *   - Lambda: $0.20 per million requests; $0.0000133334 per GB-second on Arm (first 7.5 billion
 *     GB-seconds a month) (https://aws.amazon.com/lambda/pricing/).
 * Free tiers, data transfer, CloudWatch logs and metrics, X-Ray, S3, SQS and the asynchronous work a
 * request starts (moderation worker, case files, timer sweeps) are left out, for ours and the reference
 * alike.
 */
import { DEFAULT_MEMORY_MB } from '../../lib/constructs/manifest-function.js';
import type { CostRow } from './dynamo-costs.js';
import { fmt, table, type Section } from './report.js';

export const PRICES = {
  region: 'us-east-1',
  asOf: '2025-06-01',
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  httpApiRequest: 1.0 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecondArm: 0.0000133334,
} as const;

/**
 * Lambda time billed per request, stated rather than measured (the local host is not Lambda): a warm
 * invocation doing one to three DynamoDB round trips of a few milliseconds each, at the manifest's
 * default memory on Arm (lib/constructs/manifest-function.ts). The reference is billed the same.
 */
export const LAMBDA = { memoryMb: DEFAULT_MEMORY_MB, billedMs: 25 } as const;

/** The request mix: a marketplace's after-sale traffic, reads first. Shares in percent, summing to 100. */
export const MIX: readonly { label: string; share: number }[] = [
  { label: 'get order', share: 20 },
  { label: 'get listing (public)', share: 13 },
  { label: 'list my orders, page (buyer)', share: 10 },
  { label: "product's reviews, page (newest)", share: 10 },
  { label: 'tracking list', share: 5 },
  { label: 'place order', share: 10 },
  { label: 'ship', share: 8 },
  { label: 'confirm receipt', share: 8 },
  { label: 'add tracking event', share: 7 },
  { label: 'write review', share: 4 },
  { label: 'vote helpful', share: 3 },
  { label: 'open dispute', share: 1 },
  { label: 'get dispute (with timeline)', share: 1 },
];

export interface Units {
  read: number;
  write: number;
  indexWrite: number;
}

/** Dollars per million requests, by what is billed. */
export interface CostPerMillion {
  dynamoDb: number;
  httpApi: number;
  lambdaRequests: number;
  lambdaDuration: number;
  total: number;
}

/** The plain reference: one strongly consistent read of ≤ 4 KB and one write of ≤ 1 KB to a table without indexes. */
export const REFERENCE_UNITS: Units = { read: 1, write: 1, indexWrite: 0 };

export function costPerMillion(units: Units, lambda: { memoryMb: number; billedMs: number } = LAMBDA): CostPerMillion {
  const million = 1e6;
  const dynamoDb = million * ((units.write + units.indexWrite) * PRICES.dynamoWriteUnit + units.read * PRICES.dynamoReadUnit);
  const httpApi = million * PRICES.httpApiRequest;
  const lambdaRequests = million * PRICES.lambdaRequest;
  const lambdaDuration = million * (lambda.memoryMb / 1024) * (lambda.billedMs / 1000) * PRICES.lambdaGbSecondArm;
  return { dynamoDb, httpApi, lambdaRequests, lambdaDuration, total: dynamoDb + httpApi + lambdaRequests + lambdaDuration };
}

/** The mix's average units per request; throws when an operation of the mix was not measured or not counted. */
export function mixUnits(rows: readonly Pick<CostRow, 'label' | 'summary'>[], mix: readonly { label: string; share: number }[] = MIX): Units {
  const totalShare = mix.reduce((sum, entry) => sum + entry.share, 0);
  if (Math.abs(totalShare - 100) > 1e-9) throw new Error(`the request mix sums to ${totalShare} %, not 100 %`);
  return mix.reduce<Units>(
    (sum, entry) => {
      const units = rows.find((row) => row.label === entry.label)?.summary.units;
      if (!units) throw new Error(`the request mix names "${entry.label}", which this run did not measure with units`);
      const weight = entry.share / 100;
      return { read: sum.read + weight * units.read, write: sum.write + weight * units.write, indexWrite: sum.indexWrite + weight * units.indexWrite };
    },
    { read: 0, write: 0, indexWrite: 0 },
  );
}

const usd = (value: number): string => `$${value.toFixed(value < 0.1 ? 3 : 2)}`;
/** A list price as published, e.g. $0.625. */
const price = (perMillion: number): string => `$${perMillion.toFixed(Number.isInteger(perMillion * 100) ? 2 : 3)}`;

export function costPerMillionSection(rows: readonly CostRow[]): Section {
  const mixRows = MIX.map((entry) => {
    const units = rows.find((row) => row.label === entry.label)?.summary.units;
    const dynamo = units ? costPerMillion(units).dynamoDb : Number.NaN;
    return [entry.label, `${entry.share} %`, units ? fmt(units.read) : '—', units ? fmt(units.write) : '—', units ? fmt(units.indexWrite) : '—', units ? usd(dynamo) : 'not measured'];
  });
  let ours: CostPerMillion | undefined;
  let average: Units | undefined;
  let failure: string | undefined;
  try {
    average = mixUnits(rows);
    ours = costPerMillion(average);
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  }
  const reference = costPerMillion(REFERENCE_UNITS);
  const line = (name: string, pick: (cost: CostPerMillion) => number) => [name, ours ? usd(pick(ours)) : '—', usd(pick(reference))];
  return {
    title: 'Cost per million requests (AWS list prices)',
    body: [
      `The request mix, with the request units each operation consumed in this run (per request; index writes worked out by bench/recorder.ts, since the local engine does not report them), and what DynamoDB alone costs per million of that operation:`,
      table(['operation', 'share', 'read units', 'write units', 'index write units', 'DynamoDB per million'], mixRows, ['l', 'r', 'r', 'r', 'r', 'r']),
      table(
        ['per million requests', `this mix${average ? ` (${fmt(average.read, 2)} read, ${fmt(average.write, 2)} write, ${fmt(average.indexWrite, 2)} index write units per request)` : ''}`, 'reference: one read, one write'],
        [
          line('DynamoDB on-demand', (cost) => cost.dynamoDb),
          line('HTTP API requests', (cost) => cost.httpApi),
          line('Lambda requests', (cost) => cost.lambdaRequests),
          line(`Lambda duration (${LAMBDA.memoryMb} MB Arm, ${LAMBDA.billedMs} ms billed)`, (cost) => cost.lambdaDuration),
          line('**total**', (cost) => cost.total),
        ],
        ['l', 'r', 'r'],
      ),
      [
        `AWS list prices, ${PRICES.region}, as published on ${PRICES.asOf} (scripts/bench/cost.ts names the pages): DynamoDB on-demand ${price(PRICES.dynamoWriteUnit * 1e6)} per million write and ${price(PRICES.dynamoReadUnit * 1e6)} per million read request units, HTTP API ${price(PRICES.httpApiRequest * 1e6)} per million requests, Lambda ${price(PRICES.lambdaRequest * 1e6)} per million requests and $${PRICES.lambdaGbSecondArm} per GB-second on Arm. Free tiers, logs, tracing, S3, SQS and the asynchronous work a request starts (moderation, case files, timer sweeps) are left out of both columns.`,
        'The reference is a Lambda function behind an HTTP API doing one strongly consistent read (≤ 4 KB) and one write (≤ 1 KB) to a table without indexes, billed the same Lambda time. Units are as the local engines count them (transactions double, reads by 4 KB, writes by 1 KB); index writes: one per index an item enters, changes in or leaves (two when its index key changes), 1 unit per KB.',
        ...(failure ? [`Not computed: ${failure}.`] : []),
      ].join('\n'),
    ],
  };
}
