import { describe, expect, it } from 'vitest';
import { fieldLine, parseError } from './errors';

describe('parseError', () => {
  it('splits words and the XRPC name', () => {
    expect(parseError(new Error('That handle is not available (HandleNotAvailable)'))).toEqual({
      words: 'That handle is not available',
      name: 'HandleNotAvailable',
    });
  });

  it('reads the plain strings Wails rejects with', () => {
    expect(parseError('That passphrase does not open the key file (WrongPassphrase)')).toEqual({
      words: 'That passphrase does not open the key file',
      name: 'WrongPassphrase',
    });
  });

  it('capitalizes words the Go side left in lower case', () => {
    expect(parseError('this install already has its account (InvalidRequest)').words).toBe('This install already has its account');
  });

  it('leaves an identifier at the start as it is', () => {
    expect(parseError('did:plc:abc has not shared com.example.diary with you (Forbidden)').words).toBe(
      'did:plc:abc has not shared com.example.diary with you',
    );
    expect(parseError('com.example.diary is not a collection name (InvalidRequest)').words).toBe('com.example.diary is not a collection name');
    expect(parseError('alice.test: no such account (AccountNotFound)').words).toBe('alice.test: no such account');
    expect(parseError('a plain sentence (InvalidRequest)').words).toBe('A plain sentence');
  });

  it('keeps an error without a name whole', () => {
    expect(parseError(new Error('the server is stopped: start it from Home'))).toEqual({
      words: 'The server is stopped: start it from Home',
      name: '',
    });
  });

  it('does not take brackets inside the words for a name', () => {
    const p = parseError('Cannot listen on 127.0.0.1:2583 (change the port in Settings): address in use');
    expect(p.name).toBe('');
    expect(p.words).toBe('Cannot listen on 127.0.0.1:2583 (change the port in Settings): address in use');
  });

  it('finds the field of a lexicon error, without repeating it', () => {
    const p = parseError(
      'The record does not match its lexicon: field text: Invalid app.bsky.feed.post record: text: expected a string: int64 (InvalidRecord)',
    );
    expect(p.name).toBe('InvalidRecord');
    expect(p.field).toBe('text');
    expect(p.fieldMessage).toBe('expected a string: int64');
    expect(p.summary).toBe('The record does not match its lexicon');
    expect(p.words).toBe('The record does not match its lexicon: field text: Invalid app.bsky.feed.post record: text: expected a string: int64');
  });

  it('finds nested field paths', () => {
    const p = parseError('The record does not match its lexicon: field embed/images/0/alt: string too long (InvalidRecord)');
    expect(p.field).toBe('embed/images/0/alt');
    expect(p.fieldMessage).toBe('string too long');
  });

  it('copes with odd values', () => {
    expect(parseError(undefined).words).toBe('Something went wrong');
    expect(parseError({ message: 'Boom (InternalError)' })).toEqual({ words: 'Boom', name: 'InternalError' });
    expect(parseError(42).words).toBe('42');
  });
});

describe('fieldLine', () => {
  const json = JSON.stringify(
    { $type: 'app.bsky.feed.post', text: 'hi', embed: { images: [{ alt: 'a', image: {} }] }, createdAt: 'x' },
    null,
    2,
  );

  it('finds a top-level field', () => {
    expect(json.split('\n')[fieldLine(json, 'text') - 1]).toContain('"text": "hi"');
  });

  it('finds a nested field after its parents', () => {
    expect(json.split('\n')[fieldLine(json, 'embed/images/0/alt') - 1]).toContain('"alt": "a"');
  });

  it('is 0 for a field that is not there', () => {
    expect(fieldLine(json, 'langs')).toBe(0);
    expect(fieldLine(json, '')).toBe(0);
  });
});
