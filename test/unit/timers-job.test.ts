import { describe, expect, it } from 'vitest';
import { DomainError } from '../../lambdas/domain/errors.js';
import { retiresTimer } from '../../lambdas/jobs/timers.js';

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
