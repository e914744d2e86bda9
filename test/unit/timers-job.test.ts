import { describe, expect, it } from 'vitest';
import { DomainError } from '../../lambdas/domain/errors.js';
import { retiresTimer, retryDelayMs, timerRetry } from '../../lambdas/jobs/timers.js';

describe('which failures retire a timer', () => {
  it("retires it when the rule says it no longer applies", () => {
    expect(retiresTimer(new DomainError('ORDER_NOT_CONFIRMABLE', 'already completed'))).toBe(true);
    expect(retiresTimer(new DomainError('ORDER_DISPUTE_OPEN', 'a dispute is open'))).toBe(true);
  });

  it('keeps it when the firing lost a race or failed for another reason', () => {
    expect(retiresTimer(new DomainError('CONCURRENT_UPDATE', 'lost a race'))).toBe(false);
    expect(retiresTimer(new Error('throttled'))).toBe(false);
  });
});

describe('the gap before a failed timer is tried again', () => {
  it('starts at one sweep interval and doubles with each failure', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((attempts) => retryDelayMs(attempts) / 60_000)).toEqual([5, 10, 20, 40, 80, 160, 320]);
  });

  it('stops growing at the cap, so a policy with many attempts still retries within hours', () => {
    const patient = { ...timerRetry, maxAttempts: 20 };
    expect(retryDelayMs(8, patient)).toBe(timerRetry.maxDelayMs);
    expect(retryDelayMs(19, patient)).toBe(timerRetry.maxDelayMs);
  });
});
