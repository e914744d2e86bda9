/**
 * The JSON log lines at INFO and above written while `run` runs (what CloudWatch would hold), whatever
 * level the test run logs at otherwise.
 */
import { vi } from 'vitest';
import { logger } from '../../lambdas/platform/logger.js';

export async function logLines<T>(run: () => Promise<T>): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const written: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  }
  const level = logger.getLevelName();
  logger.setLogLevel('INFO');
  try {
    const result = await run();
    return { result, lines: written.flatMap((chunk) => chunk.split('\n')).filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>) };
  } finally {
    logger.setLogLevel(level);
    vi.restoreAllMocks();
  }
}
