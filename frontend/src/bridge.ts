// Browser mode: when the pages are served by `hearth ui` instead of the
// Wails window, window.go does not exist. This defines it so that the
// generated bindings (wailsjs/go/app/App.js, which call
// window.go.app.App.<Method>(...)) POST /app/call/<Method> instead. The
// token travels in the cookie the first visit set, so nothing secret is
// kept in the page. Imported first by main.tsx.

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

interface CallResponse {
  result?: unknown;
  error?: string;
}

/** callMethod calls one bound method over HTTP and resolves its result. */
export async function callMethod(fetchFn: Fetch, method: string, args: unknown[]): Promise<unknown> {
  let res: Response;
  try {
    res = await fetchFn('/app/call/' + encodeURIComponent(method), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(args),
    });
  } catch {
    throw new Error('Hearth is not answering: is it still running? (Unavailable)');
  }
  let body: CallResponse;
  try {
    body = (await res.json()) as CallResponse;
  } catch {
    throw new Error(`Hearth answered ${res.status} without a readable body (InternalError)`);
  }
  if (body && typeof body.error === 'string') {
    throw new Error(body.error);
  }
  if (!res.ok) {
    throw new Error(`Hearth answered ${res.status} (InternalError)`);
  }
  return body ? body.result : undefined;
}

/**
 * makeApp returns an object whose every property is a function calling the
 * method of that name. It is a Proxy so it never lags behind the bindings.
 */
export function makeApp(fetchFn: Fetch): Record<string, (...args: unknown[]) => Promise<unknown>> {
  return new Proxy({} as Record<string, (...args: unknown[]) => Promise<unknown>>, {
    get(_target, name) {
      // Not a thenable, and no symbol lookups turned into calls.
      if (typeof name !== 'string' || name === 'then') return undefined;
      return (...args: unknown[]) => callMethod(fetchFn, name, args);
    },
  });
}

type GoWindow = { go?: { app?: { App?: unknown } } };

/** installBridge defines window.go when the Wails runtime did not. */
export function installBridge(win: GoWindow, fetchFn: Fetch): boolean {
  if (win.go !== undefined) return false;
  win.go = { app: { App: makeApp(fetchFn) } };
  return true;
}

/** browserMode is true when the pages run through the bridge. */
export let browserMode = false;

if (typeof window !== 'undefined') {
  browserMode = installBridge(window as unknown as GoWindow, (input, init) => window.fetch(input, init));
}
