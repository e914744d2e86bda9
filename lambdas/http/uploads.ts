import { httpFunction } from '../platform/http.js';
import { createUpload } from '../services/uploads.js';

export const handler = httpFunction({
  'POST /v1/uploads': async ({ principal, body }) => ({ body: await createUpload(principal, body) }),
});
