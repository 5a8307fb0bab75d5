import { afterEach, describe, expect, it, vi } from 'vitest';
import { callMethod, installBridge, makeApp, type Fetch } from './bridge';

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

function recorder(respond: (method: string, args: unknown[]) => Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchFn: Fetch = async (url, init) => {
    calls.push({ url, init: init! });
    return respond(url.replace('/app/call/', ''), JSON.parse(String(init!.body)));
  };
  return { calls, fetchFn };
}

describe('callMethod', () => {
  it('POSTs the arguments as a JSON array and resolves the result', async () => {
    const { calls, fetchFn } = recorder(() => jsonResponse(200, { result: { uri: 'at://x', cid: 'bafy' } }));
    const out = await callMethod(fetchFn, 'CreateRecord', ['app.bsky.feed.post', '', '{"text":"hi"}']);
    expect(out).toEqual({ uri: 'at://x', cid: 'bafy' });
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('/app/call/CreateRecord');
    expect(calls[0].init.method).toBe('POST');
    expect(calls[0].init.credentials).toBe('same-origin');
    expect(JSON.parse(String(calls[0].init.body))).toEqual(['app.bsky.feed.post', '', '{"text":"hi"}']);
  });

  it('sends [] for a method without arguments and resolves null results', async () => {
    const { calls, fetchFn } = recorder(() => jsonResponse(200, { result: null }));
    await expect(callMethod(fetchFn, 'StopServer', [])).resolves.toBeNull();
    expect(calls[0].init.body).toBe('[]');
  });

  it('rejects with the Go error text, unchanged', async () => {
    const msg = 'The record does not match its lexicon: field text: Invalid app.bsky.feed.post record: text: expected a string (InvalidRecord)';
    const { fetchFn } = recorder(() => jsonResponse(400, { error: msg }));
    const err: unknown = await callMethod(fetchFn, 'PutRecord', ['c', 'k', '{}']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe(msg);
  });

  it('rejects a 401 with the bridge’s words', async () => {
    const { fetchFn } = recorder(() => jsonResponse(401, { error: 'missing or wrong token' }));
    await expect(callMethod(fetchFn, 'State', [])).rejects.toThrow('missing or wrong token');
  });

  it('rejects a body that is not JSON', async () => {
    const fetchFn: Fetch = async () => new Response('<html>502</html>', { status: 502 });
    await expect(callMethod(fetchFn, 'State', [])).rejects.toThrow(/502.*\(InternalError\)$/);
  });

  it('rejects when nothing answers', async () => {
    const fetchFn: Fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(callMethod(fetchFn, 'State', [])).rejects.toThrow(/not answering.*\(Unavailable\)$/);
  });

  it('escapes the method name in the path', async () => {
    const { calls, fetchFn } = recorder(() => jsonResponse(200, { result: 1 }));
    await callMethod(fetchFn, 'a/b', []);
    expect(calls[0].url).toBe('/app/call/a%2Fb');
  });
});

describe('makeApp', () => {
  it('turns any property into a call of that method', async () => {
    const { calls, fetchFn } = recorder((m, args) => jsonResponse(200, { result: { m, args } }));
    const app = makeApp(fetchFn);
    await expect(app.ListRecords('app.bsky.feed.post', '', 25, 'abc')).resolves.toEqual({
      m: 'ListRecords',
      args: ['app.bsky.feed.post', '', 25, 'abc'],
    });
    expect(calls.map((c) => c.url)).toEqual(['/app/call/ListRecords']);
  });

  it('is not a thenable and ignores symbols', () => {
    const app = makeApp(vi.fn() as unknown as Fetch) as unknown as Record<string | symbol, unknown>;
    expect(app.then).toBeUndefined();
    expect(app[Symbol.toPrimitive]).toBeUndefined();
  });
});

describe('installBridge', () => {
  afterEach(() => {
    delete (globalThis as { window?: unknown }).window;
  });

  it('leaves the Wails runtime’s window.go alone', () => {
    const wails = { app: { App: { State: () => 'native' } } };
    const win = { go: wails };
    expect(installBridge(win, vi.fn() as unknown as Fetch)).toBe(false);
    expect(win.go).toBe(wails);
  });

  it('makes the generated bindings call over HTTP in a browser', async () => {
    const { calls, fetchFn } = recorder((m) => jsonResponse(200, { result: m === 'State' ? { phase: 'firstRun', dev: true } : null }));
    const win: { go?: { app?: { App?: unknown } } } = {};
    expect(installBridge(win, fetchFn)).toBe(true);
    (globalThis as { window?: unknown }).window = win;
    const bindings = await import('../wailsjs/go/app/App');
    await expect(bindings.State()).resolves.toEqual({ phase: 'firstRun', dev: true });
    await bindings.GetRecord('app.bsky.feed.post', '3k');
    expect(calls.map((c) => [c.url, c.init.body])).toEqual([
      ['/app/call/State', '[]'],
      ['/app/call/GetRecord', '["app.bsky.feed.post","3k"]'],
    ]);
  });
});
