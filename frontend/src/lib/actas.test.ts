import { describe, expect, it } from 'vitest';
import { actForProblem, actingTitle, collectionProblem, ended, pickCollection, validUntil } from './actas';

describe('actingTitle', () => {
  it('names the handle, else the DID', () => {
    expect(actingTitle('dave.test', 'did:plc:x')).toBe('Acting as @dave.test');
    expect(actingTitle('', 'did:plc:abc')).toBe('Acting as did:plc:abc');
  });
});

describe('validUntil', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  it('says how long the token lasts and that it renews', () => {
    expect(validUntil('2026-01-01T12:04:30Z', now)).toMatch(/^valid until .+ \(in 4 min\); renewed while your access lasts$/);
    expect(validUntil('2026-01-01T12:00:40Z', now)).toMatch(/\(in 40 s\)/);
  });
  it('says an expired token is renewed on the next action', () => {
    expect(validUntil('2026-01-01T11:59:00Z', now)).toMatch(/expired; renewed on your next action/);
  });
  it('copes with no time', () => {
    expect(validUntil('', now)).toBe('renewed while your access lasts');
    expect(validUntil('soon', now)).toBe('renewed while your access lasts');
  });
});

describe('ended', () => {
  it('is true when access was taken back or the session is gone', () => {
    expect(ended(new Error('This account does not let you act for it: … (GrantNotFound)'))).toBe(true);
    expect(ended('You are not acting for did:plc:x: choose Act as first (NotActing)')).toBe(true);
  });
  it('is false for other errors', () => {
    expect(ended(new Error('Your access does not allow that (InsufficientScope)'))).toBe(false);
    expect(ended(new Error('boom'))).toBe(false);
  });
});

describe('actForProblem', () => {
  it('accepts DIDs and handles', () => {
    expect(actForProblem('did:plc:abcdefghijklmnopqrstuvwx')).toBe('');
    expect(actForProblem('@dave.example.com')).toBe('');
  });
  it('says what is wrong', () => {
    expect(actForProblem('  ')).toMatch(/handle or DID/);
    expect(actForProblem('did:plc')).toMatch(/not written right/);
    expect(actForProblem('dave')).toMatch(/dot/);
  });
});

describe('pickCollection', () => {
  it('keeps the current one, else posts, else the first', () => {
    expect(pickCollection(['a.b.c', 'app.bsky.feed.post'], 'a.b.c')).toBe('a.b.c');
    expect(pickCollection(['a.b.c', 'app.bsky.feed.post'], 'x.y.z')).toBe('app.bsky.feed.post');
    expect(pickCollection(['a.b.c'], '')).toBe('a.b.c');
    expect(pickCollection([], 'a.b.c')).toBe('');
  });
});

describe('collectionProblem', () => {
  it('accepts NSIDs', () => {
    expect(collectionProblem('app.bsky.feed.post')).toBe('');
    expect(collectionProblem(' com.example.thing ')).toBe('');
  });
  it('refuses the rest', () => {
    expect(collectionProblem('')).toMatch(/Give the collection/);
    expect(collectionProblem('posts')).toMatch(/not a collection name/);
    expect(collectionProblem('app.bsky.feed.post!')).toMatch(/not a collection name/);
  });
});
