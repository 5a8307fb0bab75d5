// Formatting for people: sizes, times, counts.

const units = ['B', 'kB', 'MB', 'GB', 'TB'];

/** formatBytes shows a size with decimal units, as file managers do. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n) || n < 0) return '—';
  if (n < 1000) return `${Math.round(n)} B`;
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  const digits = v < 10 ? 1 : 0;
  let s = v.toFixed(digits);
  if (s === '1000' && u < units.length - 1) {
    s = '1.0';
    u++;
  }
  return `${s} ${units[u]}`;
}

/** isZeroTime is true for Go's zero time and for missing or bad dates. */
export function isZeroTime(t: string | null | undefined): boolean {
  if (!t) return true;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) || d.getUTCFullYear() <= 1;
}

/** formatTime shows a timestamp in the local time zone ("—" when unset). */
export function formatTime(t: string | null | undefined): string {
  if (isZeroTime(t)) return '—';
  return new Date(t as string).toLocaleString();
}

/** formatShortTime is formatTime for tight places (a table column). */
export function formatShortTime(t: string | null | undefined): string {
  if (isZeroTime(t)) return '—';
  return new Date(t as string).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

/** formatAgo says how long ago t was, relative to now. */
export function formatAgo(t: string | null | undefined, now: Date = new Date()): string {
  if (isZeroTime(t)) return '—';
  const secs = Math.round((now.getTime() - new Date(t as string).getTime()) / 1000);
  if (secs < 5) return 'just now';
  if (secs < 60) return `${secs} s ago`;
  const mins = Math.floor(secs / 60);
  if (mins < 60) return `${mins} min ago`;
  const hours = Math.floor(mins / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  return `${days} day${days === 1 ? '' : 's'} ago`;
}

/** plural writes "1 record", "2 records". */
export function plural(n: number, one: string, many = one + 's'): string {
  if (!Number.isFinite(n)) n = 0;
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

/** shortCID keeps a CID's start and end, for tight places. */
export function shortCID(cid: string, keep = 8): string {
  if (cid.length <= 2 * keep + 1) return cid;
  return cid.slice(0, keep) + '…' + cid.slice(-keep);
}
