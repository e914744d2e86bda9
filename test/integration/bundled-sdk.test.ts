/**
 * The functions' bundling leaves parts of the SDK out (lib/constructs/manifest-function.ts: event streams
 * external; decision 010: an environment-only credential provider). Bundled exactly so, the DynamoDB
 * client must still write, refuse a failed condition with its own error, and read back.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import dynalite from 'dynalite';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundling } from '../../lib/constructs/manifest-function.js';
import { esbuildOptionsOf } from '../../scripts/bench/bundles.js';

const root = resolve(import.meta.dirname, '../..');
const server = dynalite({ createTableMs: 0 });
let endpoint = '';

beforeAll(async () => {
  await new Promise<void>((ready) => server.listen(0, ready));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((closed) => server.close(() => closed())));

describe('the DynamoDB client as the functions bundle it', () => {
  it('writes, answers a failed condition with its own error, and reads back, with event streams left out', async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), 'aftersale-bundle-')), 'bundled.mjs');
    await build({ ...esbuildOptionsOf(bundling, false), entryPoints: [resolve(root, 'test/fixtures/bundled-dynamodb.ts')], absWorkingDir: root, outfile, logLevel: 'silent' });
    const bundled = (await import(pathToFileURL(outfile).href)) as { run: (endpoint: string) => Promise<{ refused: string; item: unknown }> };
    const result = await bundled.run(endpoint);
    expect(result.refused).toBe('ConditionalCheckFailedException');
    expect(result.item).toEqual({ PK: 'a', n: 1 });
  });
});
