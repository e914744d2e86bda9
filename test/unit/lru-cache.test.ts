/**
 * platform/lru-cache.ts stands in for mnemonist's LRU cache in every bundle (an alias in
 * lib/constructs/manifest-function.ts), under the DynamoDB client's endpoint-discovery cache. The same
 * calls go to both, and to the SDK's EndpointCache built on each, and must answer alike.
 */
import { createRequire } from 'node:module';
import { EndpointCache } from '@aws-sdk/endpoint-cache';
import { describe, expect, it } from 'vitest';
import LRUCache from '../../lambdas/platform/lru-cache.js';
import { bundling } from '../../lib/constructs/manifest-function.js';

// A CommonJS module whose typings declare a default export: required as the SDK's package requires it.
const MnemonistLRU = createRequire(import.meta.url)('mnemonist/lru-cache') as typeof import('mnemonist/lru-cache.js').default;

type Call = ['get', string] | ['set', string, number] | ['has', string] | ['peek', string] | ['clear'];

const calls: Call[] = [
  ['set', 'a', 1], ['set', 'b', 2], ['set', 'c', 3],
  ['get', 'a'], // a becomes the most recent
  ['set', 'd', 4], // evicts b, the least recent
  ['has', 'b'], ['peek', 'c'], // neither makes c recent
  ['set', 'e', 5], // evicts c
  ['has', 'c'], ['get', 'a'], ['get', 'd'], ['get', 'e'],
  ['set', 'a', 10], // an update, not an insert: nothing evicted
  ['get', 'd'], ['get', 'a'], ['get', 'missing'], ['peek', 'missing'],
  ['clear'], ['has', 'a'], ['set', 'f', 6], ['get', 'f'],
];

function replay(cache: { get(k: string): number | undefined; set(k: string, v: number): unknown; has(k: string): boolean; peek(k: string): number | undefined; clear(): void; size: number }) {
  return calls.map((call) => {
    switch (call[0]) {
      case 'set':
        cache.set(call[1], call[2]);
        return ['size', cache.size];
      case 'clear':
        cache.clear();
        return ['size', cache.size];
      default:
        return [call[0], call[1], cache[call[0]](call[1])];
    }
  });
}

describe('the LRU cache that replaces mnemonist in the bundles', () => {
  it('answers every call the endpoint cache makes as mnemonist does, evictions included', () => {
    const ours = replay(new LRUCache<string, number>(3));
    expect(ours).toEqual(replay(new MnemonistLRU<string, number>(3)));
    expect(ours).toContainEqual(['has', 'b', false]);
  });

  it('refuses a capacity that is not a positive number, like mnemonist', () => {
    expect(() => new LRUCache(0)).toThrow();
    expect(() => new MnemonistLRU(0)).toThrow();
  });

  it('keeps and drops endpoints under the SDK EndpointCache as with mnemonist', () => {
    const endpoints = [{ Address: 'dynamodb.example', CachePeriodInMinutes: 1 }];
    const run = (cache: EndpointCache) => {
      cache.set('k1', endpoints);
      cache.set('k2', endpoints);
      cache.set('k3', endpoints);
      const seen = [cache.getEndpoint('k1'), cache.getEndpoint('k3'), cache.has('k2')];
      cache.delete('k3');
      return [...seen, cache.has('k3'), cache.getEndpoint('k3')];
    };
    const withMnemonist = run(new EndpointCache(2));
    expect(withMnemonist).toEqual([undefined, 'dynamodb.example', true, false, undefined]);
    // EndpointCache keeps its LRU in a public field: swap ours in, as the bundles' alias does.
    expect(run(Object.assign(new EndpointCache(2), { cache: new LRUCache(2) }))).toEqual(withMnemonist);
  });

  it('is aliased in for every function bundle', () => {
    expect(bundling.esbuildArgs?.['--alias:mnemonist/lru-cache']).toMatch(/lambdas\/platform\/lru-cache\.ts$/);
  });
});
