import { afterEach, describe, expect, it, vi } from 'vitest';
import { businessEvent } from '../../lambdas/platform/business-events.js';
import { logger } from '../../lambdas/platform/logger.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('business events', () => {
  it('are JSON log lines carrying the field the metric filters match ({ $.businessEvent = … })', () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const level = logger.getLevelName();
    logger.setLogLevel('INFO');
    businessEvent('OrderPlaced', { orderId: 'ord_1' });
    logger.setLogLevel(level);
    const entry = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((parsed) => parsed.businessEvent === 'OrderPlaced');
    expect(entry).toMatchObject({ level: 'INFO', message: 'OrderPlaced', businessEvent: 'OrderPlaced', orderId: 'ord_1' });
  });
});
