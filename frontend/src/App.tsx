import { useCallback, useEffect, useRef, useState } from 'react';
import { ServerStatus, StartServer, State, type app } from './api';
import { Busy, CopyButton, ErrorText, usePoll } from './components/common';
import { chooseScreen, pageFromHash, pages, pageTitles, type PageName, type Screen } from './lib/route';
import { Delegation } from './pages/Delegation';
import { FirstRun } from './pages/FirstRun';
import { Home } from './pages/Home';
import { Importing } from './pages/Importing';
import { NotYet } from './pages/NotYet';
import { Passphrase } from './pages/Passphrase';
import { Plugins } from './pages/Plugins';
import { Private } from './pages/Private';
import { Repository } from './pages/Repository';
import { Settings } from './pages/Settings';

/** App picks the screen from the Go side's State and keeps it current. */
export function App() {
  const [state, setState] = useState<app.State | null>(null);
  const [running, setRunning] = useState<boolean | null>(null);
  const [error, setError] = useState<unknown>(null);
  const account = useRef<app.AccountInfo | null>(null);

  const refresh = useCallback(async () => {
    try {
      const s = await State();
      if (s.account) account.current = s.account;
      if (s.phase === 'firstRun') {
        // State says firstRun whenever the account cannot be read, a
        // stopped server included: ask the server.
        const st = await ServerStatus();
        setRunning(st.running);
        if (st.account) account.current = st.account;
      } else {
        setRunning(s.phase === 'ready' ? true : null);
      }
      setState(s);
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, []);

  const screen: Screen = chooseScreen(state, running, account.current !== null);
  // Until the account is there, follow the Go side closely; then lightly.
  usePoll(refresh, screen === 'ready' ? 5000 : screen === 'locked' ? 4000 : 1000);

  if (screen === 'loading') {
    return (
      <div className="onboarding">
        <div className="onboarding-box narrow">
          <h1>Hearth</h1>
          {error ? <ErrorText error={error} /> : <Busy>Starting…</Busy>}
        </div>
      </div>
    );
  }
  if (screen === 'locked' && state) return <Passphrase state={state} onDone={refresh} />;
  if (screen === 'firstRun' && state) return <FirstRun state={state} onDone={refresh} />;
  if (screen === 'importing') return <Importing onDone={refresh} />;
  if (screen === 'stopped') return <Stopped state={state} onDone={refresh} />;
  return <Frame account={state?.account ?? account.current} onServerChange={refresh} problem={error} />;
}

function Stopped({ state, onDone }: { state: app.State | null; onDone: () => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <div className="onboarding">
      <div className="onboarding-box narrow">
        <h1>Hearth’s server is stopped</h1>
        {state?.startError ? <ErrorText error={state.startError} /> : <p>Start it to see your account.</p>}
        <ErrorText error={error} />
        <div className="buttons">
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              setError(null);
              try {
                await StartServer();
              } catch (err) {
                setError(err);
              }
              await onDone();
              setBusy(false);
            }}
          >
            {busy ? 'Starting…' : 'Start server'}
          </button>
        </div>
      </div>
    </div>
  );
}

function useHashPage(): PageName {
  const [page, setPage] = useState<PageName>(() => pageFromHash(window.location.hash));
  useEffect(() => {
    const on = () => setPage(pageFromHash(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return page;
}

function Frame({ account, onServerChange, problem }: { account: app.AccountInfo | null; onServerChange: () => Promise<void>; problem: unknown }) {
  const page = useHashPage();
  const mainRef = useRef<HTMLElement>(null);
  useEffect(() => {
    document.title = `${pageTitles[page]} · Hearth`;
  }, [page]);
  return (
    <div className="frame">
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), mainRef.current?.focus())}>
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Sections">
        <div className="brand" aria-hidden="true">
          <span className="brand-mark" /> Hearth
        </div>
        <ul>
          {pages.map((p) => (
            <li key={p}>
              <a href={'#/' + p} aria-current={p === page ? 'page' : undefined} className={p === page ? 'active' : ''}>
                {pageTitles[p]}
                {p === 'exposure' && <span className="soon">soon</span>}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="content">
        <header className="topbar">
          {account ? <AccountBadge account={account} /> : <span className="muted">No account</span>}
        </header>
        {problem ? <ErrorText error={problem} /> : null}
        <main id="main" ref={mainRef} tabIndex={-1}>
          {page === 'home' && <Home account={account} onServerChange={onServerChange} />}
          {page === 'repository' && <Repository />}
          {page === 'settings' && <Settings onServerChange={onServerChange} />}
          {page === 'delegation' && <Delegation account={account} />}
          {page === 'plugins' && <Plugins />}
          {page === 'private' && <Private />}
          {page === 'exposure' && <NotYet page={page} />}
        </main>
      </div>
    </div>
  );
}

function AccountBadge({ account }: { account: app.AccountInfo }) {
  const initial = (account.handle || account.did).replace(/^did:[a-z]+:/, '').charAt(0).toUpperCase();
  return (
    <div className="account" aria-label="Account">
      <span className="avatar" aria-hidden="true">
        {initial}
      </span>
      <div className="account-text">
        <span className="handle" data-testid="header-handle">
          @{account.handle}
        </span>
        <span className="did mono" data-testid="header-did">
          {account.did}
        </span>
      </div>
      <CopyButton text={account.did} label="Copy DID" />
    </div>
  );
}
