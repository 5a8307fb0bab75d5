import { describe, expect, it } from 'vitest';
import { formatAgo, formatBytes, formatTime, isZeroTime, plural, shortCID } from './format';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [1536, '1.5 kB'],
    [534_528, '535 kB'],
    [999_999, '1.0 MB'],
    [12_345_678, '12 MB'],
    [5_000_000_000, '5.0 GB'],
    [3e15, '3000 TB'],
  ])('%d → %s', (n, want) => {
    expect(formatBytes(n)).toBe(want);
  });

  it('shows a dash for missing or bad sizes', () => {
    expect(formatBytes(undefined)).toBe('—');
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('times', () => {
  it('treats Go’s zero time as unset', () => {
    expect(isZeroTime('0001-01-01T00:00:00Z')).toBe(true);
    expect(formatTime('0001-01-01T00:00:00Z')).toBe('—');
    expect(formatTime('')).toBe('—');
    expect(isZeroTime('2026-11-25T03:04:30.416Z')).toBe(false);
  });

  it('says how long ago', () => {
    const now = new Date('2026-11-25T12:00:00Z');
    expect(formatAgo('2026-11-25T11:59:58Z', now)).toBe('just now');
    expect(formatAgo('2026-11-25T11:59:30Z', now)).toBe('30 s ago');
    expect(formatAgo('2026-11-25T11:15:00Z', now)).toBe('45 min ago');
    expect(formatAgo('2026-11-25T09:00:00Z', now)).toBe('3 h ago');
    expect(formatAgo('2026-11-24T12:00:00Z', now)).toBe('1 day ago');
    expect(formatAgo('2026-11-20T12:00:00Z', now)).toBe('5 days ago');
  });
});

describe('words', () => {
  it('plural', () => {
    expect(plural(1, 'blob')).toBe('1 blob');
    expect(plural(0, 'blob')).toBe('0 blobs');
    expect(plural(1200, 'record')).toBe('1,200 records');
    expect(plural(2, 'entry', 'entries')).toBe('2 entries');
    expect(plural(undefined as unknown as number, 'blob')).toBe('0 blobs');
  });

  it('shortCID', () => {
    expect(shortCID('bafkreiabcdefghijklmnopqrstuvwxyz')).toBe('bafkreia…stuvwxyz');
    expect(shortCID('short')).toBe('short');
  });
});
