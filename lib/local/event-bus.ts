/**
 * The local host's stand-in for the EventBridge bus: business events of every handler, worker and job
 * of this process reach the subscribers here (lambdas/platform/event-bus.ts hands them over), as an
 * EventBridge rule would. Tests subscribe to see that a use case published what it should.
 */
import type { BusinessEvent } from '../manifest.js';
import type { BusEvent } from '../../lambdas/platform/event-bus.js';

export type Subscriber = (event: BusEvent) => void | Promise<void>;

export interface LocalEventBus {
  /** Every event, or those of one detail-type; returns the function that unsubscribes. */
  subscribe(subscriber: Subscriber, detailType?: BusinessEvent): () => void;
  publish(event: BusEvent): Promise<void>;
}

export function createLocalEventBus(log: (line: string) => void = () => undefined): LocalEventBus {
  const subscribers = new Set<{ subscriber: Subscriber; detailType: string | undefined }>();
  return {
    subscribe(subscriber, detailType) {
      const entry = { subscriber, detailType };
      subscribers.add(entry);
      return () => {
        subscribers.delete(entry);
      };
    },
    async publish(event) {
      // Like EventBridge, a consumer's failure is its own: the publisher is never told.
      for (const { subscriber, detailType } of [...subscribers]) {
        if (detailType !== undefined && detailType !== event.detailType) continue;
        try {
          await subscriber(event);
        } catch (error) {
          log(`event bus subscriber failed on ${event.detailType}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    },
  };
}
