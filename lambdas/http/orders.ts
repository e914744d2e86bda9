import { orderRoutes } from '../../lib/routes/orders.js';
import { httpFunction } from '../platform/http.js';
import { created, idempotentRequest, recordedByUseCase, replayed } from '../store/idempotency.js';
import * as orders from '../services/orders.js';

export const handler = httpFunction(orderRoutes, {
  'POST /v1/orders': async ({ principal, body, event }) => {
    const request = idempotentRequest(event, principal.userId, 'POST /v1/orders', undefined, body);
    const placed = await orders.placeOrder(principal, body, request && { request, respond: (order) => created(order, `/v1/orders/${order.orderId}`) });
    return placed.replay ? replayed(placed.replay) : { body: placed.order, location: `/v1/orders/${placed.order.orderId}` };
  },
  'GET /v1/orders': async ({ principal, query }) => ({ body: await orders.listMyOrders(principal, query) }),
  'GET /v1/orders/{orderId}': async ({ principal, path }) => ({ body: await orders.viewOrder(principal, path.orderId) }),
  'POST /v1/orders/{orderId}/cancel': async ({ principal, path, body }) => ({ body: await orders.cancelOrder(principal, path.orderId, body.reason) }),
  'POST /v1/orders/{orderId}/shipment': async ({ principal, path, body }) => ({ body: await orders.shipOrder(principal, path.orderId, body) }),
  'POST /v1/orders/{orderId}/tracking-events': async ({ principal, path, body }) => ({
    body: await orders.addTrackingEvent(principal, path.orderId, body),
    location: `/v1/orders/${path.orderId}/tracking`,
  }),
  'GET /v1/orders/{orderId}/tracking': async ({ principal, path }) => ({ body: await orders.trackingOf(principal, path.orderId) }),
  'POST /v1/orders/{orderId}/confirm-receipt': async ({ principal, path }) => ({ body: await orders.confirmReceipt(principal, path.orderId) }),
  'POST /v1/orders/{orderId}/extend-protection': async ({ principal, path }) => ({ body: await orders.extendProtection(principal, path.orderId) }),
  'GET /v1/orders/{orderId}/ledger': async ({ principal, path }) => ({ body: await orders.ledgerOf(principal, path.orderId) }),
}, { idempotency: recordedByUseCase });
