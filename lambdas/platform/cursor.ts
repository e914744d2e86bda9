import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../domain/errors.js';
import { env, required } from './config.js';

/**
 * Opaque, tamper-proof list cursors (API.md). A cursor carries DynamoDB's LastEvaluatedKey, signed with
 * HMAC-SHA256 over the key and the list it belongs to (`scope`), so a cursor cannot be edited to read
 * another partition, nor replayed against a different list.
 */
type Key = Record<string, unknown>;

/** An HMAC-SHA256 is 32 bytes: 43 base64url characters, the last one carrying no unused bits. */
const CANONICAL_MAC = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

const sign = (payload: string, scope: string): Buffer =>
  createHmac('sha256', required(env.CURSOR_SECRET)).update(scope).update('\n').update(payload).digest();

export function encodeCursor(key: Key | undefined, scope: string): string | null {
  if (!key) return null;
  const payload = Buffer.from(JSON.stringify(key)).toString('base64url');
  return `${payload}.${sign(payload, scope).toString('base64url')}`;
}

export function decodeCursor(cursor: string | undefined, scope: string): Key | undefined {
  if (cursor === undefined) return undefined;
  const invalid = new DomainError('INVALID_CURSOR', 'The cursor is not valid for this list.', [{ path: 'cursor', message: 'invalid cursor' }]);
  const [payload, mac, extra] = cursor.split('.');
  // Node's base64url decoder skips stray characters and padding; only the canonical form is accepted,
  // so any edit to a cursor is refused rather than silently decoded to the same bytes.
  if (!payload || !mac || extra !== undefined || !CANONICAL_MAC.test(mac) || !/^[A-Za-z0-9_-]+$/.test(payload)) throw invalid;
  if (Buffer.from(payload, 'base64url').toString('base64url') !== payload) throw invalid;
  const expected = sign(payload, scope);
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid;
  try {
    const key: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof key !== 'object' || key === null || Array.isArray(key)) throw invalid;
    return key as Key;
  } catch {
    throw invalid;
  }
}
