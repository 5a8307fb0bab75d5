import { useCallback, useEffect, useState, type FormEvent } from 'react';
import {
  AcknowledgePrivateWarning,
  ConfirmPrivateRecoveryCode,
  CreatePrivateIdentity,
  ExportPrivateBackup,
  PrivateStatus,
  RecoverPrivateIdentity,
  RecoverPrivateIdentityFromBackup,
  SetPrivateBackupPassphrase,
  type app,
} from '../api';
import { Busy, Card, CopyButton, ErrorText, Field } from '../components/common';
import { formatTime } from '../lib/format';
import { backupPassphraseProblem, groupKeyID, keyStep, lossWarning, recoveryCodeProblem, recoveryGroups, type KeyStep } from '../lib/private';
import { PrivateData } from './PrivateRecords';

/**
 * Private: the owner's encryption key (made once, its recovery code shown
 * once, a passphrase backup, recovery), then the private collections, their
 * records (decrypted on this computer), who can read each, and its key
 * history. Nothing private is written before the warning about losing the
 * key was accepted.
 */
export function Private() {
  const [status, setStatus] = useState<app.PrivateStatus | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  // newKey holds the recovery code between making the key and confirming
  // it was written down; it lives only in this page's memory.
  const [newKey, setNewKey] = useState<app.NewPrivateKey | null>(null);

  const load = useCallback(async () => {
    try {
      setStatus(await PrivateStatus());
      setLoadError(null);
    } catch (err) {
      setLoadError(err);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const step = status ? keyStep(status) : null;
  return (
    <div className="page private">
      <h1 className="page-title">Private</h1>
      <p className="muted intro">
        Private records are encrypted here, on this computer, before they are stored. They never enter your public repository: relays and
        apps see only your public key. You choose who else can read each private collection.
      </p>
      <ErrorText error={loadError} />
      {status === null ? (
        loadError ? null : <Busy>Reading your encryption key…</Busy>
      ) : (
        <>
          <KeyCard status={status} step={step as KeyStep} newKey={newKey} onNewKey={setNewKey} onStatus={setStatus} />
          {status.hasIdentity && !status.needsRecovery && <PrivateData canWrite={step === 'ready'} />}
          {status.hasIdentity && !status.needsRecovery && <BackupCard status={status} onStatus={setStatus} />}
          {(status.hasIdentity || status.needsRecovery) && <RecoveryCard open={status.needsRecovery} onStatus={setStatus} />}
        </>
      )}
    </div>
  );
}

function KeyCard({
  status,
  step,
  newKey,
  onNewKey,
  onStatus,
}: {
  status: app.PrivateStatus;
  step: KeyStep;
  newKey: app.NewPrivateKey | null;
  onNewKey: (k: app.NewPrivateKey | null) => void;
  onStatus: (s: app.PrivateStatus) => void;
}) {
  return (
    <Card title="Your encryption key">
      {status.hasIdentity && <KeyFacts status={status} />}
      {step === 'recover' && <NeedsRecovery status={status} />}
      {step === 'create' && <CreateKey onNewKey={onNewKey} onStatus={onStatus} />}
      {step === 'confirm' && <ConfirmCode code={newKey?.recoveryCode ?? ''} onDone={(s) => (onNewKey(null), onStatus(s))} />}
      {step === 'warning' && <LossWarning onStatus={onStatus} />}
    </Card>
  );
}

function KeyFacts({ status }: { status: app.PrivateStatus }) {
  return (
    <dl className="facts compact">
      <dt>Key ID</dt>
      <dd className="mono" data-testid="own-key-id">
        {groupKeyID(status.keyId)}
      </dd>
      <dt>Recovery code</dt>
      <dd>{status.recoveryConfirmedAt ? `written down (confirmed ${formatTime(status.recoveryConfirmedAt)})` : 'not confirmed as written down'}</dd>
      <dt>Passphrase backup</dt>
      <dd data-testid="backup-state">{status.passphraseBackupAt ? `made ${formatTime(status.passphraseBackupAt)}` : 'none'}</dd>
    </dl>
  );
}

function NeedsRecovery({ status }: { status: app.PrivateStatus }) {
  return (
    <div className="private-alert" role="alert">
      <p>
        {status.hasIdentity
          ? 'Your encryption key cannot be opened on this computer.'
          : `Your account publishes the encryption key ${groupKeyID(status.publishedKeyId)}, but this computer does not hold it.`}{' '}
        Your private records stay unreadable until you recover the key below, with your recovery code or your passphrase backup.
      </p>
    </div>
  );
}

function CreateKey({ onNewKey, onStatus }: { onNewKey: (k: app.NewPrivateKey) => void; onStatus: (s: app.PrivateStatus) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      const k = await CreatePrivateIdentity();
      onNewKey(k);
      onStatus(await PrivateStatus());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <p>
        You have no encryption key yet. Making one publishes its public half in your repository, so that others can share private
        collections with you; its secret half stays on this computer, sealed under your master key.
      </p>
      <ErrorText error={error} />
      <div className="buttons">
        <button type="button" className="primary" disabled={busy} onClick={create}>
          {busy ? 'Making the key…' : 'Create my encryption key'}
        </button>
      </div>
    </>
  );
}

function ConfirmCode({ code, onDone }: { code: string; onDone: (s: app.PrivateStatus) => void }) {
  const [written, setWritten] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      onDone(await ConfirmPrivateRecoveryCode());
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <section className="private-step" aria-labelledby="recovery-code-title">
      <h3 id="recovery-code-title">Your recovery code</h3>
      {code ? (
        <>
          <p>
            Write it down on paper and keep it somewhere safe. It is shown <strong>only this once</strong>: Hearth keeps no copy. With it you
            can recover your key on a new computer.
          </p>
          <ol className="recovery-code mono" aria-label="Recovery code">
            {recoveryGroups(code).map((g, i) => (
              <li key={i}>{g}</li>
            ))}
          </ol>
          <div className="buttons">
            <CopyButton text={code} label="Copy the recovery code" />
          </div>
        </>
      ) : (
        <p>
          Your key’s recovery code was shown when the key was made and cannot be shown again. If you did not write it down, make a passphrase
          backup below: it is then your only way back to your private records.
        </p>
      )}
      <label className="private-check">
        <input type="checkbox" checked={written} onChange={(e) => setWritten(e.target.checked)} />
        {code ? 'I wrote the recovery code down and keep it somewhere safe' : 'I have my recovery code written down, or I will make a passphrase backup'}
      </label>
      <ErrorText error={error} />
      <div className="buttons">
        <button type="button" className="primary" disabled={!written || busy} onClick={confirm}>
          {busy ? 'Saving…' : 'I wrote it down'}
        </button>
      </div>
    </section>
  );
}

function LossWarning({ onStatus }: { onStatus: (s: app.PrivateStatus) => void }) {
  const [understood, setUnderstood] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const accept = async () => {
    setBusy(true);
    setError(null);
    try {
      onStatus(await AcknowledgePrivateWarning());
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <section className="private-step private-alert" aria-labelledby="loss-warning-title">
      <h3 id="loss-warning-title">Before your first private record</h3>
      <p>{lossWarning}</p>
      <p>Keep your recovery code written down, and make a passphrase backup below as a second way back.</p>
      <label className="private-check">
        <input type="checkbox" checked={understood} onChange={(e) => setUnderstood(e.target.checked)} />
        I understand that losing both my recovery code and my passphrase backup means losing my private records
      </label>
      <ErrorText error={error} />
      <div className="buttons">
        <button type="button" className="primary" disabled={!understood || busy} onClick={accept}>
          {busy ? 'Saving…' : 'Continue'}
        </button>
      </div>
    </section>
  );
}

function BackupCard({ status, onStatus }: { status: app.PrivateStatus; onStatus: (s: app.PrivateStatus) => void }) {
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const [exported, setExported] = useState('');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problem = backupPassphraseProblem(passphrase, again);
    if (problem) {
      setError(problem + ' (InvalidRequest)');
      return;
    }
    setBusy(true);
    setError(null);
    setNotice('');
    try {
      onStatus(await SetPrivateBackupPassphrase(passphrase));
      setPassphrase('');
      setAgain('');
      setExported('');
      setNotice('Backup made. Remember the passphrase: nobody can reset it.');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const exportBackup = async () => {
    setError(null);
    try {
      setExported(await ExportPrivateBackup());
    } catch (err) {
      setError(err);
    }
  };

  return (
    <Card title="Passphrase backup">
      <p className="muted">
        A second way back to your key: your key encrypted under a passphrase only you know, kept on this server. Choose a long passphrase —
        anyone with a copy of the database could try to guess it.
      </p>
      <form className="form" onSubmit={submit} aria-label="Passphrase backup" noValidate>
        <div className="row wrap">
          <Field label="Backup passphrase" htmlFor="backup-passphrase">
            <input id="backup-passphrase" type="password" autoComplete="new-password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
          </Field>
          <Field label="Backup passphrase again" htmlFor="backup-passphrase-again">
            <input id="backup-passphrase-again" type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} />
          </Field>
        </div>
        <ErrorText error={error} />
        {notice && (
          <p className="ok-text" role="status">
            {notice}
          </p>
        )}
        <div className="buttons">
          <button type="submit" disabled={busy}>
            {busy ? 'Encrypting…' : status.passphraseBackupAt ? 'Replace the backup' : 'Make a backup'}
          </button>
          {status.passphraseBackupAt && (
            <button type="button" onClick={exportBackup}>
              Export the backup
            </button>
          )}
        </div>
      </form>
      {exported && (
        <div className="field private-export">
          <label htmlFor="exported-backup">Exported backup</label>
          <textarea id="exported-backup" className="mono" readOnly rows={3} value={exported} aria-describedby="exported-backup-hint" />
          <div className="hint" id="exported-backup-hint">
            Keep this text somewhere else than this computer. With your passphrase it restores your key even when this computer’s data is
            gone.
          </div>
          <div className="buttons">
            <CopyButton text={exported} label="Copy the exported backup" />
          </div>
        </div>
      )}
    </Card>
  );
}

function RecoveryCard({ open, onStatus }: { open: boolean; onStatus: (s: app.PrivateStatus) => void }) {
  const body = (
    <div className="private-recover">
      <RecoverWithCode onStatus={onStatus} />
      <RecoverWithBackup onStatus={onStatus} />
    </div>
  );
  return (
    <Card title="Recover your key">
      {open ? (
        body
      ) : (
        <details>
          <summary>On a new computer, or after losing this computer’s copy of the key</summary>
          {body}
        </details>
      )}
    </Card>
  );
}

function RecoverWithCode({ onStatus }: { onStatus: (s: app.PrivateStatus) => void }) {
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problem = recoveryCodeProblem(code);
    if (problem) {
      setError(problem + ' (InvalidRecoveryCode)');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onStatus(await RecoverPrivateIdentity(code));
      setCode('');
      setNotice('Your key is back on this computer.');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form" onSubmit={submit} aria-label="Recover with the recovery code" noValidate>
      <Field label="Recovery code" htmlFor="recover-code" hint="Dashes, spaces and upper or lower case do not matter.">
        <textarea
          id="recover-code"
          className="mono"
          rows={2}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          spellCheck={false}
          autoCapitalize="characters"
          aria-describedby="recover-code-hint"
        />
      </Field>
      <ErrorText error={error} />
      {notice && (
        <p className="ok-text" role="status">
          {notice}
        </p>
      )}
      <div className="buttons">
        <button type="submit" disabled={busy}>
          {busy ? 'Recovering…' : 'Recover with the code'}
        </button>
      </div>
    </form>
  );
}

function RecoverWithBackup({ onStatus }: { onStatus: (s: app.PrivateStatus) => void }) {
  const [passphrase, setPassphrase] = useState('');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (passphrase === '') {
      setError('Type your backup passphrase (InvalidRequest)');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onStatus(await RecoverPrivateIdentityFromBackup(passphrase, text));
      setPassphrase('');
      setText('');
      setNotice('Your key is back on this computer.');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form" onSubmit={submit} aria-label="Recover with the passphrase backup" noValidate>
      <Field label="Backup passphrase" htmlFor="recover-passphrase">
        <input id="recover-passphrase" type="password" autoComplete="current-password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
      </Field>
      <Field label="Exported backup (optional)" htmlFor="recover-backup" hint="Leave it empty to use the backup kept on this server.">
        <textarea
          id="recover-backup"
          className="mono"
          rows={2}
          value={text}
          onChange={(e) => setText(e.target.value)}
          spellCheck={false}
          aria-describedby="recover-backup-hint"
        />
      </Field>
      <ErrorText error={error} />
      {notice && (
        <p className="ok-text" role="status">
          {notice}
        </p>
      )}
      <div className="buttons">
        <button type="submit" disabled={busy}>
          {busy ? 'Recovering…' : 'Recover with the passphrase'}
        </button>
      </div>
    </form>
  );
}
