/**
 * Webhooks (DOMAIN.md "Notifications", API.md): a user's one registered URL, and the delivery of each
 * notification to it — signed, retried with exponential backoff and full jitter for 24 hours after the
 * first attempt, then DEAD. Pure: the registration, the delivery record and how an attempt's outcome
 * moves it; the HTTP call and the signature are the platform's.
 */
import { NOTIFICATION_TYPES, type Notification, type NotificationType } from './notifications.js';
import { addMs } from './time.js';

export interface WebhookRegistration {
  userId: string;
  url: string;
  /** The notification types delivered; every type when the user named none. */
  events: NotificationType[];
  /** The HMAC key (its UTF-8 bytes): shown once, when registered; registering again rotates it. */
  secret: string;
  createdAt: string;
  updatedAt: string;
}

export const DELIVERY_STATES = ['PENDING', 'DELIVERED', 'DEAD'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface WebhookDelivery {
  userId: string;
  notificationId: string;
  state: DeliveryState;
  /** Attempts made (answered or not); 0 until the first one ends. */
  attempts: number;
  /** The HTTP status of the last attempt; null before one, or when it got no answer (refused, timed out). */
  lastStatus: number | null;
  /** When the next attempt is due (PENDING only). */
  nextAttemptAt: string | null;
  /** Retries stop 24 h after this. */
  firstAttemptAt: string;
  updatedAt: string;
}

export const subscribes = (registration: Pick<WebhookRegistration, 'events'>, type: NotificationType): boolean => registration.events.includes(type);

/** The types a registration delivers: those named, or all of them. */
export const subscribedTypes = (events: readonly NotificationType[] | undefined): NotificationType[] =>
  events === undefined || events.length === 0 ? [...NOTIFICATION_TYPES] : NOTIFICATION_TYPES.filter((type) => events.includes(type));

const MINUTE_MS = 60_000;

/**
 * Retries: exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): the gap after the n-th failed attempt is uniformly random in [0, min(cap, base·2^(n−1))],
 * so receivers that fail together do not get their retries together. The timers sweep fires them, so a
 * gap shorter than its interval waits for the next sweep.
 */
export const webhookRetry = {
  baseMs: MINUTE_MS,
  capMs: 2 * 60 * MINUTE_MS,
  /** No attempt later than this after the first one: the delivery is DEAD instead. */
  windowMs: 24 * 60 * MINUTE_MS,
} as const;

/** How long an attempt holds its delivery: longer than the 10 s request, so only a dead worker's claim runs out. */
export const ATTEMPT_LEASE_MS = 60_000;

/** The longest gap after the `attempts`-th failed attempt (the jitter picks a gap up to it). */
export const maxRetryDelayMs = (attempts: number): number => Math.min(webhookRetry.capMs, webhookRetry.baseMs * 2 ** Math.max(0, attempts - 1));

/** The gap after the `attempts`-th failed attempt, for `random` uniform in [0, 1). */
export const retryDelayMs = (attempts: number, random: number): number => Math.floor(random * maxRetryDelayMs(attempts));

/** A new delivery of a notification, before its first attempt. */
export const newDelivery = (userId: string, notificationId: string, now: string): WebhookDelivery => ({
  userId,
  notificationId,
  state: 'PENDING',
  attempts: 0,
  lastStatus: null,
  nextAttemptAt: now,
  firstAttemptAt: now,
  updatedAt: now,
});

/** What one attempt got: an HTTP status, or no answer at all. */
export type AttemptOutcome = { status: number } | { status: null; reason: string };

export const delivered = (outcome: AttemptOutcome): boolean => outcome.status !== null && outcome.status >= 200 && outcome.status < 300;

/** The last moment an attempt may be scheduled for: 24 h after the first one. */
const retryDeadline = (delivery: Pick<WebhookDelivery, 'firstAttemptAt'>): string => addMs(delivery.firstAttemptAt, webhookRetry.windowMs);

/**
 * The delivery after an attempt made at `now`: DELIVERED on a 2xx; otherwise the next attempt after a
 * jittered gap, but no later than 24 h after the first attempt (a gap that would pass it is cut short,
 * so the receiver gets its last try at the deadline); DEAD after the attempt made at the deadline.
 */
export function afterAttempt(delivery: WebhookDelivery, outcome: AttemptOutcome, now: string, random: number): WebhookDelivery {
  const attempts = delivery.attempts + 1;
  const base = { ...delivery, attempts, lastStatus: outcome.status, updatedAt: now };
  if (delivered(outcome)) return { ...base, state: 'DELIVERED', nextAttemptAt: null };
  const deadline = retryDeadline(delivery);
  if (now >= deadline) return { ...base, state: 'DEAD', nextAttemptAt: null };
  const next = addMs(now, retryDelayMs(attempts, random));
  return { ...base, state: 'PENDING', nextAttemptAt: next < deadline ? next : deadline };
}

/**
 * A due, still-pending delivery whose attempt was scheduled past its 24 h (only a dead worker's lease,
 * which stands a minute past the attempt it claimed, is): DEAD without another try. An attempt scheduled
 * at the deadline is still made, however late the timers sweep brings it.
 */
export const pastWindow = (delivery: Pick<WebhookDelivery, 'firstAttemptAt' | 'nextAttemptAt'>): boolean =>
  delivery.nextAttemptAt !== null && delivery.nextAttemptAt > retryDeadline(delivery);

/** What a delivery POSTs: the notification as the inbox lists it (API.md), without the recipient's read state. */
export const webhookPayload = (notification: Notification) => ({
  id: notification.notificationId,
  type: notification.type,
  title: notification.title,
  body: notification.body,
  subject: notification.subject,
  ...(notification.dueAt !== null && { dueAt: notification.dueAt }),
  createdAt: notification.createdAt,
});
