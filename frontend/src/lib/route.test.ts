import { describe, expect, it } from 'vitest';
import { chooseScreen, pageFromHash } from './route';

describe('chooseScreen', () => {
  it('follows the phase', () => {
    expect(chooseScreen(null, null, false)).toBe('loading');
    expect(chooseScreen({ phase: 'locked' }, null, false)).toBe('locked');
    expect(chooseScreen({ phase: 'importing' }, true, false)).toBe('importing');
    expect(chooseScreen({ phase: 'ready' }, true, true)).toBe('ready');
    expect(chooseScreen({ phase: 'firstRun' }, true, false)).toBe('firstRun');
  });

  it('never offers the first-run form while the server is stopped', () => {
    // Stopped from Home: stay in the frame.
    expect(chooseScreen({ phase: 'firstRun' }, false, true)).toBe('ready');
    // Never seen an account (e.g. the server did not start): say so.
    expect(chooseScreen({ phase: 'firstRun' }, false, false)).toBe('stopped');
    expect(chooseScreen({ phase: 'firstRun' }, null, false)).toBe('loading');
  });

  it('waits on an unknown phase', () => {
    expect(chooseScreen({ phase: 'something' }, true, true)).toBe('loading');
  });
});

describe('pageFromHash', () => {
  it('reads the page', () => {
    expect(pageFromHash('#/repository')).toBe('repository');
    expect(pageFromHash('#/Settings')).toBe('settings');
    expect(pageFromHash('#/repository/app.bsky.feed.post')).toBe('repository');
    expect(pageFromHash('#exposure')).toBe('exposure');
  });

  it('falls back to Home', () => {
    expect(pageFromHash('')).toBe('home');
    expect(pageFromHash('#/nope')).toBe('home');
    expect(pageFromHash('#/constructor')).toBe('home');
  });
});
