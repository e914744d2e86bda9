import { uploadRules } from '../../lambdas/domain/media.js';
import type { FunctionSpec, ObjectAccess } from '../manifest.js';

/**
 * Where objects live in the media bucket. IAM grants (ManifestFunction) and lifecycle rules (the stateful
 * stack) are written per prefix, so the uploads code must build its keys under these same prefixes.
 */
export const mediaPrefixes = {
  /** Client uploads (presigned POSTs) land here and are deleted a day later: never used, or already copied. */
  incoming: 'incoming/',
  /** Platform-owned copies of checked uploads: the only media anyone else is shown. */
  owned: 'owned/',
  /** Platform copies of identity documents: only functions that declare `privateDocuments` reach them. */
  privateDocuments: 'private/kyc/',
} as const;
export type MediaPrefix = keyof typeof mediaPrefixes;

/**
 * The object patterns a function may reach, and how, from its manifest entry. Reading client posts is
 * granted per upload purpose: identity documents posted under incoming/kyc/ are read only by functions
 * that declare `privateDocuments` (seller verification copies them to private/kyc/), never by those that
 * adopt review media, evidence or listing images. Writing incoming/ (signing upload forms) covers every
 * purpose: a writer cannot read what it signed for.
 */
export function objectGrantsOf(spec: Pick<FunctionSpec, 'bucket' | 'privateDocuments'>): Record<string, ObjectAccess> {
  const grants: Record<string, ObjectAccess> = {};
  const rules = Object.values(uploadRules);
  const incoming = spec.bucket?.incoming;
  if (incoming === 'write') grants[`${mediaPrefixes.incoming}*`] = 'write';
  else if (incoming) for (const rule of rules.filter((candidate) => !candidate.private)) grants[`${mediaPrefixes.incoming}${rule.keyPrefix}/*`] = incoming;
  if (spec.bucket?.owned) grants[`${mediaPrefixes.owned}*`] = spec.bucket.owned;
  if (spec.privateDocuments) {
    grants[`${mediaPrefixes.privateDocuments}*`] = spec.privateDocuments;
    for (const rule of rules.filter((candidate) => candidate.private)) grants[`${mediaPrefixes.incoming}${rule.keyPrefix}/*`] = 'read';
  }
  return grants;
}
