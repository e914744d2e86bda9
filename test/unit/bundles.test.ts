/**
 * What keeps the Lambda bundles small (docs/decisions/009, 010, 014): each function is built as CDK
 * builds it (the bench's translation of the bundling options) and its inputs are checked for the
 * packages the functions do without. The sizes themselves are measured by `npm run bench`.
 */
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundling } from '../../lib/constructs/manifest-function.js';
import { functions } from '../../lib/manifest.js';
import { esbuildOptionsOf } from '../../scripts/bench/bundles.js';

const root = resolve(import.meta.dirname, '../..');

/** Package path prefixes no function bundle may hold, and what replaces each. */
const banned: Record<string, string> = {
  'node_modules/@aws-sdk/client-sqs/': 'store/queue.ts signs SendMessage itself',
  'node_modules/@aws-sdk/client-s3/': 'store/files.ts signs its S3 requests',
  'node_modules/@aws-sdk/credential-provider-node/': 'platform/lambda-credentials.ts, by alias',
  'node_modules/jose/': 'platform/bearer-tokens.ts verifies RS256 with node:crypto',
  'node_modules/@aws-lambda-powertools/logger/': 'platform/logger.ts writes the same lines',
  'node_modules/mnemonist/': 'platform/lru-cache.ts, by alias (the endpoint-discovery cache)',
};
/** The contract is zod/mini; classic zod beside it is a second copy of zod (about 60 KB). Only the OpenAPI document uses classic zod. */
const CLASSIC_ZOD = 'node_modules/zod/v4/classic/';

describe('Lambda bundles', () => {
  for (const [name, spec] of Object.entries(functions as Record<string, { entry: string }>)) {
    it(`${name} holds none of the packages the functions do without`, { timeout: 60_000 }, async () => {
      const result = await build({ ...esbuildOptionsOf(bundling, false), entryPoints: [resolve(root, spec.entry)], absWorkingDir: root, write: false, outfile: `${name}.mjs`, logLevel: 'silent' });
      const inputs = Object.keys(result.metafile?.inputs ?? {});
      expect(inputs.length).toBeGreaterThan(0);
      const found = Object.keys(banned).filter((prefix) => inputs.some((input) => input.includes(prefix)));
      expect(found.map((prefix) => `${prefix} (${banned[prefix]})`)).toEqual([]);
      if (name !== 'operations') expect(inputs.filter((input) => input.includes(CLASSIC_ZOD))).toEqual([]);
    });
  }
});
