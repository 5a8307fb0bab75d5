// Helpers for the record editor.

/** newRecordTemplate is the JSON the "New record" form starts with. */
export function newRecordTemplate(collection: string, now: Date = new Date()): string {
  if (collection === 'app.bsky.feed.post' || collection === '') {
    return JSON.stringify({ $type: 'app.bsky.feed.post', text: '', createdAt: now.toISOString() }, null, 2);
  }
  return JSON.stringify({ $type: collection, createdAt: now.toISOString() }, null, 2);
}

/** jsonProblem says why text is not a JSON object, or "" when it is one. */
export function jsonProblem(text: string): string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return 'This is not valid JSON: ' + (e instanceof Error ? e.message : String(e));
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'A record is a JSON object ({ ... })';
  return '';
}

/** splitURI takes an at:// URI apart. */
export function splitURI(uri: string): { did: string; collection: string; rkey: string } | null {
  const m = /^at:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(uri);
  return m ? { did: m[1], collection: m[2], rkey: m[3] } : null;
}
