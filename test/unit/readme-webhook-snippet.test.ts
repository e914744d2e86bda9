/** The README's signature check, run as written, against what the platform signs (platform/webhook-signature.ts). */
import { beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../lambdas/platform/webhook-signature.js';
import { loadReadmeVerifier, readmeSnippet, type VerifySignature } from '../support/readme-snippet.js';

let verify: VerifySignature;
beforeAll(async () => {
  verify = await loadReadmeVerifier();
});

const secret = 'whsec_8mA1c0k3yOfThirtyTwoRandomBytesXyZ012345';
const body = JSON.stringify({ id: 'ntf_01ARZ3NDEKTSV4RRFFQ69G5FAV', type: 'NEW_MESSAGE', title: 'A new message', body: 'Café ☕ — “quoted”', subject: { kind: 'conversation', id: 'cnv_1' }, createdAt: '2026-12-01T10:00:00.000Z' });
const t = 1_796_000_000;

describe("the README's webhook signature check", () => {
  it('is a few lines of node:crypto with a constant-time comparison', () => {
    expect(readmeSnippet().split('\n').filter((line) => line.trim() !== '').length).toBeLessThanOrEqual(12);
    expect(readmeSnippet()).toMatch(/timingSafeEqual/);
  });

  it('accepts what the platform signs, within five minutes either way', () => {
    const header = signWebhook(secret, body, t);
    expect(verify(header, body, secret, t)).toBe(true);
    expect(verify(header, body, secret, t + 300)).toBe(true);
    expect(verify(header, body, secret, t - 300)).toBe(true);
  });

  it('refuses a stale or future timestamp, another body, another secret and garbage', () => {
    const header = signWebhook(secret, body, t);
    expect(verify(header, body, secret, t + 301)).toBe(false);
    expect(verify(header, body, secret, t - 301)).toBe(false);
    expect(verify(header, `${body} `, secret, t)).toBe(false);
    expect(verify(header, body, `${secret}x`, t)).toBe(false);
    expect(verify(header.replace(/v1=./, 'v1=0'), body, secret, t)).toBe(false);
    expect(verify(signWebhook(secret, body, t + 1).replace(`t=${t + 1}`, `t=${t}`), body, secret, t)).toBe(false);
    expect(verify(undefined, body, secret, t)).toBe(false);
    expect(verify('t=abc,v1=zz', body, secret, t)).toBe(false);
    expect(verify(`t=${t}`, body, secret, t)).toBe(false);
  });
});
