import { describe, expect, it } from 'vitest';
import { activeRestrictions, addPoints, emptyStanding, expirePoints, penaltyEntry, rejectionPenalty, THRESHOLDS } from '../../lambdas/domain/penalties.js';
import { addMs } from '../../lambdas/domain/time.js';

const T0 = '2026-03-01T00:00:00.000Z';
const DAY_MS = 86_400_000;
const at = (days: number) => addMs(T0, days * DAY_MS);

describe('penalty points', () => {
  it('charges 2 points from the third rejection of a listing on, none before', () => {
    expect([1, 2, 3, 4, 10].map(rejectionPenalty)).toEqual([0, 0, 2, 2, 2]);
  });

  it('expires an entry 365 days after it was given', () => {
    expect(penaltyEntry('s', 'pen_1', 3, 'why', { kind: 'ADMIN', adminId: 'a' }, T0).expiresAt).toBe(at(365));
  });

  it.each(THRESHOLDS.map((threshold) => [threshold.points, threshold.restriction, threshold.days] as const))('starts its restriction at %i points (%s) for its days from the crossing', (points, restriction, days) => {
    const below = addPoints(emptyStanding('s'), points - 1, T0);
    expect(below.started).not.toContain(restriction);
    const crossed = addPoints(below.standing, 1, at(3));
    expect(crossed.started).toEqual([restriction]);
    const active = activeRestrictions(crossed.standing, at(3)).find((candidate) => candidate.code === restriction);
    expect(active?.until ?? null).toBe(days === null ? null : at(3 + days));
    if (days !== null) expect(activeRestrictions(crossed.standing, at(3 + days)).map((candidate) => candidate.code)).not.toContain(restriction);
  });

  it('starts every threshold crossed at once', () => {
    expect(addPoints(emptyStanding('s'), 40, T0).started).toEqual(['NO_NEW_LISTINGS', 'HIDDEN', 'FROZEN']);
  });

  it('does not lift a running restriction when points expire, and starts it again on a new crossing', () => {
    const { standing } = addPoints(emptyStanding('s'), 12, T0);
    const expired = expirePoints(standing, 12);
    expect(expired.points).toBe(0);
    expect(activeRestrictions(expired, at(1)).map((active) => active.code)).toEqual(['NO_NEW_LISTINGS']);
    const again = addPoints(expired, 12, at(30));
    expect(again.started).toEqual(['NO_NEW_LISTINGS']);
    expect(activeRestrictions(again.standing, at(31))[0]?.until).toBe(at(37));
  });

  it('adds no restriction for points that stay above a threshold already crossed', () => {
    const { standing } = addPoints(emptyStanding('s'), 13, T0);
    expect(addPoints(standing, 2, at(1)).started).toEqual([]);
  });
});
