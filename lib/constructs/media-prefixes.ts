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
