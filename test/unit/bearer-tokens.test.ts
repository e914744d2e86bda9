/**
 * The functions' own bearer-token verifier (platform/bearer-tokens.ts, node:crypto RS256), against a JWKS
 * served over HTTP as Cognito and the local host serve theirs. Genuine tokens come from the local host's
 * issuer (lib/local/dev-tokens.ts); forgeries are built here byte by byte, since a JOSE library refuses
 * to make most of them.
 */
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBearerVerifier } from '../../lambdas/platform/bearer-tokens.js';
import { createDevTokenIssuer, LOCAL_CLIENT_ID, type DevTokenIssuer } from '../../lib/local/dev-tokens.js';

const ISSUER = 'http://issuer.test/pool';
let issuer: DevTokenIssuer;
let server: Server;
let jwksUrl: string;
/** What the JWKS endpoint serves next: a document, or a status to fail with. */
let served: { keys: object[] } | number;
let fetches = 0;

beforeAll(async () => {
  issuer = await createDevTokenIssuer(ISSUER);
  server = createServer((request, response) => {
    fetches++;
    if (typeof served === 'number') return void response.writeHead(served).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  served = issuer.jwks;
  fetches = 0;
});

const user = { userId: 'u-1', role: 'buyer' as const };
const b64 = (value: object | string) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const seconds = () => Math.floor(Date.now() / 1000);
const verifier = (options: { now?: () => number } = {}) => createBearerVerifier({ issuer: ISSUER, jwksUrl, clientIds: [LOCAL_CLIENT_ID], ...options });
const refused = (promise: Promise<unknown>) => expect(promise).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });

/** An RS256 token signed by `key`, with the header and claims of a dev access token unless overridden. */
function rs256(key: KeyObject, header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const input = `${b64({ alg: 'RS256', kid: 'aftersale-local-1', ...header })}.${b64({ iss: ISSUER, sub: 'u-1', token_use: 'access', client_id: LOCAL_CLIENT_ID, exp: seconds() + 600, ...claims })}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

const rsaKey = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits });

describe('bearer tokens on public routes', () => {
  it("accepts the issuer's access token and returns its claims, fetching the key set once for many tokens", async () => {
    const verify = verifier();
    const token = await issuer.sign({ ...user, name: 'Ann' });
    await expect(verify(token)).resolves.toMatchObject({ sub: 'u-1', token_use: 'access', client_id: LOCAL_CLIENT_ID, name: 'Ann', 'cognito:groups': ['buyer'] });
    await Promise.all([verify(token), verify(await issuer.sign(user))]);
    expect(fetches).toBe(1);
  });

  it('refuses a token with the genuine header and claims signed by another key', async () => {
    const { privateKey } = rsaKey(2048);
    await refused(verifier()(rs256(privateKey, {}, {})));
  });

  it('refuses unsigned tokens and HS256 tokens keyed with the public key (algorithm confusion)', async () => {
    const genuine = await issuer.sign(user);
    const [, payload] = genuine.split('.');
    await refused(verifier()(`${b64({ alg: 'none' })}.${payload}.`));
    await refused(verifier()(`${b64({ alg: 'none', kid: 'aftersale-local-1' })}.${payload}.${b64('x')}`));
    const publicPem = rsaKey(2048).publicKey.export({ type: 'spki', format: 'pem' });
    const input = `${b64({ alg: 'HS256', kid: 'aftersale-local-1' })}.${payload}`;
    await refused(verifier()(`${input}.${createHmac('sha256', publicPem).update(input).digest('base64url')}`));
  });

  it('refuses a genuine token whose payload was edited', async () => {
    const [header, payload, signature] = (await issuer.sign(user)).split('.') as [string, string, string];
    const edited = b64({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), 'cognito:groups': ['admin'] });
    await refused(verifier()(`${header}.${edited}.${signature}`));
  });

  it('refuses expired tokens, tokens without an expiry, and tokens not valid yet', async () => {
    await refused(verifier()(await issuer.sign(user, -60)));
    const later = verifier({ now: () => Date.now() + 13 * 60 * 60 * 1000 });
    await refused(later(await issuer.sign(user)));
    // The dev issuer keeps its private key; a key pair of our own, published in the set, lets the claims vary.
    const { privateKey, publicKey } = rsaKey(2048);
    served = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k2', alg: 'RS256', use: 'sig' }] };
    const verify = verifier();
    await expect(verify(rs256(privateKey, { kid: 'k2' }, {}))).resolves.toMatchObject({ sub: 'u-1' });
    await refused(verify(rs256(privateKey, { kid: 'k2' }, { exp: undefined })));
    await refused(verify(rs256(privateKey, { kid: 'k2' }, { nbf: seconds() + 600 })));
    await refused(verify(rs256(privateKey, { kid: 'k2', crit: ['b64'], b64: true }, {})));
  });

  it('refuses tokens of another issuer or issued to another app client', async () => {
    const { privateKey, publicKey } = rsaKey(2048);
    served = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k3' }] };
    const verify = verifier();
    await refused(verify(rs256(privateKey, { kid: 'k3' }, { iss: 'http://other-issuer.test' })));
    await refused(verify(rs256(privateKey, { kid: 'k3' }, { client_id: 'another-app' })));
    await expect(verify(rs256(privateKey, { kid: 'k3' }, {}))).resolves.toMatchObject({ client_id: LOCAL_CLIENT_ID });
  });

  it('ignores keys under 2048 bits and keys published for another algorithm', async () => {
    const weak = rsaKey(1024);
    const strong = rsaKey(2048);
    served = { keys: [{ ...weak.publicKey.export({ format: 'jwk' }), kid: 'weak' }, { ...strong.publicKey.export({ format: 'jwk' }), kid: 'ps', alg: 'PS256' }] };
    const verify = verifier();
    await refused(verify(rs256(weak.privateKey, { kid: 'weak' }, {})));
    await refused(verify(rs256(strong.privateKey, { kid: 'ps' }, {})));
  });

  it('fetches the key set again for a key it does not know (rotation), at most once per 30 seconds', async () => {
    let now = Date.now();
    const verify = verifier({ now: () => now });
    await verify(await issuer.sign(user));
    const rotated = rsaKey(2048);
    served = { keys: [...issuer.jwks.keys, { ...rotated.publicKey.export({ format: 'jwk' }), kid: 'rotated' }] };
    await refused(verify(rs256(rotated.privateKey, { kid: 'rotated' }, {})));
    expect(fetches).toBe(1);
    now += 31_000;
    await expect(verify(rs256(rotated.privateKey, { kid: 'rotated' }, {}))).resolves.toMatchObject({ sub: 'u-1' });
    expect(fetches).toBe(2);
  });

  it('keeps the keys it had when a refresh for an unknown key fails: valid tokens still verify', async () => {
    let now = Date.now();
    const verify = verifier({ now: () => now });
    const token = await issuer.sign(user);
    await verify(token);
    served = 503;
    now += 31_000;
    await refused(verify(rs256(rsaKey(2048).privateKey, { kid: 'unknown' }, {})));
    expect(fetches).toBe(2);
    await expect(verify(token)).resolves.toMatchObject({ sub: 'u-1' });
  });

  it('fails as a server error, not a 401, while the key set cannot be fetched, and fetches it again on the next token', async () => {
    served = 503;
    const verify = verifier();
    const token = await issuer.sign(user);
    const failure = await verify(token).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toHaveProperty('code');
    served = issuer.jwks;
    await expect(verify(token)).resolves.toMatchObject({ sub: 'u-1' });
    expect(fetches).toBe(2);
  });

  it('refuses what is not a signed JWT at all', async () => {
    for (const garbage of ['garbage', 'a.b', 'a.b.c.d', `${b64('not json')}.${b64({})}.x`, `${b64({ alg: 'RS256', kid: 'aftersale-local-1' })}.${b64('[1]')}.x`, 'ab+c.de/f.gh=']) {
      await refused(verifier()(garbage));
    }
  });
});
