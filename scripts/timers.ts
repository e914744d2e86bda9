/**
 * Runbook for parked timers (docs/decisions/005-timer-buckets.md), against the table in TABLE_NAME with the
 * usual AWS credentials of the shell:
 *   npx tsx scripts/timers.ts parked                      list parked timers, oldest first
 *   npx tsx scripts/timers.ts release <kind> <entityId>   put one back in the due index
 */
import { listParkedTimers, releaseParkedTimer, type TimerKind } from '../lambdas/store/timers.js';

const [command, kind, entityId] = process.argv.slice(2);

if (command === 'parked') {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await listParkedTimers(100, startKey);
    for (const timer of page.timers) process.stdout.write(`${JSON.stringify(timer)}\n`);
    startKey = page.lastKey;
  } while (startKey);
} else if (command === 'release' && kind && entityId) {
  const released = await releaseParkedTimer(kind as TimerKind, entityId);
  process.stdout.write(released ? `released ${kind} ${entityId}: it fires at the next sweep\n` : `${kind} ${entityId} is not parked: nothing to do\n`);
} else {
  process.stderr.write('usage: npx tsx scripts/timers.ts parked | release <kind> <entityId>\n');
  process.exitCode = 2;
}
