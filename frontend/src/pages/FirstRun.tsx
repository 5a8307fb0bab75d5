import { useEffect, useState, type FormEvent } from 'react';
import { ChooseCARFile, CreateAccount, ImportStatus, Settings, StartImport, app } from '../api';
import { ErrorText, Field } from '../components/common';
import { parseError } from '../lib/errors';
import { fullHandle, handleProblem, normalizeHandle } from '../lib/handle';

type Choice = '' | 'create' | 'import';

/** FirstRun offers the two ways to get an account here. */
export function FirstRun({ state, onDone }: { state: app.State; onDone: () => Promise<void> }) {
  const [choice, setChoice] = useState<Choice>('');
  const [lastImport, setLastImport] = useState<string>('');

  useEffect(() => {
    ImportStatus()
      .then((s) => {
        if ((s.phase === 'failed' || s.phase === 'cancelled') && s.error) setLastImport(s.error);
        else if (s.phase === 'cancelled') setLastImport('The import was cancelled; nothing of it was kept.');
      })
      .catch(() => {});
  }, []);

  return (
    <div className="onboarding">
      <div className="onboarding-box">
        <h1>Welcome to Hearth</h1>
        <p className="lead">Hearth keeps your atproto account on this computer. How would you like to start?</p>
        {lastImport && (
          <div className="notice" role="note">
            <strong>The last import did not finish:</strong> {lastImport}
          </div>
        )}
        <div className="choices" role="group" aria-label="How to start">
          <button
            type="button"
            className={'choice' + (choice === 'create' ? ' selected' : '')}
            aria-pressed={choice === 'create'}
            onClick={() => setChoice('create')}
          >
            <span className="choice-title">Create a new account</span>
            <span className="choice-text">A fresh account whose data lives here from the start.</span>
          </button>
          <button
            type="button"
            className={'choice' + (choice === 'import' ? ' selected' : '')}
            aria-pressed={choice === 'import'}
            onClick={() => setChoice('import')}
          >
            <span className="choice-title">Bring my account here</span>
            <span className="choice-text">Copy an existing account’s posts, records and media from its current server.</span>
          </button>
        </div>
        {choice === 'create' && <CreateForm dev={state.dev} onDone={onDone} />}
        {choice === 'import' && <ImportForm onDone={onDone} />}
      </div>
    </div>
  );
}

function CreateForm({ dev, onDone }: { dev: boolean; onDone: () => Promise<void> }) {
  const [handle, setHandle] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [password2, setPassword2] = useState('');
  const [domains, setDomains] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    Settings()
      .then((s) => setDomains(s.handleDomains ?? []))
      .catch(() => {});
  }, []);

  const full = fullHandle(handle, domains);
  const problem = handleProblem(normalizeHandle(full));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (problem) {
      setError(problem + ' (InvalidHandle)');
      return;
    }
    if (password !== password2) {
      setError('The two passwords differ (InvalidPassword)');
      return;
    }
    setBusy(true);
    try {
      await CreateAccount(new app.CreateAccountInput({ handle: normalizeHandle(handle), email: email.trim(), password }));
      setPassword('');
      setPassword2('');
      await onDone();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <form className="form panel" onSubmit={submit} aria-label="Create a new account">
      <h2>Create a new account</h2>
      <Field
        label="Handle"
        htmlFor="create-handle"
        hint={
          full ? (
            problem ? (
              <span className="error-inline">{problem}</span>
            ) : (
              <>
                Your handle will be <strong data-testid="handle-preview">@{full}</strong>
              </>
            )
          ) : domains.length > 0 ? (
            `A name like “alice” becomes alice${domains[0]}; or type a full handle you own.`
          ) : (
            'Your handle, like alice.example.com.'
          )
        }
      >
        <input
          id="create-handle"
          value={handle}
          onChange={(e) => setHandle(e.target.value)}
          autoComplete="username"
          spellCheck={false}
          autoCapitalize="none"
          aria-describedby="create-handle-hint"
          required
          autoFocus
        />
      </Field>
      <Field label="Email (optional)" htmlFor="create-email" hint="Only kept here; used if you later recover the account.">
        <input id="create-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" />
      </Field>
      <Field label="Password" htmlFor="create-password" hint="Apps you sign in to with this account use it.">
        <input
          id="create-password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="new-password"
          required
        />
      </Field>
      <Field label="Password again" htmlFor="create-password2">
        <input
          id="create-password2"
          type="password"
          value={password2}
          onChange={(e) => setPassword2(e.target.value)}
          autoComplete="new-password"
          required
        />
      </Field>
      <p className="did-note">
        {dev
          ? 'Your DID is created and signed here, and published at once to the local PLC directory (development mode).'
          : 'Your DID is created and signed here; it is published to the PLC directory when you expose Hearth to the network.'}
      </p>
      <ErrorText error={error} />
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create account'}
        </button>
      </div>
    </form>
  );
}

function ImportForm({ onDone }: { onDone: () => Promise<void> }) {
  const [source, setSource] = useState<'pds' | 'car'>('pds');
  const [pdsUrl, setPdsUrl] = useState('');
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');
  const [carPath, setCarPath] = useState('');
  const [localPassword, setLocalPassword] = useState('');
  const [browseNote, setBrowseNote] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const browse = async () => {
    setBrowseNote(null);
    try {
      const p = await ChooseCARFile();
      if (p) setCarPath(p);
    } catch (err) {
      setBrowseNote(err);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await StartImport(
        new app.ImportInput({
          source,
          pdsUrl: source === 'pds' ? pdsUrl.trim() : '',
          identifier: source === 'pds' ? identifier.trim() : '',
          password: source === 'pds' ? password : '',
          carPath: source === 'car' ? carPath.trim() : '',
          handle: '',
          localPassword: source === 'car' ? localPassword : '',
        }),
      );
      setPassword('');
      setLocalPassword('');
      await onDone();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <form className="form panel" onSubmit={submit} aria-label="Bring my account here">
      <h2>Bring my account here</h2>
      <fieldset className="radios">
        <legend>Where from</legend>
        <label>
          <input type="radio" name="import-source" value="pds" checked={source === 'pds'} onChange={() => setSource('pds')} />
          Log in to my current server (PDS)
        </label>
        <label>
          <input type="radio" name="import-source" value="car" checked={source === 'car'} onChange={() => setSource('car')} />
          Use a repository file (CAR)
        </label>
      </fieldset>
      {source === 'pds' ? (
        <>
          <Field label="Current server URL (optional)" htmlFor="import-pds" hint="Found from your handle or DID when left empty.">
            <input id="import-pds" type="url" placeholder="https://…" value={pdsUrl} onChange={(e) => setPdsUrl(e.target.value)} />
          </Field>
          <Field label="Handle or DID" htmlFor="import-identifier">
            <input
              id="import-identifier"
              value={identifier}
              onChange={(e) => setIdentifier(e.target.value)}
              spellCheck={false}
              autoCapitalize="none"
              required
            />
          </Field>
          <Field label="Password" htmlFor="import-password" hint="Your account password there; it also becomes your password here.">
            <input
              id="import-password"
              type="password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoComplete="current-password"
              required
            />
          </Field>
        </>
      ) : (
        <>
          <Field label="Repository file" htmlFor="import-car" hint={browseNote ? parseError(browseNote).words + '.' : 'A .car file exported from your current server.'}>
            <div className="row">
              <input id="import-car" value={carPath} onChange={(e) => setCarPath(e.target.value)} spellCheck={false} required />
              <button type="button" onClick={browse}>
                Browse…
              </button>
            </div>
          </Field>
          <Field label="Password for this Hearth" htmlFor="import-local-password" hint="Apps you sign in to here will use it.">
            <input
              id="import-local-password"
              type="password"
              value={localPassword}
              onChange={(e) => setLocalPassword(e.target.value)}
              autoComplete="new-password"
              required
            />
          </Field>
        </>
      )}
      <p className="did-note">
        Your DID keeps pointing to your current PDS until you go public. Nothing is changed there; media files (blobs) are copied from it.
      </p>
      <ErrorText error={error} />
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Starting…' : 'Start copying'}
        </button>
      </div>
    </form>
  );
}
