import { describe, expect, it } from 'vitest';
import { jsonProblem, newRecordTemplate, splitURI } from './records';
import { joinList, splitList } from './settings';
import { copyText } from './clipboard';

describe('new record template', () => {
  it('is a post with text and createdAt now', () => {
    const now = new Date('2026-11-25T03:00:00.000Z');
    const rec = JSON.parse(newRecordTemplate('app.bsky.feed.post', now));
    expect(rec).toEqual({ $type: 'app.bsky.feed.post', text: '', createdAt: '2026-11-25T03:00:00.000Z' });
    expect(newRecordTemplate('app.bsky.feed.post', now)).toContain('\n  "text"');
  });

  it('names another collection’s type', () => {
    const rec = JSON.parse(newRecordTemplate('com.example.note', new Date(0)));
    expect(rec.$type).toBe('com.example.note');
    expect(rec.text).toBeUndefined();
  });
});

describe('jsonProblem', () => {
  it('accepts an object', () => {
    expect(jsonProblem('{"text": "hi"}')).toBe('');
  });
  it('refuses broken JSON and non-objects', () => {
    expect(jsonProblem('{"text": ')).toMatch(/^This is not valid JSON/);
    expect(jsonProblem('[1]')).toMatch(/JSON object/);
    expect(jsonProblem('null')).toMatch(/JSON object/);
    expect(jsonProblem('"x"')).toMatch(/JSON object/);
  });
});

describe('splitURI', () => {
  it('takes an at:// URI apart', () => {
    expect(splitURI('at://did:plc:abc/app.bsky.feed.post/3k2')).toEqual({ did: 'did:plc:abc', collection: 'app.bsky.feed.post', rkey: '3k2' });
    expect(splitURI('https://example.com')).toBeNull();
  });
});

describe('settings lists', () => {
  it('splits on commas and lines, dropping blanks', () => {
    expect(splitList(' .test, .example.com ,,')).toEqual(['.test', '.example.com']);
    expect(splitList('https://relay.one\n\n https://relay.two \n')).toEqual(['https://relay.one', 'https://relay.two']);
    expect(splitList('')).toEqual([]);
  });
  it('joins for the fields', () => {
    expect(joinList(['.a', '.b'], ', ')).toBe('.a, .b');
    expect(joinList(null, '\n')).toBe('');
  });
});

describe('copyText', () => {
  it('uses the clipboard API when it works', async () => {
    const written: string[] = [];
    const ok = await copyText('did:plc:x', { clipboard: { writeText: async (t) => void written.push(t) } });
    expect(ok).toBe(true);
    expect(written).toEqual(['did:plc:x']);
  });

  it('falls back to a textarea and execCommand', async () => {
    const appended: { value: string }[] = [];
    let removed = 0;
    const ta = { value: '', style: {} as Record<string, string>, setAttribute() {}, select() {} };
    const doc = {
      createElement: () => ta,
      body: { appendChild: (el: { value: string }) => appended.push(el), removeChild: () => removed++ },
      execCommand: (cmd: string) => cmd === 'copy' && ta.value === 'did:plc:y',
    } as unknown as Document;
    const ok = await copyText('did:plc:y', {
      clipboard: {
        writeText: async () => {
          throw new Error('not allowed');
        },
      },
      document: doc,
    });
    expect(ok).toBe(true);
    expect(appended).toHaveLength(1);
    expect(removed).toBe(1);
  });

  it('says when nothing could copy', async () => {
    expect(await copyText('x', {})).toBe(false);
  });
});
