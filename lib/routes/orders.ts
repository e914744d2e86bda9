/**
 * The orders function's routes. lib/manifest.ts gathers every group; the function imports only its own,
 * so its bundle carries only the schemas it validates.
 */
import * as orders from '../../lambdas/contract/orders.js';
import { buyer, seller, parties } from './roles.js';
import type { RouteSpec } from './spec.js';

export const orderRoutes = {
  'POST /v1/orders': { fn: 'orders', tag: 'Orders', summary: 'Place an order (holds the total in escrow)', auth: 'required', roles: buyer, body: orders.PlaceOrder, idempotent: true, success: { status: 201, body: orders.Order } },
  'GET /v1/orders': { fn: 'orders', tag: 'Orders', summary: 'My orders (buyer) or my store’s orders (seller)', auth: 'required', roles: ['buyer', 'seller'], query: orders.ListOrdersQuery, success: { status: 200, body: orders.OrderPage } },
  'GET /v1/orders/{orderId}': { fn: 'orders', tag: 'Orders', summary: 'An order with its escrow balance', auth: 'required', roles: parties, path: orders.OrderPathParams, success: { status: 200, body: orders.Order } },
  'POST /v1/orders/{orderId}/cancel': { fn: 'orders', tag: 'Orders', summary: 'Cancel before shipment (full refund)', auth: 'required', roles: ['buyer', 'seller'], path: orders.OrderPathParams, body: orders.CancelOrder, success: { status: 200, body: orders.Order } },
  'POST /v1/orders/{orderId}/shipment': { fn: 'orders', tag: 'Orders', summary: 'Ship (starts the protection period)', auth: 'required', roles: seller, path: orders.OrderPathParams, body: orders.ShipOrder, success: { status: 200, body: orders.Order } },
  'POST /v1/orders/{orderId}/tracking-events': { fn: 'orders', tag: 'Orders', summary: 'Record a carrier tracking event', auth: 'required', roles: ['seller', 'admin'], path: orders.OrderPathParams, body: orders.AddTrackingEvent, success: { status: 201, body: orders.TrackingEvent } },
  'GET /v1/orders/{orderId}/tracking': { fn: 'orders', tag: 'Orders', summary: 'Tracking events, oldest first', auth: 'required', roles: parties, path: orders.OrderPathParams, success: { status: 200, body: orders.TrackingList } },
  'POST /v1/orders/{orderId}/confirm-receipt': { fn: 'orders', tag: 'Orders', summary: 'Confirm goods received (releases escrow)', auth: 'required', roles: buyer, path: orders.OrderPathParams, success: { status: 200, body: orders.Order } },
  'POST /v1/orders/{orderId}/extend-protection': { fn: 'orders', tag: 'Orders', summary: 'Extend buyer protection by 15 days, once', auth: 'required', roles: buyer, path: orders.OrderPathParams, success: { status: 200, body: orders.Order } },
  'GET /v1/orders/{orderId}/ledger': { fn: 'orders', tag: 'Orders', summary: 'Escrow ledger: HOLD, RELEASE and REFUND entries', auth: 'required', roles: parties, path: orders.OrderPathParams, success: { status: 200, body: orders.Ledger } },
} as const satisfies Record<string, RouteSpec>;
