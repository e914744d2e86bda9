/**
 * Bundle size and cold init of every manifest function, next to two references built and measured the
 * same way in the same run: the DynamoDB floor (the DynamoDB client and lib-dynamodb's document client
 * with its commands, bundled alone: what any function of ours pays before its own code) and a
 * hello-world handler.
 *
 * Build: esbuild with the options CDK's NodejsFunction is given (lib/constructs/manifest-function.ts
 * `bundling`, translated to esbuild's API the way CDK translates it to esbuild's CLI), into .bench/.
 * Size is measured on a build without a source map; a second build with the source map CDK ships is
 * used for the "as deployed" init column (lib/api-stack.ts sets NODE_OPTIONS=--enable-source-maps).
 *
 * Cold init: a fresh `node` process per run, with an environment holding only PATH (no AWS settings,
 * no table name: importing must not need them), that takes performance.now() around
 * `await import(bundle)`; the parent also times the whole process, spawn to exit.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { functions } from '../../lib/manifest.js';
import { bundling } from '../../lib/constructs/manifest-function.js';
import { numberOption } from './client.js';
import { kb, median, ms, okMark, renderSection, table, type Section } from './report.js';

export const SIZE_LIMIT_BYTES = 300 * 1024;
/** A function's import time may be at most this many times the DynamoDB floor's. */
export const INIT_RATIO_LIMIT = 1.25;
export const HELLO = 'hello world';
export const FLOOR = 'DynamoDB floor';
const FLOOR_SOURCE = "export { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport * from '@aws-sdk/lib-dynamodb';\n";

export interface BundleResult {
  name: string;
  bytes: number;
  gzipBytes: number;
  mapBytes: number;
  largest: { pkg: string; bytes: number }[];
  importMs: number;
  /** CPU time (user + system, all threads) the import took: steadier than wall time on a shared machine. */
  importCpuMs: number;
  wallMs: number;
  deployedImportMs: number;
  deployedWallMs: number;
}

export interface BundleReport {
  results: BundleResult[];
  parts: BundleResult[];
  /** Manifest functions that could not be measured (entry missing, build or import failed), and why. */
  failed: { name: string; reason: string }[];
  runs: number;
  nodeVersion: string;
}

/** The BundlingOptions this translation understands; anything else set on `bundling` stops the benchmark. */
const TRANSLATED = new Set(['esbuildArgs', 'format', 'minify', 'sourceMap', 'target', 'mainFields', 'banner', 'footer', 'bundleAwsSDK', 'forceDockerBundling', 'externalModules', 'define', 'loader', 'keepNames', 'sourcesContent']);

/** `--alias:<package>` entries of esbuildArgs, as esbuild's `alias` option; any other argument stops the benchmark. */
function aliasesOf(args: BundlingOptions['esbuildArgs']): Pick<BuildOptions, 'alias'> {
  const entries = Object.entries(args ?? {});
  const other = entries.filter(([name]) => !name.startsWith('--alias:'));
  if (other.length > 0) throw new Error(`bench/bundles.ts does not mirror these esbuild arguments yet: ${other.map(([name]) => name).join(', ')}`);
  return entries.length === 0 ? {} : { alias: Object.fromEntries(entries.map(([name, value]) => [name.slice('--alias:'.length), String(value)])) };
}

export function esbuildOptionsOf(options: BundlingOptions, withSourceMap: boolean): BuildOptions {
  const unknown = Object.keys(options).filter((key) => !TRANSLATED.has(key));
  if (unknown.length > 0) throw new Error(`bench/bundles.ts does not mirror these bundling options yet: ${unknown.join(', ')}`);
  return {
    bundle: true,
    platform: 'node',
    format: options.format === OutputFormat.ESM ? 'esm' : 'cjs',
    target: options.target ?? 'node24',
    minify: options.minify ?? false,
    sourcemap: withSourceMap && options.sourceMap ? true : false,
    sourcesContent: options.sourcesContent ?? true,
    // CDK leaves @aws-sdk/* to the runtime unless told to bundle it.
    external: options.externalModules ?? (options.bundleAwsSDK ? [] : ['@aws-sdk/*']),
    ...(options.mainFields && { mainFields: [...options.mainFields] }),
    ...(options.banner && { banner: { js: options.banner } }),
    ...(options.footer && { footer: { js: options.footer } }),
    ...(options.define && { define: { ...options.define } }),
    ...(options.loader && { loader: Object.fromEntries(Object.entries(options.loader).map(([ext, loader]) => [ext, loader])) as BuildOptions['loader'] }),
    ...(options.keepNames && { keepNames: true }),
    ...aliasesOf(options.esbuildArgs),
    logLevel: 'warning',
    metafile: true,
  };
}

const packageOf = (input: string): string => {
  const match = /node_modules\/((?:@[^/]+)|[^/]+)/.exec(input.slice(input.lastIndexOf('node_modules/')));
  if (!match) return 'app code';
  return match[1]?.startsWith('@') ? `${match[1]}/*` : (match[1] ?? 'app code');
};

function largestPackages(metafile: Metafile): { pkg: string; bytes: number }[] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = packageOf(input);
      totals.set(pkg, (totals.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].map(([pkg, bytes]) => ({ pkg, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, 3);
}

interface Built {
  name: string;
  file: string;
  deployedFile: string;
  bytes: number;
  gzipBytes: number;
  mapBytes: number;
  largest: { pkg: string; bytes: number }[];
}

async function buildOne(root: string, outDir: string, name: string, entry: string): Promise<Built> {
  const dir = name.replaceAll(' ', '-');
  const file = join(outDir, 'size', dir, 'index.mjs');
  const deployedFile = join(outDir, 'deployed', dir, 'index.mjs');
  const sized = await build({ ...esbuildOptionsOf(bundling, false), entryPoints: [resolve(root, entry)], outfile: file, absWorkingDir: root });
  await build({ ...esbuildOptionsOf(bundling, true), entryPoints: [resolve(root, entry)], outfile: deployedFile, absWorkingDir: root });
  const code = readFileSync(file);
  let mapBytes = 0;
  try {
    mapBytes = readFileSync(`${deployedFile}.map`).length;
  } catch {
    mapBytes = 0;
  }
  return { name, file, deployedFile, bytes: code.length, gzipBytes: gzipSync(code).length, mapBytes, largest: largestPackages(sized.metafile ?? { inputs: {}, outputs: {} }) };
}

const PROBE = [
  'const cpu = process.cpuUsage();',
  'const started = performance.now();',
  'await import(process.argv[1]);',
  'const ready = performance.now();',
  'const used = process.cpuUsage(cpu);',
  'process.stdout.write(JSON.stringify({ importMs: ready - started, importCpuMs: (used.user + used.system) / 1000, version: process.version }));',
].join('\n');

interface Sample {
  importMs: number;
  importCpuMs: number;
  wallMs: number;
  version: string;
}

function coldStart(file: string, nodeOptions: string | undefined): Promise<Sample> {
  return new Promise((resolvePromise, reject) => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '' };
    if (nodeOptions) env.NODE_OPTIONS = nodeOptions;
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', PROBE, pathToFileURL(file).href], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`importing ${file} failed (exit ${code}): ${stderr.slice(0, 1000)}`));
      try {
        const parsed = JSON.parse(stdout) as { importMs: number; importCpuMs: number; version: string };
        resolvePromise({ importMs: parsed.importMs, importCpuMs: parsed.importCpuMs, wallMs, version: parsed.version });
      } catch {
        reject(new Error(`unexpected output importing ${file}: ${stdout.slice(0, 300)} ${stderr.slice(0, 300)}`));
      }
    });
  });
}

/** Single modules bundled alone, to show where a function's import time goes. */
const PARTS: { name: string; module: string }[] = [
  { name: 'the reviews routes with their zod/mini contract (lib/routes/reviews.ts)', module: 'lib/routes/reviews.ts' },
  { name: 'every route and contract, as the operations function holds them (lib/manifest.ts)', module: 'lib/manifest.ts' },
  { name: 'the middy stack with the logger (lambdas/platform/http.ts)', module: 'lambdas/platform/http.ts' },
  { name: 'the JSON logger (lambdas/platform/logger.ts)', module: 'lambdas/platform/logger.ts' },
  { name: 'the RS256 bearer verifier (lambdas/platform/bearer-tokens.ts)', module: 'lambdas/platform/bearer-tokens.ts' },
  { name: 'the SQS sender (lambdas/store/queue.ts)', module: 'lambdas/store/queue.ts' },
];

export async function measureBundles(root: string, options: { runs: number }): Promise<BundleReport> {
  const outDir = join(root, '.bench', 'bundles');
  rmSync(outDir, { recursive: true, force: true });
  const helloEntry = join(root, '.bench', 'entries', 'hello.mjs');
  mkdirSync(dirname(helloEntry), { recursive: true });
  writeFileSync(helloEntry, 'export const handler = async () => ({ statusCode: 200 });\n');
  const floorEntry = join(root, '.bench', 'entries', 'dynamodb-floor.mjs');
  writeFileSync(floorEntry, FLOOR_SOURCE);
  const partEntries = PARTS.map((part, index): [string, string] => {
    const entry = join(root, '.bench', 'entries', `part-${index}.ts`);
    writeFileSync(entry, `export * from '../../${part.module}';\n`);
    return [part.name, entry];
  });

  // A function that cannot be built or imported (work in progress elsewhere, or a real defect) is
  // reported with its reason instead of stopping the benchmark.
  const failed: { name: string; reason: string }[] = [];
  const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n').find((line) => line.trim() !== '')?.slice(0, 200) ?? 'unknown error';
  const tryBuild = async (name: string, dir: string, entry: string): Promise<Built | undefined> => {
    if (!existsSync(resolve(root, entry))) {
      failed.push({ name, reason: 'entry file missing' });
      return undefined;
    }
    try {
      const bundle = { ...(await buildOne(root, outDir, dir, entry)), name };
      await coldStart(bundle.file, undefined); // must import with no AWS settings; also warms the file cache
      return bundle;
    } catch (error) {
      failed.push({ name, reason: firstLine(error) });
      return undefined;
    }
  };
  const functionEntries: [string, string][] = [[HELLO, helloEntry], [FLOOR, floorEntry], ...Object.entries(functions as Record<string, { entry: string }>).map(([name, spec]): [string, string] => [name, spec.entry])];
  const built: Built[] = [];
  for (const [name, entry] of functionEntries) {
    const bundle = await tryBuild(name, name, entry);
    if (bundle) built.push(bundle);
  }
  for (const reference of [HELLO, FLOOR]) {
    if (!built.some((bundle) => bundle.name === reference)) throw new Error(`the ${reference} bundle failed: ${failed.find((failure) => failure.name === reference)?.reason}`);
  }
  const parts: Built[] = [];
  for (const [index, [name, entry]] of partEntries.entries()) {
    const part = await tryBuild(name, `part-${index}`, entry);
    if (part) parts.push(part);
  }

  // Round-robin, so that any drift of the machine during the runs touches every bundle alike.
  const samples = new Map<string, { plain: Sample[]; deployed: Sample[] }>([...built, ...parts].map((bundle) => [bundle.name, { plain: [], deployed: [] }]));
  for (let run = 0; run < options.runs; run++) {
    for (const bundle of built) {
      const entry = samples.get(bundle.name)!;
      entry.plain.push(await coldStart(bundle.file, undefined));
      entry.deployed.push(await coldStart(bundle.deployedFile, '--enable-source-maps'));
    }
    for (const part of parts) samples.get(part.name)!.plain.push(await coldStart(part.file, undefined));
  }
  const version = samples.get(HELLO)?.plain[0]?.version ?? 'unknown';
  if (!/^v(2[4-9]|[3-9]\d)\./.test(version)) throw new Error(`cold init ran on Node ${version}; the functions run on Node 24`);

  const resultOf = (bundle: Built): BundleResult => {
    const { plain, deployed } = samples.get(bundle.name)!;
    return {
      name: bundle.name,
      bytes: bundle.bytes,
      gzipBytes: bundle.gzipBytes,
      mapBytes: bundle.mapBytes,
      largest: bundle.largest,
      importMs: median(plain.map((sample) => sample.importMs)),
      importCpuMs: median(plain.map((sample) => sample.importCpuMs)),
      wallMs: median(plain.map((sample) => sample.wallMs)),
      deployedImportMs: deployed.length > 0 ? median(deployed.map((sample) => sample.importMs)) : Number.NaN,
      deployedWallMs: deployed.length > 0 ? median(deployed.map((sample) => sample.wallMs)) : Number.NaN,
    };
  };
  return { results: built.map(resultOf), parts: parts.map(resultOf), failed, runs: options.runs, nodeVersion: version };
}

/** The two bundle targets, as rows of the Targets table: [target, measured, met]. */
export function bundleTargetRows(report: BundleReport): [string, string, boolean][] {
  const floor = report.results.find((result) => result.name === FLOOR);
  const functions = report.results.filter((result) => result.name !== HELLO && result.name !== FLOOR);
  const largest = functions.reduce((max, result) => (result.bytes > max.bytes ? result : max), { name: '—', bytes: 0 });
  const overSize = functions.filter((result) => result.bytes > SIZE_LIMIT_BYTES);
  const failed = report.failed.length > 0 ? `; ${report.failed.length} not measured (${report.failed.map((failure) => failure.name).join(', ')})` : '';
  const ratio = (result: Pick<BundleResult, 'importMs'>) => result.importMs / (floor?.importMs ?? Number.NaN);
  const worst = functions.reduce<Pick<BundleResult, 'name' | 'importMs'>>((max, result) => (ratio(result) > ratio(max) ? result : max), { name: '—', importMs: 0 });
  const overInit = functions.filter((result) => !(ratio(result) <= INIT_RATIO_LIMIT));
  return [
    [`bundle ≤ ${SIZE_LIMIT_BYTES / 1024} KB`, `${functions.length - overSize.length} of ${functions.length} within; largest ${kb(largest.bytes)} (\`${largest.name}\`)${overSize.length > 0 ? `; over: ${overSize.map((result) => `\`${result.name}\` ${kb(result.bytes)}`).join(', ')}` : ''}${failed}`, overSize.length === 0 && failed === ''],
    [
      `cold import ≤ ${INIT_RATIO_LIMIT}× the DynamoDB floor's`,
      `${functions.length - overInit.length} of ${functions.length} within${failed}; worst ${ratio(worst).toFixed(2)}× (\`${worst.name}\`); the floor imports in ${ms(floor?.importMs ?? Number.NaN)}, the functions in ${Math.min(...functions.map((f) => f.importMs)).toFixed(0)}–${Math.max(...functions.map((f) => f.importMs)).toFixed(0)} ms${overInit.length > 0 ? `; over: ${overInit.map((result) => `\`${result.name}\` ${ratio(result).toFixed(2)}×`).join(', ')}` : ''}`,
      overInit.length === 0 && failed === '',
    ],
  ];
}

export function bundleSection(report: BundleReport): Section {
  const hello = report.results.find((result) => result.name === HELLO);
  const floor = report.results.find((result) => result.name === FLOOR);
  const helloWall = hello?.wallMs ?? Number.NaN;
  const floorImport = floor?.importMs ?? Number.NaN;
  const floorCpu = floor?.importCpuMs ?? Number.NaN;
  const isReference = (result: BundleResult) => result.name === HELLO || result.name === FLOOR;
  const rows = report.results.map((result) => {
    const ratio = result.importMs / floorImport;
    return [
      isReference(result) ? `_${result.name}_` : `\`${result.name}\``,
      kb(result.bytes),
      kb(result.gzipBytes),
      result.largest.map((entry) => `${entry.pkg} ${kb(entry.bytes)}`).join(', '),
      ms(result.importMs),
      result.name === HELLO ? '—' : `${ratio.toFixed(2)}×`,
      ms(result.importCpuMs),
      result.name === HELLO ? '—' : `${(result.importCpuMs / floorCpu).toFixed(2)}×`,
      ms(result.wallMs),
      `${(result.wallMs / helloWall).toFixed(2)}×`,
      ms(result.deployedImportMs),
      isReference(result) ? '—' : `${okMark(result.bytes <= SIZE_LIMIT_BYTES)} / ${okMark(ratio <= INIT_RATIO_LIMIT)}`,
    ];
  });
  const functionsOnly = report.results.filter((result) => !isReference(result));
  const [sizeRow, initRow] = bundleTargetRows(report);
  return {
    title: 'Bundle size and cold init per function',
    body: [
      table(
        ['bundle', 'size (minified, no map)', 'gzip', 'largest parts', 'import (median)', 'import vs floor', 'import CPU (median)', 'CPU vs floor', 'process wall (median)', 'wall vs hello', 'import as deployed (map + --enable-source-maps)', `ok? (≤ ${SIZE_LIMIT_BYTES / 1024} KB / ≤ ${INIT_RATIO_LIMIT}× floor)`],
        rows,
        ['l', 'r', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
      ),
      [
        `Node ${report.nodeVersion}, median of ${report.runs} fresh processes per bundle, run round-robin. KB = 1,024 bytes.`,
        `_import_ is \`performance.now()\` around \`await import(bundle)\` inside the fresh process: the module-evaluation part of a Lambda cold start, raw. The ${INIT_RATIO_LIMIT}× target is checked on it against the _DynamoDB floor_, a bundle of only \`@aws-sdk/client-dynamodb\`'s client and \`@aws-sdk/lib-dynamodb\` (document client and its commands), built with the same options: every function of ours but \`operations\` pays it, so the ratio is what our own code and its other dependencies add.`,
        "_import CPU_ is the process's CPU time (user + system, every thread) over the same span: on a machine shared with other work it moves far less than wall time, so when the two ratios disagree, trust the CPU one. _process wall_ is spawn to exit as the parent sees it, Node's own start-up included; the hello-world ratio on it is kept for comparison with earlier runs.",
        `Source maps: ${functionsOnly.map((r) => `${r.name} ${kb(r.mapBytes)}`).join(', ')} (shipped next to the bundle, not counted in the size).`,
        `${sizeRow?.[0]}: ${sizeRow?.[1]}. ${initRow?.[0]}: ${initRow?.[1]}.`,
        ...report.failed.map((failure) => `${okMark(false)} \`${failure.name}\` not measured: ${failure.reason}.`),
      ].join('\n'),
      `Where the import time goes: single modules bundled alone with the same options, imported the same way (median of ${report.runs}); each includes what it imports (zod, middy, …), so they overlap.`,
      table(
        ['module', 'size', 'import (median)'],
        report.parts.map((part) => [part.name, kb(part.bytes), ms(part.importMs)]),
        ['l', 'r', 'r'],
      ),
    ],
  };
}

// Alone: `npx tsx scripts/bench/bundles.ts [--runs <n>]` prints this section (and its two target rows) without the rest of the bench.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const report = await measureBundles(fileURLToPath(new URL('../../', import.meta.url)), { runs: numberOption('--runs', 5) });
  process.stdout.write(`${bundleTargetRows(report).map(([target, measured, ok]) => `| ${target} | ${measured} | ${okMark(ok)} |`).join('\n')}\n\n${renderSection(bundleSection(report))}\n`);
}
