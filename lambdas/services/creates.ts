/**
 * What a create that hangs off a buyer's order (a dispute, a review) reads first: the order, with the
 * Idempotency-Key's record in the same read. Not the buyer's order is 404; a key used before answers its
 * first response (`replay`) before anything is adopted or written.
 */
import { notFound } from '../domain/errors.js';
import type { Order } from '../domain/orders.js';
import type { Principal } from '../platform/auth.js';
import { replayFor, type IdempotentCreate, type StoredResponse } from '../store/idempotency.js';
import { readOrderForCreate } from '../store/orders.js';

export async function buyersOrderForCreate<V>(buyer: Principal, orderId: string, idempotency: IdempotentCreate<V> | undefined): Promise<{ order: Order; replay?: StoredResponse | undefined }> {
  const { order, record } = await readOrderForCreate(orderId, idempotency?.request);
  if (!order || order.buyerId !== buyer.userId) throw notFound('Order', orderId);
  return { order, replay: idempotency && replayFor(idempotency.request, record) };
}
