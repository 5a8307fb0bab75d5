// Words and small decisions for acting for another account from the
// window (pages/ActAs.tsx). The Go side keeps the token; the page only
// shows who, what the access allows and until when.

import { parseError } from './errors';
import { isDID, normalizeHandle, handleProblem } from './handle';

/** actingTitle is the panel's title: "Acting as @handle", else the DID. */
export function actingTitle(handle: string, did: string): string {
  return 'Acting as ' + (handle ? '@' + handle : did);
}

/**
 * validUntil says until when the current token is good and that it renews
 * itself: "valid until 14:05 (in 4 min); renewed while your access lasts".
 */
export function validUntil(expiresAt: string, now: Date = new Date()): string {
  const t = new Date(expiresAt);
  if (!expiresAt || Number.isNaN(t.getTime())) return 'renewed while your access lasts';
  const secs = Math.round((t.getTime() - now.getTime()) / 1000);
  const clock = t.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const left = secs <= 0 ? 'expired; renewed on your next action' : secs < 60 ? `in ${secs} s` : `in ${Math.floor(secs / 60)} min`;
  return `valid until ${clock} (${left}); renewed while your access lasts`;
}

/** ended reports whether an error means the session is over (access taken back, or no longer acting). */
export function ended(err: unknown): boolean {
  const name = parseError(err).name;
  return name === 'GrantNotFound' || name === 'NotActing';
}

/** actForProblem says what is plainly wrong with an "account to act for" entry, or "". */
export function actForProblem(input: string): string {
  const s = input.trim().replace(/^@/, '');
  if (s === '') return 'Give the handle or DID of the account to act for';
  if (s.startsWith('did:')) return isDID(s) ? '' : 'That DID is not written right: it looks like did:plc:abc123…';
  const h = normalizeHandle(s);
  if (!h.includes('.')) return 'A handle has a dot in it, like alice.example.com';
  return handleProblem(h);
}

/**
 * pickCollection keeps the chosen collection while it exists, else the
 * posts collection when there is one, else the first (or "" for none).
 */
export function pickCollection(names: string[], current: string): string {
  if (current && names.includes(current)) return current;
  if (names.includes('app.bsky.feed.post')) return 'app.bsky.feed.post';
  return names[0] ?? '';
}

/** collectionProblem says what is plainly wrong with a collection name (an NSID), or "". */
export function collectionProblem(name: string): string {
  const s = name.trim();
  if (s === '') return 'Give the collection, like app.bsky.feed.post';
  if (!/^[a-zA-Z]([a-zA-Z0-9-]{0,62})?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})?)+\.[a-zA-Z][a-zA-Z0-9]{0,62}$/.test(s)) {
    return `“${s}” is not a collection name: it looks like app.bsky.feed.post`;
  }
  return '';
}
