// Handles as the first-run form shows them. The Go side does the real
// check; this only says what the handle will be.

/** normalizeHandle: trimmed, lower case, without a leading "@". */
export function normalizeHandle(input: string): string {
  return input.trim().replace(/^@+/, '').toLowerCase();
}

/**
 * fullHandle is the handle the account will get: a name without a dot
 * goes under the first handle domain (".test" → "alice.test").
 */
export function fullHandle(input: string, domains: string[]): string {
  const h = normalizeHandle(input);
  if (h === '' || h.includes('.') || domains.length === 0) return h;
  const d = domains[0].startsWith('.') ? domains[0] : '.' + domains[0];
  return h + d;
}

/** handleProblem says what is plainly wrong with a handle, or "". */
export function handleProblem(handle: string): string {
  if (handle === '') return '';
  if (handle.length > 253) return 'A handle is at most 253 characters long';
  if (!/^[a-z0-9.-]+$/.test(handle)) return 'Use only letters, digits, hyphens and dots';
  const labels = handle.split('.');
  if (labels.some((l) => l === '')) return 'A handle cannot start or end with a dot, or have two dots in a row';
  if (labels.some((l) => l.startsWith('-') || l.endsWith('-'))) return 'A part of a handle cannot start or end with a hyphen';
  if (labels.some((l) => l.length > 63)) return 'Each part of a handle is at most 63 characters';
  return '';
}

/** isDID tells a DID from a handle in a "handle or DID" field. */
export function isDID(s: string): boolean {
  return /^did:[a-z]+:[A-Za-z0-9._:%-]+$/.test(s.trim());
}
