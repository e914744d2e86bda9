import { uploadRoutes } from '../../lib/routes/uploads.js';
import { httpFunction } from '../platform/http.js';
import { idempotencyStore } from '../store/idempotency.js';
import { createUpload } from '../services/uploads.js';

export const handler = httpFunction(uploadRoutes, {
  'POST /v1/uploads': async ({ principal, body }) => ({ body: await createUpload(principal, body) }),
}, { idempotency: idempotencyStore });
