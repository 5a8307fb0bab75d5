import { describe, expect, it } from 'vitest';
import {
  asksForHosts,
  configChanges,
  countWords,
  defaultWords,
  draftOf,
  drafts,
  fieldOfError,
  formatLatency,
  grantFrom,
  grantSummary,
  initialTicks,
  kibWords,
  itemWords,
  parseDraft,
  serverStopped,
  setTypedHosts,
  shortHash,
  stateBadge,
  subList,
  tickCapability,
  tickItem,
  type Capability,
  type ConfigField,
} from './plugins';

const declared: Capability[] = [
  { kind: 'http:fetch', hosts: ['hooks.example.com', '*.example.org'], methods: ['POST'], description: 'Send HTTP requests…' },
  { kind: 'record:read', collections: ['app.bsky.*'] },
  { kind: 'kv:read' },
  { kind: 'kv:write' },
];

describe('badges', () => {
  it('names each state', () => {
    expect(stateBadge('enabled')).toMatchObject({ label: 'Enabled', tone: 'ok' });
    expect(stateBadge('disabled')).toMatchObject({ label: 'Disabled', tone: '' });
    expect(stateBadge('failed')).toMatchObject({ label: 'Failed', tone: 'danger' });
    expect(stateBadge('failed').title).toMatch(/stopped/);
    expect(stateBadge('').label).toBe('Unknown');
  });
});

describe('the capability review', () => {
  it('ticks everything declared at first and grants it all', () => {
    const t = initialTicks(declared);
    expect(t['http:fetch']).toEqual({ on: true, items: { 'hooks.example.com': true, '*.example.org': true } });
    expect(grantFrom(declared, t)).toEqual([
      { kind: 'http:fetch', methods: ['POST'], hosts: ['hooks.example.com', '*.example.org'] },
      { kind: 'record:read', collections: ['app.bsky.*'] },
      { kind: 'kv:read' },
      { kind: 'kv:write' },
    ]);
    expect(grantSummary(declared, t)).toBe('Grants all 4 capabilities it asks for.');
  });

  it('narrows a list item by item and leaves out an unticked capability', () => {
    let t = initialTicks(declared);
    t = tickItem(t, 'http:fetch', '*.example.org', false);
    t = tickCapability(t, 'kv:write', false);
    expect(grantFrom(declared, t)).toEqual([
      { kind: 'http:fetch', methods: ['POST'], hosts: ['hooks.example.com'] },
      { kind: 'record:read', collections: ['app.bsky.*'] },
      { kind: 'kv:read' },
    ]);
    expect(grantSummary(declared, t)).toBe('Grants 3 of the 4 capabilities it asks for, some narrowed.');
  });

  it('never sends an empty list, which would mean everything declared', () => {
    let t = initialTicks(declared);
    t = tickItem(t, 'http:fetch', '*.example.org', false);
    t = tickItem(t, 'http:fetch', 'hooks.example.com', false);
    expect(t['http:fetch'].on).toBe(false);
    expect(grantFrom(declared, t).map((c) => c.kind)).toEqual(['record:read', 'kv:read', 'kv:write']);
    // Ticking one item again ticks the capability.
    t = tickItem(t, 'http:fetch', 'hooks.example.com', true);
    expect(t['http:fetch'].on).toBe(true);
    expect(grantFrom(declared, t)[0].hosts).toEqual(['hooks.example.com']);
    // Unticking the capability unticks its items; ticking it ticks them all.
    t = tickCapability(t, 'http:fetch', false);
    expect(Object.values(t['http:fetch'].items)).toEqual([false, false]);
    t = tickCapability(t, 'http:fetch', true);
    expect(grantFrom(declared, t)[0].hosts).toEqual(['hooks.example.com', '*.example.org']);
  });

  it('grants nothing when nothing is ticked, and says so', () => {
    let t = initialTicks(declared);
    for (const c of declared) t = tickCapability(t, c.kind, false);
    expect(grantFrom(declared, t)).toEqual([]);
    expect(grantSummary(declared, t)).toBe('Grants none of the capabilities it asks for.');
    expect(grantSummary([], initialTicks([]))).toBe('It asks for no capabilities.');
  });

  it('ignores ticks of what is not declared', () => {
    const t = initialTicks(declared);
    expect(tickItem(t, 'http:fetch', 'evil.example.net', true)).toBe(t);
    expect(tickCapability(t, 'repo:export', true)).toBe(t);
  });

  it('knows which list each kind narrows, in words', () => {
    expect(subList(declared[0])?.name).toBe('hosts');
    expect(subList({ kind: 'xrpc:register', nsids: ['dev.example.x.*'] })).toMatchObject({ name: 'nsids', label: 'Methods' });
    expect(subList({ kind: 'kv:read' })).toBeNull();
    expect(itemWords('hosts', '*.example.org')).toBe('any host under example.org');
    expect(itemWords('hosts', 'hooks.example.com')).toBe('hooks.example.com');
    expect(itemWords('collections', 'app.bsky.*')).toBe('everything under app.bsky');
    expect(itemWords('collections', '*')).toBe('every collection');
    expect(itemWords('nsids', 'dev.example.ping')).toBe('dev.example.ping');
  });
});

describe('numbers', () => {
  it('reads latencies', () => {
    expect(formatLatency(0, 0)).toBe('—');
    expect(formatLatency(12, 0)).toBe('—');
    expect(formatLatency(4.26, 3)).toBe('4.3 µs');
    expect(formatLatency(49.4, 3)).toBe('49 µs');
    expect(formatLatency(1530, 3)).toBe('1.5 ms');
    expect(formatLatency(25_400, 3)).toBe('25 ms');
    expect(formatLatency(2_500_000, 3)).toBe('2.50 s');
  });

  it('counts', () => {
    expect(countWords(1, 'call', 'calls')).toBe('1 call');
    expect(countWords(12345, 'call', 'calls')).toBe('12,345 calls');
    expect(countWords(0, 'error', 'errors')).toBe('0 errors');
  });

  it('reads sizes', () => {
    expect(kibWords(1024)).toBe('1 MiB');
    expect(kibWords(3072)).toBe('3 MiB');
    expect(kibWords(1536)).toBe('1536 KiB');
    expect(kibWords(64)).toBe('64 KiB');
  });

  it('shortens a hash', () => {
    expect(shortHash('a'.repeat(64))).toBe('a'.repeat(16) + '…');
    expect(shortHash('abc')).toBe('abc');
  });
});

describe('the configuration editor', () => {
  const fields: ConfigField[] = [
    { key: 'banned', type: 'string[]', default: [], value: ['spam'], set: true },
    { key: 'greeting', type: 'string', default: 'hi', value: 'hi', set: false },
    { key: 'limit', type: 'int', default: 5, value: 5, set: false },
    { key: 'ratio', type: 'number', default: 0.5, value: 0.5, set: false },
    { key: 'strict', type: 'bool', default: false, value: false, set: false },
  ];

  it('fills the controls from the values', () => {
    expect(drafts(fields)).toEqual({ banned: 'spam', greeting: 'hi', limit: '5', ratio: '0.5', strict: false });
    expect(draftOf('string[]', ['a', 'b'])).toBe('a\nb');
    expect(draftOf('string[]', null)).toBe('');
    expect(draftOf('int', undefined)).toBe('');
    expect(draftOf('string', null)).toBe('');
    expect(draftOf('bool', true)).toBe(true);
  });

  it('reads each type, or says what is wrong', () => {
    expect(parseDraft('string[]', ' spam \n\n eggs\n')).toEqual({ value: ['spam', 'eggs'] });
    expect(parseDraft('string[]', '')).toEqual({ value: [] });
    expect(parseDraft('string', '  keep spaces ')).toEqual({ value: '  keep spaces ' });
    expect(parseDraft('int', ' 42 ')).toEqual({ value: 42 });
    expect(parseDraft('int', '-3')).toEqual({ value: -3 });
    expect(parseDraft('int', '4.5')).toEqual({ error: 'Type a whole number' });
    expect(parseDraft('int', '')).toEqual({ error: 'Type a whole number' });
    expect(parseDraft('int', '99999999999999999999')).toEqual({ error: 'That number is too large' });
    expect(parseDraft('number', '4.5')).toEqual({ value: 4.5 });
    expect(parseDraft('number', 'abc')).toEqual({ error: 'Type a number' });
    expect(parseDraft('number', ' ')).toEqual({ error: 'Type a number' });
    expect(parseDraft('bool', true)).toEqual({ value: true });
  });

  it('sends only what changed, and keeps problems by field', () => {
    const d = drafts(fields);
    expect(configChanges(fields, d)).toEqual({ values: {}, errors: {} });
    const edited = { ...d, banned: 'spam\neggs', limit: 'ten', strict: true };
    expect(configChanges(fields, edited)).toEqual({ values: { banned: ['spam', 'eggs'], strict: true }, errors: { limit: 'Type a whole number' } });
  });

  it('shows a default in words', () => {
    expect(defaultWords('string[]', [])).toBe('none');
    expect(defaultWords('string[]', ['a', 'b'])).toBe('a, b');
    expect(defaultWords('bool', true)).toBe('on');
    expect(defaultWords('string', '')).toBe('empty');
    expect(defaultWords('int', 3)).toBe('3');
    expect(defaultWords('int', null)).toBe('none');
  });

  it('finds the field a refusal names', () => {
    const err = new Error("The configuration does not fit the plugin's schema: field banned: value is not of type string[] (InvalidConfig)");
    expect(fieldOfError(err, ['banned'])).toEqual({ key: 'banned', message: 'Value is not of type string[]' });
    expect(fieldOfError(err, ['other'])).toBeNull();
    expect(fieldOfError(new Error('No plugin with that id is installed (PluginNotFound)'), ['banned'])).toBeNull();
  });
});

describe('a stopped server', () => {
  it('is told from other errors', () => {
    expect(serverStopped(new Error('the server is stopped: start it from Home'))).toBe(true);
    expect(serverStopped('No plugin with that id is installed (PluginNotFound)')).toBe(false);
  });
});

describe('a plugin whose fetch target is the user\'s choice (hosts = ["*"])', () => {
  const declared = [{ kind: 'http:fetch', hosts: ['*'], methods: ['POST'] }, { kind: 'kv:write' }];

  it('grants no http:fetch until the user names a host', () => {
    const t = initialTicks(declared);
    expect(asksForHosts(declared[0])).toBe(true);
    expect(grantFrom(declared, t)).toEqual([{ kind: 'kv:write' }]);
  });

  it('grants exactly the hosts typed', () => {
    const t = setTypedHosts(initialTicks(declared), 'http:fetch', 'hooks.example.com, 192.168.1.20 *');
    expect(grantFrom(declared, t)).toEqual([
      { kind: 'http:fetch', methods: ['POST'], hosts: ['hooks.example.com', '192.168.1.20'] },
      { kind: 'kv:write' },
    ]);
  });

  it('grants any host only when "any host at all" is ticked', () => {
    const t = tickItem(initialTicks(declared), 'http:fetch', '*', true);
    expect(grantFrom(declared, t)[0]).toEqual({ kind: 'http:fetch', methods: ['POST'], hosts: ['*'] });
    expect(itemWords('hosts', '*')).toBe('any host at all');
  });
});
