/** Reading an inbox through the API, for the notification tests. */
import { expect } from 'vitest';
import type { Actor, Api } from './local-api.js';

export interface NotificationItem {
  id: string;
  type: string;
  title: string;
  body: string;
  subject: { kind: string; id: string };
  dueAt?: string;
  createdAt: string;
  read: boolean;
}

export interface InboxPage {
  items: NotificationItem[];
  unreadCount: number;
  nextCursor: string | null;
}

export async function inboxOf(api: Api, as: Actor, query = 'limit=100'): Promise<InboxPage> {
  const response = await api.get<InboxPage>(`/v1/me/notifications?${query}`, as);
  expect(response.status, response.text).toBe(200);
  return response.body;
}

/** The notifications of `type` about `subjectId` in the actor's inbox. */
export async function noticesOf(api: Api, as: Actor, type: string, subjectId: string): Promise<NotificationItem[]> {
  return (await inboxOf(api, as)).items.filter((item) => item.type === type && item.subject.id === subjectId);
}
