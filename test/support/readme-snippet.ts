/**
 * The README's "verify a webhook signature" snippet, loaded as the code it is (a module written to a
 * temporary file and imported), so the tests run exactly what a reader copies.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export type VerifySignature = (header: string | undefined, rawBody: string, secret: string, nowSeconds?: number) => boolean;

const MARKER = '<!-- verify-webhook-snippet';

export function readmeSnippet(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf(MARKER);
  if (start < 0) throw new Error('README.md has no verify-webhook-snippet marker');
  const open = readme.indexOf('```js\n', start);
  const close = readme.indexOf('\n```', open + 6);
  return readme.slice(open + 6, close + 1);
}

export async function loadReadmeVerifier(): Promise<VerifySignature> {
  const file = join(mkdtempSync(join(tmpdir(), 'aftersale-readme-')), 'verify.mjs');
  writeFileSync(file, readmeSnippet());
  const module = (await import(pathToFileURL(file).href)) as { verifyAftersaleSignature: VerifySignature };
  return module.verifyAftersaleSignature;
}
