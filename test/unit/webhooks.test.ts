import { describe, expect, it } from 'vitest';
import { NOTIFICATION_TYPES, type Notification } from '../../lambdas/domain/notifications.js';
import { afterAttempt, maxRetryDelayMs, newDelivery, pastWindow, retryDelayMs, subscribedTypes, webhookPayload, webhookRetry, type WebhookDelivery } from '../../lambdas/domain/webhooks.js';

const T0 = '2026-12-01T10:00:00.000Z';
const later = (iso: string, ms: number) => new Date(new Date(iso).getTime() + ms).toISOString();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('the retry schedule: exponential backoff with full jitter', () => {
  it('doubles the longest gap from a minute up to two hours', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 20].map(maxRetryDelayMs)).toEqual([1, 2, 4, 8, 16, 32, 64, 120, 120, 120].map((minutes) => minutes * MINUTE));
  });

  it('picks the gap uniformly between none and the longest', () => {
    expect(retryDelayMs(3, 0)).toBe(0);
    expect(retryDelayMs(3, 0.5)).toBe(2 * MINUTE);
    expect(retryDelayMs(3, 0.999_999)).toBe(Math.floor(0.999_999 * 4 * MINUTE));
    expect(retryDelayMs(30, 0.25)).toBe(30 * MINUTE);
  });

  it('ends a delivery DELIVERED on any 2xx, with the attempt counted', () => {
    const delivery = newDelivery('u1', 'ntf_1', T0);
    expect(afterAttempt(delivery, { status: 204 }, T0, 0.5)).toMatchObject({ state: 'DELIVERED', attempts: 1, lastStatus: 204, nextAttemptAt: null });
    expect(afterAttempt(delivery, { status: 302 }, T0, 0.5)).toMatchObject({ state: 'PENDING', attempts: 1, lastStatus: 302 });
  });

  it('schedules the next attempt after a failure, an unanswered one included', () => {
    const first = afterAttempt(newDelivery('u1', 'ntf_1', T0), { status: 500 }, T0, 0.5);
    expect(first).toMatchObject({ state: 'PENDING', attempts: 1, lastStatus: 500, nextAttemptAt: later(T0, 30_000) });
    const second = afterAttempt(first, { status: null, reason: 'timed out' }, later(T0, 30_000), 0.5);
    expect(second).toMatchObject({ state: 'PENDING', attempts: 2, lastStatus: null, nextAttemptAt: later(T0, 30_000 + MINUTE) });
  });

  it('retries for 24 hours after the first attempt, the last try at the deadline, then the delivery is DEAD', () => {
    let delivery: WebhookDelivery = newDelivery('u1', 'ntf_1', T0);
    let now = T0;
    const gaps: number[] = [];
    while (delivery.state === 'PENDING') {
      delivery = afterAttempt(delivery, { status: 503 }, now, 0.999);
      if (delivery.nextAttemptAt) {
        gaps.push(new Date(delivery.nextAttemptAt).getTime() - new Date(now).getTime());
        now = delivery.nextAttemptAt;
      }
    }
    expect(delivery).toMatchObject({ state: 'DEAD', nextAttemptAt: null, lastStatus: 503 });
    // The last attempt was made exactly at the deadline, not up to a gap before it.
    expect(now).toBe(later(T0, webhookRetry.windowMs));
    // Growing gaps until the cap, never past it; only the last one is cut short by the deadline.
    const last = gaps.pop() as number;
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeGreaterThanOrEqual(gaps[i - 1] as number);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(webhookRetry.capMs);
    expect(last).toBeLessThanOrEqual(0.999 * webhookRetry.capMs);
    expect(delivery.attempts).toBe(gaps.length + 2);
  });

  it('cuts a gap that would pass the deadline short to it, and gives up after an attempt made at or after it', () => {
    const delivery = { ...newDelivery('u1', 'ntf_1', T0), attempts: 12 };
    const deadline = later(T0, 24 * HOUR);
    expect(afterAttempt(delivery, { status: 500 }, later(T0, 23 * HOUR), 0.999)).toMatchObject({ state: 'PENDING', attempts: 13, nextAttemptAt: deadline });
    expect(afterAttempt(delivery, { status: 500 }, later(T0, 20 * HOUR), 0.5)).toMatchObject({ state: 'PENDING', nextAttemptAt: later(T0, 21 * HOUR) });
    expect(afterAttempt(delivery, { status: 500 }, deadline, 0)).toMatchObject({ state: 'DEAD', attempts: 13, nextAttemptAt: null });
    expect(afterAttempt(delivery, { status: 200 }, later(deadline, MINUTE), 0.5)).toMatchObject({ state: 'DELIVERED' });
  });

  it('knows a still-pending delivery past its window by the attempt it was scheduled for, however late the sweep', () => {
    const delivery = newDelivery('u1', 'ntf_1', T0);
    expect(pastWindow({ ...delivery, nextAttemptAt: later(T0, 24 * HOUR) })).toBe(false);
    expect(pastWindow({ ...delivery, nextAttemptAt: later(T0, 24 * HOUR + 1) })).toBe(true);
  });
});

describe('what a registration delivers', () => {
  it('is every type unless some are named', () => {
    expect(subscribedTypes(undefined)).toEqual([...NOTIFICATION_TYPES]);
    expect(subscribedTypes([])).toEqual([...NOTIFICATION_TYPES]);
    expect(subscribedTypes(['NEW_MESSAGE', 'ORDER_SHIPPED', 'NEW_MESSAGE'])).toEqual(['ORDER_SHIPPED', 'NEW_MESSAGE']);
  });

  it('POSTs the notification as the inbox lists it', () => {
    const notification: Notification = { userId: 'u1', notificationId: 'ntf_1', type: 'DISPUTE_OPENED', title: 'A dispute was opened', body: 'Answer by Friday.', subject: { kind: 'dispute', id: 'dsp_1' }, dueAt: '2026-12-06T10:00:00.000Z', createdAt: T0 };
    expect(webhookPayload(notification)).toEqual({ id: 'ntf_1', type: 'DISPUTE_OPENED', title: 'A dispute was opened', body: 'Answer by Friday.', subject: { kind: 'dispute', id: 'dsp_1' }, dueAt: '2026-12-06T10:00:00.000Z', createdAt: T0 });
    expect(webhookPayload({ ...notification, dueAt: null })).not.toHaveProperty('dueAt');
  });
});
