/**
 * The uploads function's routes. lib/manifest.ts gathers every group; the function imports only its own,
 * so its bundle carries only the schemas it validates.
 */
import * as uploads from '../../lambdas/contract/uploads.js';
import { uploaderRoles } from '../../lambdas/domain/media.js';
import type { RouteSpec } from './spec.js';

export const uploadRoutes = {
  // Which role may upload for which purpose is a rule of each purpose (domain/media.ts); the route takes every role that has one.
  'POST /v1/uploads': { fn: 'uploads', tag: 'Uploads', summary: 'Get a presigned S3 POST for one file', auth: 'required', roles: uploaderRoles, body: uploads.CreateUpload, idempotent: true, success: { status: 201, body: uploads.UploadTicket } },
} as const satisfies Record<string, RouteSpec>;
