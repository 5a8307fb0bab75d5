import { describe, expect, it } from 'vitest';
import { blobPercent, importEnded, importRunning, phaseWords } from './importing';

describe('import phases', () => {
  it('says each phase in words, unknown ones as they are', () => {
    expect(phaseWords('repo')).toBe('Copying the repository');
    expect(phaseWords('paused')).toMatch(/^Paused/);
    expect(phaseWords('verifying')).toBe('verifying');
  });

  it('can cancel only while running', () => {
    for (const p of ['idle', 'connecting', 'repo', 'blobs']) expect(importRunning(p)).toBe(true);
    for (const p of ['paused', 'done', 'failed', 'cancelled']) expect(importRunning(p)).toBe(false);
  });

  it('knows the final phases (paused is not: it can resume)', () => {
    expect(importEnded('done')).toBe(true);
    expect(importEnded('failed')).toBe(true);
    expect(importEnded('cancelled')).toBe(true);
    expect(importEnded('paused')).toBe(false);
    expect(importEnded('blobs')).toBe(false);
  });

  it('shows a blob percentage once the total is known', () => {
    expect(blobPercent(0, 0)).toBeNull();
    expect(blobPercent(3, 4)).toBe(75);
    expect(blobPercent(199, 200)).toBe(99); // never 100 before the last one
    expect(blobPercent(5, 4)).toBe(100);
  });
});
