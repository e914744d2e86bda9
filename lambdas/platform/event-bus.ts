/**
 * Business events on an event bus (DOMAIN.md "Notifications": for the platform's own consumers, who
 * subscribe with a rule instead of a code change). In AWS: EventBridge, source `aftersale`, detail-type
 * the event's name, on the bus the AWS host names in EVENT_BUS_NAME (only functions that declare `emits`
 * get it, and the PutEvents grant). Like store/queue.ts for SendMessage, PutEvents is one signed POST
 * (`x-amz-target: AWSEvents.PutEvents`, JSON 1.1): the EventBridge client is not a dependency and
 * would add its own copy of the protocol code for this one call (docs/decisions/026-webhooks-event-bus.md).
 * Locally: the in-process bus of lib/local/event-bus.ts, which the local host plugs in here.
 */
import { signAwsJsonCall } from './aws-json-request.js';
import { env, region } from './config.js';

export const EVENT_SOURCE = 'aftersale';

export interface BusEvent {
  source: typeof EVENT_SOURCE;
  detailType: string;
  detail: Record<string, unknown>;
  time: string;
}

/** Where events go instead of EventBridge in this process (the local host's bus). */
export type EventSink = (event: BusEvent) => Promise<void> | void;
let localSink: EventSink | undefined;

/** The local host plugs its in-process bus in; returns the function that unplugs it. */
export function useLocalEventSink(sink: EventSink): () => void {
  localSink = sink;
  return () => {
    if (localSink === sink) localSink = undefined;
  };
}

const endpoint = (): URL => new URL(process.env.AWS_ENDPOINT_URL_EVENTBRIDGE ?? `https://events.${region()}.amazonaws.com`);

/** The signed PutEvents request for one event (exported for the request-shape test). */
export async function signPutEvents(busName: string, event: BusEvent, signingDate?: Date): Promise<{ url: URL; body: string; headers: Record<string, string> }> {
  const url = endpoint();
  const body = JSON.stringify({ Entries: [{ EventBusName: busName, Source: event.source, DetailType: event.detailType, Detail: JSON.stringify(event.detail), Time: Math.floor(new Date(event.time).getTime() / 1000) }] });
  const headers = await signAwsJsonCall({ service: 'events', endpoint: url, target: 'AWSEvents.PutEvents', jsonVersion: '1.1', body, signingDate });
  return { url, body, headers };
}

/**
 * How long one PutEvents may take: it runs after a use case committed, inside the caller's request or
 * worker, so a slow bus must cost at most this (the failure is logged by business-events.ts, never thrown
 * into the use case).
 */
export const PUT_EVENTS_TIMEOUT_MS = 2_000;

async function putEvent(busName: string, event: BusEvent): Promise<void> {
  const { url, body, headers } = await signPutEvents(busName, event);
  const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(PUT_EVENTS_TIMEOUT_MS) });
  const text = await response.text();
  if (!response.ok) throw new Error(`PutEvents failed (${response.status}): ${text.slice(0, 200)}`);
  // EventBridge answers 200 with per-entry failures (throttling, an internal error): one entry here.
  const answer = JSON.parse(text) as { FailedEntryCount?: number; Entries?: { ErrorCode?: string; ErrorMessage?: string }[] };
  if (answer.FailedEntryCount) throw new Error(`PutEvents refused the event: ${answer.Entries?.[0]?.ErrorCode ?? 'unknown'} ${answer.Entries?.[0]?.ErrorMessage ?? ''}`.trim());
}

/** Publishes one event: on EventBridge where the host named a bus, else to the local bus if one is plugged in. */
export async function publishEvent(event: BusEvent): Promise<void> {
  const busName = process.env[env.EVENT_BUS_NAME];
  if (busName) return putEvent(busName, event);
  if (localSink) await localSink(event);
}
