import { afterEach, describe, expect, it } from 'vitest';
import { defaultProvider } from '../../lambdas/platform/lambda-credentials.js';
import { bundling } from '../../lib/constructs/manifest-function.js';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('the Lambda credential provider', () => {
  it('reads the role credentials Lambda puts in the environment, session token included', async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'session' });
    expect(await defaultProvider()()).toMatchObject({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' });
  });

  it('fails loudly rather than signing with nothing when the environment has no credentials', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    await expect(defaultProvider()()).rejects.toThrow();
  });

  it('replaces the SDK default chain in every function bundle', () => {
    expect(bundling.esbuildArgs?.['--alias:@aws-sdk/credential-provider-node']).toMatch(/lambdas\/platform\/lambda-credentials\.ts$/);
  });
});
