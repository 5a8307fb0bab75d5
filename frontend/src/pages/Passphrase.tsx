import { useState, type FormEvent } from 'react';
import { Unlock, type app } from '../api';
import { ErrorText } from '../components/common';

/** Passphrase asks for the passphrase that opens the master key (no keychain). */
export function Passphrase({ state, onDone }: { state: app.State; onDone: () => Promise<void> }) {
  const creating = !state.passphraseExists;
  const [pass, setPass] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (creating && pass.length < 8) {
      setError('Choose a passphrase of at least 8 characters (WeakPassphrase)');
      return;
    }
    if (creating && pass !== confirm) {
      setError('The two passphrases differ (InvalidRequest)');
      return;
    }
    setBusy(true);
    try {
      await Unlock(pass);
      setPass('');
      setConfirm('');
      await onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="onboarding">
      <div className="onboarding-box narrow">
        <h1>{creating ? 'Choose a passphrase' : 'Unlock Hearth'}</h1>
        <p>
          {creating
            ? 'Hearth keeps a master key that protects your account’s signing keys. It will be stored in a file in your data directory, locked with this passphrase. You will type it each time Hearth starts.'
            : 'Type the passphrase that locks Hearth’s master key.'}
        </p>
        {state.keychainProblem && (
          <div className="notice" role="note">
            <strong>Why no keychain:</strong> {state.keychainProblem}
          </div>
        )}
        {state.startError && <ErrorText error={state.startError} />}
        <form onSubmit={submit} className="form">
          <div className="field">
            <label htmlFor="passphrase">Passphrase</label>
            <input
              id="passphrase"
              type="password"
              autoComplete={creating ? 'new-password' : 'current-password'}
              value={pass}
              onChange={(e) => setPass(e.target.value)}
              autoFocus
              required
            />
          </div>
          {creating && (
            <div className="field">
              <label htmlFor="passphrase-confirm">Passphrase again</label>
              <input
                id="passphrase-confirm"
                type="password"
                autoComplete="new-password"
                value={confirm}
                onChange={(e) => setConfirm(e.target.value)}
                required
              />
              <p className="hint">At least 8 characters. If you lose it, the keys in this data directory cannot be opened.</p>
            </div>
          )}
          <ErrorText error={error} />
          <div className="buttons">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Opening…' : creating ? 'Create passphrase' : 'Unlock'}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
