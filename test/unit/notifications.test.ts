import { describe, expect, it } from 'vitest';
import { isRead, newReadMarker, unreadFromPage } from '../../lambdas/domain/notifications.js';

const ids = (...suffixes: string[]) => suffixes.map((suffix) => ({ notificationId: `ntf_01KB0000000000000000000${suffix}` }));

describe('the read marker', () => {
  it('reads a notification at or before the marker, none without one', () => {
    const [older, marked, newer] = ids('AAA', 'BBB', 'CCC');
    const marker = marked?.notificationId ?? '';
    expect([older, marked, newer].map((notification) => isRead(notification ?? expect.unreachable(), marker))).toEqual([true, true, false]);
    expect(isRead(newer ?? expect.unreachable(), null)).toBe(false);
  });

  it('moves forward only', () => {
    expect(newReadMarker(null, 'ntf_B')).toBe('ntf_B');
    expect(newReadMarker('ntf_A', 'ntf_B')).toBe('ntf_B');
    expect(newReadMarker('ntf_B', 'ntf_A')).toBeNull();
    expect(newReadMarker('ntf_B', 'ntf_B')).toBeNull();
  });
});

describe('the unread count from a page, newest first', () => {
  const page = ids('EEE', 'DDD', 'CCC');
  it('is told by a page that reaches the marker', () => {
    expect(unreadFromPage(page, page[1]?.notificationId ?? null, false)).toBe(1);
  });
  it('is told by a page that is the whole inbox', () => {
    expect(unreadFromPage(page, null, true)).toBe(3);
    expect(unreadFromPage([], null, true)).toBe(0);
  });
  it('is not told by a page entirely unread with more beyond it', () => {
    expect(unreadFromPage(page, null, false)).toBeUndefined();
    expect(unreadFromPage(page, 'ntf_01KB0000000000000000000AAA', false)).toBeUndefined();
  });
});
