/**
 * The LRU cache the bundles use in place of `mnemonist/lru-cache` (an esbuild alias in
 * lib/constructs/manifest-function.ts). The DynamoDB client builds an endpoint-discovery cache at
 * construction whether or not discovery is on (it is off for DynamoDB unless configured); mnemonist's
 * cache, with the `obliterator` iterators it requires, is 7 KB of every bundle for that. What
 * `@aws-sdk/endpoint-cache` calls — get, set, has, peek, clear — is here, with the same recency rules:
 * get and set make a key the most recent, has and peek do not, and a set beyond capacity evicts the
 * least recent. A Map keeps insertion order, so its first key is the least recent.
 */
export default class LRUCache<K, V> {
  private readonly items = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (typeof capacity !== 'number' || capacity <= 0) throw new Error('lru-cache: capacity should be positive number.');
  }

  get size(): number {
    return this.items.size;
  }

  get(key: K): V | undefined {
    if (!this.items.has(key)) return undefined;
    const value = this.items.get(key) as V;
    this.items.delete(key);
    this.items.set(key, value);
    return value;
  }

  set(key: K, value: V): this {
    if (this.items.has(key)) this.items.delete(key);
    else if (this.items.size >= this.capacity) this.items.delete(this.items.keys().next().value as K);
    this.items.set(key, value);
    return this;
  }

  has(key: K): boolean {
    return this.items.has(key);
  }

  peek(key: K): V | undefined {
    return this.items.get(key);
  }

  clear(): void {
    this.items.clear();
  }
}
