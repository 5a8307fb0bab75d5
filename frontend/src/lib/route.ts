// Which screen to show, from the Go side's State and what the page knows.

export type Phase = 'locked' | 'firstRun' | 'importing' | 'ready';
export type Screen = 'loading' | 'locked' | 'firstRun' | 'importing' | 'ready' | 'stopped';

export interface StateLike {
  phase: string;
  account?: { did: string } | null;
}

/**
 * chooseScreen picks the screen. State says "firstRun" whenever it cannot
 * read the account, which includes a stopped server; so "firstRun" with
 * the server stopped is the app frame (if this page has seen the account)
 * or a "server stopped" screen, never the first-run form.
 */
export function chooseScreen(state: StateLike | null, serverRunning: boolean | null, knownAccount: boolean): Screen {
  if (!state) return 'loading';
  switch (state.phase) {
    case 'locked':
      return 'locked';
    case 'importing':
      return 'importing';
    case 'ready':
      return 'ready';
    case 'firstRun':
      if (serverRunning === false) return knownAccount ? 'ready' : 'stopped';
      if (serverRunning === null) return 'loading';
      return 'firstRun';
  }
  return 'loading';
}

export const pages = ['home', 'repository', 'private', 'delegation', 'plugins', 'exposure', 'settings'] as const;
export type PageName = (typeof pages)[number];

export const pageTitles: Record<PageName, string> = {
  home: 'Home',
  repository: 'Repository',
  private: 'Private',
  delegation: 'Delegation',
  plugins: 'Plugins',
  exposure: 'Exposure',
  settings: 'Settings',
};

/** pageFromHash reads "#/repository" (and "#/repository/..."), Home otherwise. */
export function pageFromHash(hash: string): PageName {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0].toLowerCase();
  return (pages as readonly string[]).includes(name) ? (name as PageName) : 'home';
}
