/**
 * The inbox (API.md "Notifications"): newest first, the unread count, the read marker, pages with signed
 * cursors, and nobody reads or marks another user's notifications.
 */
import { describe, expect, it } from 'vitest';
import { anOrder, aShipment, useLocalApi, type Api } from '../support/local-api.js';
import { inboxOf, type InboxPage, type NotificationItem } from '../support/notifications.js';

const local = useLocalApi();

type Page = InboxPage;

/** A buyer with `count` shipped orders (one ORDER_SHIPPED each, nothing else in their inbox), oldest first. */
async function buyerWithShipments(api: Api, count: number) {
  const first = await api.shippedOrder();
  const orders = [first.orderId];
  for (let index = 1; index < count; index++) {
    const placed = await api.post<{ orderId: string }>('/v1/orders', first.buyer, anOrder(first.productId));
    expect(placed.status, placed.text).toBe(201);
    const shipped = await api.post(`/v1/orders/${placed.body.orderId}/shipment`, first.seller, aShipment());
    expect(shipped.status, shipped.text).toBe(200);
    orders.push(placed.body.orderId);
  }
  return { ...first, orders };
}

describe('the inbox', () => {
  it('lists a new notification unread, newest first, with its subject, and counts it', async () => {
    const { api } = local;
    const { buyer, orders } = await buyerWithShipments(api, 3);
    const inbox = await inboxOf(api, buyer);
    expect(inbox.items.map((item) => item.subject.id)).toEqual([...orders].reverse());
    expect(inbox.items.every((item) => item.type === 'ORDER_SHIPPED' && !item.read)).toBe(true);
    expect(inbox.unreadCount).toBe(3);
    expect(inbox.nextCursor).toBeNull();
  });

  it('marks one and every older one read, never moves the marker back, and counts the rest', async () => {
    const { api } = local;
    const { buyer } = await buyerWithShipments(api, 3);
    const [newest, middle, oldest] = (await inboxOf(api, buyer)).items;
    const marked = await api.post<{ readUpTo: string; unreadCount: number }>('/v1/me/notifications/read', buyer, { upTo: middle?.id });
    expect(marked.status, marked.text).toBe(200);
    expect(marked.body).toEqual({ readUpTo: middle?.id, unreadCount: 1 });
    const after = await inboxOf(api, buyer);
    expect(after.items.map((item) => [item.id, item.read])).toEqual([
      [newest?.id, false],
      [middle?.id, true],
      [oldest?.id, true],
    ]);
    expect(after.unreadCount).toBe(1);
    // Marking an older one changes nothing.
    const older = await api.post('/v1/me/notifications/read', buyer, { upTo: oldest?.id });
    expect(older.body).toEqual({ readUpTo: middle?.id, unreadCount: 1 });
    expect((await api.post('/v1/me/notifications/read', buyer, { upTo: newest?.id })).body).toEqual({ readUpTo: newest?.id, unreadCount: 0 });
    expect((await inboxOf(api, buyer)).unreadCount).toBe(0);
  });

  it('pages newest first with the whole inbox unread count on every page, read or not beyond the page', async () => {
    const { api } = local;
    const { buyer } = await buyerWithShipments(api, 5);
    const all = (await inboxOf(api, buyer)).items;
    // The read marker below the first page: the count reaches past it.
    await api.post('/v1/me/notifications/read', buyer, { upTo: all[3]?.id });
    const seen: NotificationItem[] = [];
    let cursor: string | null = null;
    const counts: number[] = [];
    do {
      const page: Page = await inboxOf(api, buyer, `limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      counts.push(page.unreadCount);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((item) => item.id)).toEqual(all.map((item) => item.id));
    expect(seen.map((item) => item.read)).toEqual([false, false, false, true, true]);
    expect(counts.every((count) => count === 3)).toBe(true);
    // Nothing read yet and more than a page: counted all the same.
    const fresh = await buyerWithShipments(api, 3);
    expect((await inboxOf(api, fresh.buyer, 'limit=1')).unreadCount).toBe(3);
  });

  it("answers 404 for another user's notification, the same as for an unknown one, and changes nothing", async () => {
    const { api } = local;
    const mine = await buyerWithShipments(api, 1);
    const theirs = await buyerWithShipments(api, 1);
    const [their] = (await inboxOf(api, theirs.buyer)).items;
    const foreign = await api.post('/v1/me/notifications/read', mine.buyer, { upTo: their?.id });
    const unknown = await api.post('/v1/me/notifications/read', mine.buyer, { upTo: 'ntf_01ARZ3NDEKTSV4RRFFQ69G5FAV' });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ code: 'NOTIFICATION_NOT_FOUND' });
    expect(foreign.text.replaceAll(String(their?.id), '{id}')).toBe(unknown.text.replaceAll('ntf_01ARZ3NDEKTSV4RRFFQ69G5FAV', '{id}'));
    expect((await inboxOf(api, theirs.buyer)).unreadCount).toBe(1);
    expect((await inboxOf(api, mine.buyer)).items.map((item) => item.id)).not.toContain(their?.id);
  });
});
