/** Instants are ISO-8601 UTC strings everywhere in the domain; this is the one way to move one. */
export const addMs = (iso: string, ms: number): string => new Date(new Date(iso).getTime() + ms).toISOString();
