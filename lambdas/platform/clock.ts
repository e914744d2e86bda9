/**
 * The one clock every handler, worker and job reads. In AWS it is the system clock; the local host moves
 * it (POST /local/clock) so that windows and deadlines can be walked through in seconds.
 */
let offsetMs = 0;

export const clock = {
  now(): Date {
    return new Date(Date.now() + offsetMs);
  },
  nowIso(): string {
    return clock.now().toISOString();
  },
};

/** Local host only: shift the clock by `deltaMs`, or set it to an absolute instant. */
export function moveClock(to: { advanceByMs: number } | { now: Date }): Date {
  if ('now' in to) offsetMs = to.now.getTime() - Date.now();
  else offsetMs += to.advanceByMs;
  return clock.now();
}
