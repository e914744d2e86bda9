/**
 * Webhook signatures (platform/webhook-signature.ts) against the algorithm as written down, computed here
 * with node:crypto directly, and AfterShip's payload mapping (domain/carrier-events.ts).
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromAfterShip, type AfterShipPayload } from '../../lambdas/domain/carrier-events.js';
import { bodyHmacBase64, signWebhook, verifyBodyHmacBase64, verifyWebhook } from '../../lambdas/platform/webhook-signature.js';

const SECRET = 'whsec_test_key';
const BODY = '{"events":[{"eventId":"e1"}]}';
const T = 1_764_000_000;

describe('Aftersale-Signature', () => {
  it('is t=<unix>,v1=<hex HMAC-SHA256 of "t.body"> keyed with the secret’s UTF-8 bytes', () => {
    const expected = createHmac('sha256', Buffer.from(SECRET, 'utf8')).update(`${T}.${BODY}`).digest('hex');
    expect(signWebhook(SECRET, BODY, T)).toBe(`t=${T},v1=${expected}`);
  });

  it('verifies its own signature within 5 minutes either way, and calls an older or newer one stale', () => {
    const header = signWebhook(SECRET, BODY, T);
    expect(verifyWebhook(header, BODY, SECRET, T)).toBe('valid');
    expect(verifyWebhook(header, BODY, SECRET, T + 300)).toBe('valid');
    expect(verifyWebhook(header, BODY, SECRET, T - 300)).toBe('valid');
    expect(verifyWebhook(header, BODY, SECRET, T + 301)).toBe('stale');
    expect(verifyWebhook(header, BODY, SECRET, T - 301)).toBe('stale');
  });

  it('refuses another key, another body, another timestamp, and malformed headers', () => {
    const header = signWebhook(SECRET, BODY, T);
    expect(verifyWebhook(header, BODY, 'other', T)).toBe('invalid');
    expect(verifyWebhook(header, `${BODY} `, SECRET, T)).toBe('invalid');
    expect(verifyWebhook(header.replace(`t=${T}`, `t=${T + 1}`), BODY, SECRET, T)).toBe('invalid');
    for (const bad of [undefined, '', 't=1', 'v1=abc', `t=${T},v1=zz`, `t=-1,v1=${'0'.repeat(64)}`, `t=${T},v1=${'0'.repeat(63)}`]) expect(verifyWebhook(bad, BODY, SECRET, T)).toBe('invalid');
  });

  it('accepts any one of several v1 signatures (a sender rolling its key signs with both)', () => {
    const current = signWebhook(SECRET, BODY, T).split(',')[1];
    expect(verifyWebhook(`t=${T},v1=${'ab'.repeat(32)},${current}`, BODY, SECRET, T)).toBe('valid');
  });

  it('a stale answer needs a correct signature: a forger learns nothing from the timestamp', () => {
    const forged = `t=${T - 1000},v1=${'ab'.repeat(32)}`;
    expect(verifyWebhook(forged, BODY, SECRET, T)).toBe('invalid');
  });
});

describe('aftership-hmac-sha256', () => {
  it('is the base64 HMAC-SHA256 of the raw body with the webhook secret', () => {
    const expected = createHmac('sha256', SECRET).update(BODY).digest('base64');
    expect(bodyHmacBase64(SECRET, BODY)).toBe(expected);
    expect(verifyBodyHmacBase64(expected, BODY, SECRET)).toBe(true);
    expect(verifyBodyHmacBase64(expected, `${BODY} `, SECRET)).toBe(false);
    expect(verifyBodyHmacBase64(createHmac('sha256', 'other').update(BODY).digest('base64'), BODY, SECRET)).toBe(false);
    expect(verifyBodyHmacBase64(undefined, BODY, SECRET)).toBe(false);
    expect(verifyBodyHmacBase64('not base64!', BODY, SECRET)).toBe(false);
  });
});

describe("AfterShip's tracking_update mapped onto carrier events", () => {
  const payload = (tag: string, extra: Partial<AfterShipPayload['msg']> = {}, event = 'tracking_update'): AfterShipPayload => ({
    event,
    event_id: 'e0b2a0f4-0d1e-4b57-9c4e-2e5d1a7a0001',
    ts: T,
    msg: {
      tracking_number: '1Z999AA10123456784',
      tag,
      checkpoints: [
        { checkpoint_time: '2026-11-20T08:00:00+08:00', location: 'Shenzhen', tag: 'InTransit' },
        { checkpoint_time: '2026-11-25T09:30:00-05:00', location: 'Springfield, IL', tag: 'Delivered' },
      ],
      ...extra,
    },
  });

  it.each([
    ['InTransit', 'IN_TRANSIT'],
    ['OutForDelivery', 'OUT_FOR_DELIVERY'],
    ['AvailableForPickup', 'OUT_FOR_DELIVERY'],
    ['Delivered', 'DELIVERED'],
    ['AttemptFail', 'EXCEPTION'],
    ['Exception', 'EXCEPTION'],
  ])('maps tag %s to %s', (tag, status) => {
    expect(fromAfterShip(payload(tag))[0]?.status).toBe(status);
  });

  it('ignores tags that say nothing of where the parcel is, and events other than tracking_update', () => {
    for (const tag of ['Pending', 'InfoReceived', 'Expired']) expect(fromAfterShip(payload(tag))).toEqual([]);
    expect(fromAfterShip(payload('Delivered', {}, 'edd_revise'))).toEqual([]);
  });

  it('takes the delivery date (any offset, as UTC), the matching checkpoint location and signed_by', () => {
    expect(fromAfterShip(payload('Delivered', { signed_by: ' JANE ', shipment_delivery_date: '2026-11-25T09:31:00-05:00' }))).toEqual([
      { eventId: 'e0b2a0f4-0d1e-4b57-9c4e-2e5d1a7a0001', trackingNumber: '1Z999AA10123456784', status: 'DELIVERED', occurredAt: '2026-11-25T14:31:00.000Z', location: 'Springfield, IL', signedBy: 'JANE' },
    ]);
  });

  it('falls back to the checkpoint time, then to the webhook timestamp', () => {
    expect(fromAfterShip(payload('InTransit'))[0]?.occurredAt).toBe('2026-11-20T00:00:00.000Z');
    expect(fromAfterShip(payload('OutForDelivery', { checkpoints: [] }))[0]).toMatchObject({ occurredAt: new Date(T * 1000).toISOString(), location: null, signedBy: null });
  });
});
