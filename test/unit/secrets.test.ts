/** Secrets read once per cold start (platform/secrets.ts): the one cache the carriers, payment events and Stripe key share. */
import { afterEach, describe, expect, it } from 'vitest';
import { namedSecrets, oncePerColdStart } from '../../lambdas/platform/secrets.js';

const VALUES = 'TEST_SECRETS_UNIT_VALUES';
const ARNS = 'TEST_SECRETS_UNIT_ARNS';

afterEach(() => {
  delete process.env[VALUES];
  delete process.env[ARNS];
});

describe('a secret read once per cold start', () => {
  it('is read once per key, and a failed read is tried again on the next call', async () => {
    const reads: string[] = [];
    let failNext = true;
    const read = oncePerColdStart(async (key: string) => {
      reads.push(key);
      if (failNext) {
        failNext = false;
        throw new Error('throttled');
      }
      return `value of ${key}`;
    });
    await expect(read('a')).rejects.toThrow('throttled');
    await expect(read('a')).resolves.toBe('value of a');
    await expect(read('a')).resolves.toBe('value of a');
    await expect(read('b')).resolves.toBe('value of b');
    expect(reads).toEqual(['a', 'a', 'b']);
  });

  it('takes a named secret from the local values map, and refuses a name no map has', async () => {
    process.env[VALUES] = JSON.stringify({ ups: 'local-ups-secret' });
    const secretOf = namedSecrets(ARNS, VALUES, 'carrier');
    await expect(secretOf('ups')).resolves.toBe('local-ups-secret');
    await expect(secretOf('dhl')).rejects.toThrow('No secret configured for carrier dhl');
    // Configured later (the failed read was not kept): found on the next call.
    process.env[VALUES] = JSON.stringify({ ups: 'local-ups-secret', dhl: 'local-dhl-secret' });
    await expect(secretOf('dhl')).resolves.toBe('local-dhl-secret');
  });
});
