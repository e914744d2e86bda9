/** The issue's targets, each with what this run measured and whether it holds. */
import type { BundleReport } from './bundles.js';
import type { CostRow } from './dynamo-costs.js';
import { kb, okMark, table, type Cell, type Section } from './report.js';
import { sweepChecks, type ScalingResult } from './scaling.js';
import { INIT_RATIO_LIMIT, SIZE_LIMIT_BYTES } from './bundles.js';

export function targetsSection(input: { costs: CostRow[]; bundles: BundleReport; scaling: ScalingResult }): Section {
  const rows: Cell[][] = [];
  const costRow = (target: string, label: string) => {
    const row = input.costs.find((candidate) => candidate.label === label);
    if (row) rows.push([target, `${row.summary.calls} call(s)`, okMark(row.ok)]);
  };
  costRow('place order ≤ 2 calls', 'place order');
  costRow('confirm receipt ≤ 2 calls', 'confirm receipt');
  costRow('get order: 1 call', 'get order');
  costRow('list orders: 1 call per page', 'list my orders, page (buyer)');

  const derivedMisses = input.costs.filter((row) => row.targetSource === 'derived' && !row.ok);
  rows.push([
    'every other read 1 call, every other change 1 transaction (+ its deciding read)',
    derivedMisses.length === 0 ? `all ${input.costs.length} operations within` : `over: ${derivedMisses.map((row) => `${row.label} (${row.summary.calls})`).join(', ')}`,
    okMark(derivedMisses.length === 0),
  ]);

  const hello = input.bundles.results.find((result) => result.name === 'hello world');
  const functions = input.bundles.results.filter((result) => result !== hello);
  const largest = functions.reduce((max, result) => Math.max(max, result.bytes), 0);
  const overSize = functions.filter((result) => result.bytes > SIZE_LIMIT_BYTES);
  const failed = input.bundles.failed.length > 0 ? `; ${input.bundles.failed.length} not measured (${input.bundles.failed.map((failure) => failure.name).join(', ')})` : '';
  rows.push(['bundle ≤ 500 KB', `${functions.length - overSize.length} of ${functions.length} within; largest ${kb(largest)}${failed}`, okMark(overSize.length === 0 && failed === '')]);
  const helloWall = hello?.wallMs ?? Number.NaN;
  const worstRatio = functions.reduce((max, result) => Math.max(max, result.wallMs / helloWall), 0);
  const overInit = functions.filter((result) => result.wallMs / helloWall > INIT_RATIO_LIMIT);
  rows.push([
    'cold init ≤ 1.5× hello world (process wall time)',
    `${functions.length - overInit.length} of ${functions.length} within${failed}; worst ${worstRatio.toFixed(2)}× (hello world imports in ${hello?.importMs.toFixed(1)} ms, the functions in ${Math.min(...functions.map((f) => f.importMs)).toFixed(0)}–${Math.max(...functions.map((f) => f.importMs)).toFixed(0)} ms)`,
    okMark(overInit.length === 0),
  ]);

  const checks = sweepChecks(input.scaling);
  const fired = input.scaling.sweeps.every((run) => run.firedTheDueOnes);
  rows.push([
    `timers sweep reads do not grow with not-due orders (0 vs ${input.scaling.notDue})`,
    `${checks.map((check) => `${check.queries.join(' vs ')} Query calls (${check.label.replace(/ \(.*$/, '')})`).join('; ')}${fired ? '' : '; unexpected timers fired'}`,
    okMark(checks.every((check) => check.ok) && fired),
  ]);
  const firstPages = input.scaling.lists.filter((run) => run.label.startsWith('buyer') && run.label.includes('first page'));
  const listCalls = new Set(firstPages.map((run) => run.summary.calls));
  rows.push([
    `list page cost independent of history (${firstPages.map((run) => run.ordersOwned).join(' vs ')} orders)`,
    `${[...listCalls].join(' vs ')} call(s); ${firstPages.map((run) => `${run.summary.capacity} units for ${run.items} items`).join(' vs ')}`,
    okMark(listCalls.size === 1),
  ]);

  return { title: 'Targets', body: [table(['target', 'measured', 'met?'], rows)] };
}
