import { describe, expect, it } from 'vitest';
import { auditWhat, clientLabel, customScopeProblem, kindTitle, person, presetShort, presetTitle, rightsOf, whoProblem } from './delegation';

describe('presets', () => {
  it('names each preset in plain words', () => {
    expect(presetTitle('editor')).toBe('Editor: write records and upload files');
    expect(presetTitle('viewer')).toMatch(/^Viewer: /);
    expect(presetTitle('custom')).toBe('Custom permissions');
    expect(presetTitle('later')).toBe('Preset “later”');
    expect(presetShort('admin')).toBe('Admin');
    expect(presetShort('')).toBe('—');
  });
});

describe('forms', () => {
  it('checks a handle or DID', () => {
    expect(whoProblem('')).toMatch(/handle .* or DID/);
    expect(whoProblem('did:plc:ewvi7nxzyoun6zhxrhs64oiz')).toBe('');
    expect(whoProblem('did:plc')).toMatch(/not written right/);
    expect(whoProblem('@Bob.Example.com ')).toBe('');
    expect(whoProblem('bob')).toMatch(/dot/);
    expect(whoProblem('bob..example.com')).toMatch(/two dots/);
  });

  it('sends a preset or a tidied custom scope', () => {
    expect(rightsOf('editor', 'ignored')).toEqual({ preset: 'editor', scope: '' });
    expect(rightsOf('custom', '  atproto \n repo:app.bsky.feed.post  ')).toEqual({ preset: '', scope: 'atproto repo:app.bsky.feed.post' });
  });

  it('checks a custom scope', () => {
    expect(customScopeProblem('')).toMatch(/atproto/);
    expect(customScopeProblem('repo:*')).toBe('A scope always includes atproto');
    expect(customScopeProblem('atproto repo:*')).toBe('');
  });

  it('shows a person by handle, else DID', () => {
    expect(person('bob.test', 'did:plc:x')).toBe('@bob.test');
    expect(person('', 'did:plc:x')).toBe('did:plc:x');
    expect(person(undefined, 'did:plc:x')).toBe('did:plc:x');
  });
});

describe('clients', () => {
  it('names a client by its host', () => {
    expect(clientLabel('https://bsky.app/oauth-client-metadata.json')).toBe('bsky.app');
    expect(clientLabel('http://127.0.0.1:8080/client.json')).toBe('127.0.0.1:8080');
    expect(clientLabel('http://localhost')).toBe('a development app on this computer');
    expect(clientLabel('http://localhost?redirect_uri=http%3A%2F%2F127.0.0.1%2F')).toBe('a development app on this computer');
    expect(clientLabel('http://localhost.example.com/c.json')).toBe('localhost.example.com');
    expect(clientLabel('not a url')).toBe('not a url');
  });
});

describe('audit rows', () => {
  it('names kinds', () => {
    expect(kindTitle('grant.add')).toBe('Access given');
    expect(kindTitle('grant.revoke')).toBe('Access revoked');
    expect(kindTitle('token.issued')).toBe('Signed in as you');
    expect(kindTitle('other')).toBe('other');
  });

  it('says what happened', () => {
    expect(auditWhat({ kind: 'grant.add', preset: 'editor' })).toBe('as editor');
    expect(auditWhat({ kind: 'grant.update', preset: 'custom' })).toBe('now custom');
    expect(auditWhat({ kind: 'grant.revoke', preset: 'viewer' })).toBe('was viewer');
    expect(auditWhat({ kind: 'token.issued', clientId: 'https://app.example/client.json' })).toBe('through app.example');
    expect(auditWhat({ kind: 'write', action: 'create', collection: 'app.bsky.feed.post', rkey: '3k2a' })).toBe('created app.bsky.feed.post/3k2a');
    expect(auditWhat({ kind: 'write', action: 'delete', collection: 'app.bsky.feed.like', rkey: 'x', clientId: 'c' })).toBe(
      'deleted app.bsky.feed.like/x through c',
    );
    expect(auditWhat({ kind: 'write', action: 'create', collection: 'app.bsky.feed.post', rkey: 'y', clientId: 'http://localhost?scope=atproto' })).toBe(
      'created app.bsky.feed.post/y through a development app on this computer',
    );
    expect(auditWhat({ kind: 'grant.add' })).toBe('');
  });
});
