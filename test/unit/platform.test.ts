import { beforeAll, describe, expect, it } from 'vitest';
import { groupsOf, principalFromClaims } from '../../lambdas/platform/auth.js';
import { decodeCursor, encodeCursor } from '../../lambdas/platform/cursor.js';
import { parseDurationMs } from '../../lib/local/duration.js';
import { flattenClaims } from '../../lib/local/gateway-event.js';

describe('cursors', () => {
  beforeAll(() => {
    process.env.CURSOR_SECRET = 'unit-test-secret';
  });
  const key = { PK: 'ORDER#1', SK: 'ORDER', GSI1PK: 'BUYER#b1', GSI1SK: 'ORDER#2026' };

  it('round-trips a DynamoDB key through an opaque string', () => {
    const cursor = encodeCursor(key, 'orders:b1');
    expect(cursor).not.toContain('BUYER');
    expect(decodeCursor(cursor ?? undefined, 'orders:b1')).toEqual(key);
  });

  it('has no cursor after the last page', () => {
    expect(encodeCursor(undefined, 'scope')).toBeNull();
  });

  it('refuses an edited cursor with INVALID_CURSOR', () => {
    const cursor = encodeCursor(key, 'orders:b1') as string;
    const forged = encodeCursor({ ...key, GSI1PK: 'BUYER#someone-else' }, 'orders:b1') as string;
    const spliced = `${forged.split('.')[0]}.${cursor.split('.')[1]}`;
    expect(() => decodeCursor(spliced, 'orders:b1')).toThrow(expect.objectContaining({ code: 'INVALID_CURSOR' }));
    expect(() => decodeCursor(`${cursor}x`, 'orders:b1')).toThrow(expect.objectContaining({ code: 'INVALID_CURSOR' }));
    expect(() => decodeCursor('garbage', 'orders:b1')).toThrow(expect.objectContaining({ code: 'INVALID_CURSOR' }));
  });

  it('refuses a cursor with a stray character or padding, even where base64 decoding would ignore it', () => {
    const cursor = encodeCursor(key, 'orders:b1') as string;
    const [payload, mac] = cursor.split('.') as [string, string];
    for (const edited of [`${cursor}=`, `${payload}.${mac.slice(0, 10)}*${mac.slice(10)}`, `${payload}=.${mac}`, `${payload}.${mac.slice(0, -1)}${mac.at(-1) === 'A' ? 'B' : 'A'}`]) {
      expect(() => decodeCursor(edited, 'orders:b1')).toThrow(expect.objectContaining({ code: 'INVALID_CURSOR' }));
    }
  });

  it('refuses a cursor from another list', () => {
    const cursor = encodeCursor(key, 'orders:b1') as string;
    expect(() => decodeCursor(cursor, 'orders:b2')).toThrow(expect.objectContaining({ code: 'INVALID_CURSOR' }));
  });
});

describe('claims', () => {
  it('reads groups as a token array or as the gateway-flattened string', () => {
    expect(groupsOf(['buyer'])).toEqual(['buyer']);
    expect(groupsOf('[seller admin]')).toEqual(['seller', 'admin']);
    expect(groupsOf('buyer')).toEqual(['buyer']);
    expect(groupsOf('[superuser]')).toEqual([]);
    expect(groupsOf(undefined)).toEqual([]);
  });

  it('reads what the local gateway passes exactly as the AWS gateway would', () => {
    const flattened = flattenClaims({ sub: 'u1', 'cognito:groups': ['buyer'], token_use: 'access', exp: 123 });
    expect(flattened).toEqual({ sub: 'u1', 'cognito:groups': '[buyer]', token_use: 'access', exp: '123' });
    expect(principalFromClaims(flattened)).toEqual({ userId: 'u1', roles: ['buyer'], name: undefined });
  });

  it('refuses claims without a subject', () => {
    expect(() => principalFromClaims({ 'cognito:groups': '[buyer]', token_use: 'access' })).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });

  it.each([
    ['an ID token', 'id'],
    ['a token that does not say', undefined],
  ])('refuses the claims of %s with UNAUTHENTICATED: access tokens only', (_, tokenUse) => {
    const claims = { sub: 'u1', 'cognito:groups': '[admin]', aud: 'aftersale-local', ...(tokenUse && { token_use: tokenUse }) };
    expect(() => principalFromClaims(claims)).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });
});

describe('local clock durations', () => {
  it.each([
    ['P60D', 60 * 86_400_000],
    ['PT1H30M', 5_400_000],
    ['P1W', 7 * 86_400_000],
    ['P15DT1S', 15 * 86_400_000 + 1000],
    ['PT0.5S', 500],
  ])('reads %s', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['P', 'PT', 'P1M', 'P1Y', '60D', 'P-1D', ''])('refuses %s', (text) => {
    expect(parseDurationMs(text)).toBeUndefined();
  });
});
