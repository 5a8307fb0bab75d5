import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
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
import { Busy, Card, CopyButton, ErrorText, Field, Notice } from '../components/common';
import { formatTime } from '../lib/format';
import { backupPassphraseProblem, groupKeyID, keyStep, lossWarning, recoveryCodeProblem, recoveryGroups, type KeyStep } from '../lib/private';
import { PrivateData } from './PrivateRecords';
import { PrivateShared } from './PrivateShared';

/**
 * Private: the owner's encryption key (made once, its recovery code shown
 * once, a passphrase backup, recovery), then the private collections, their
 * records (decrypted on this computer), who can read each, and its key
 * history; then what others shared with you. Nothing private is written
 * before the warning about losing the key was accepted.
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
          {status.hasIdentity && !status.needsRecovery && <PrivateShared />}
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

/** useAction runs one action at a time, with its busy state and its error. */
function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  /** run does work, unless problem (what a check found, with its error name) stops it first. */
  const run = async (work: () => Promise<void>, problem = '') => {
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

function CreateKey({ onNewKey, onStatus }: { onNewKey: (k: app.NewPrivateKey) => void; onStatus: (s: app.PrivateStatus) => void }) {
  const { busy, error, run } = useAction();
  const create = () =>
    run(async () => {
      const k = await CreatePrivateIdentity();
      onNewKey(k);
      onStatus(await PrivateStatus());
    });
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

/** CheckStep is a step of the key's setup that goes on once its box is ticked and onDone succeeded. */
function CheckStep({
  id,
  title,
  alert = false,
  check,
  action,
  onDone,
  children,
}: {
  id: string;
  title: string;
  alert?: boolean;
  /** check is the checkbox's label. */
  check: string;
  /** action is the button's label. */
  action: string;
  onDone: () => Promise<void>;
  children: ReactNode;
}) {
  const [checked, setChecked] = useState(false);
  const { busy, error, run } = useAction();
  return (
    <section className={'private-step' + (alert ? ' private-alert' : '')} aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {children}
      <label className="private-check">
        <input type="checkbox" checked={checked} onChange={(e) => setChecked(e.target.checked)} />
        {check}
      </label>
      <ErrorText error={error} />
      <div className="buttons">
        <button type="button" className="primary" disabled={!checked || busy} onClick={() => run(onDone)}>
          {busy ? 'Saving…' : action}
        </button>
      </div>
    </section>
  );
}

function ConfirmCode({ code, onDone }: { code: string; onDone: (s: app.PrivateStatus) => void }) {
  return (
    <CheckStep
      id="recovery-code-title"
      title="Your recovery code"
      check={code ? 'I wrote the recovery code down and keep it somewhere safe' : 'I have my recovery code written down, or I will make a passphrase backup'}
      action="I wrote it down"
      onDone={async () => onDone(await ConfirmPrivateRecoveryCode())}
    >
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
    </CheckStep>
  );
}

function LossWarning({ onStatus }: { onStatus: (s: app.PrivateStatus) => void }) {
  return (
    <CheckStep
      id="loss-warning-title"
      title="Before your first private record"
      alert
      check="I understand that losing both my recovery code and my passphrase backup means losing my private records"
      action="Continue"
      onDone={async () => onStatus(await AcknowledgePrivateWarning())}
    >
      <p>{lossWarning}</p>
      <p>Keep your recovery code written down, and make a passphrase backup below as a second way back.</p>
    </CheckStep>
  );
}

/** ActionForm is a form of this page: its fields, the action's error or notice, then its buttons. */
function ActionForm({
  label,
  onSubmit,
  error,
  notice,
  buttons,
  children,
}: {
  label: string;
  onSubmit: () => void;
  error: unknown;
  notice: string;
  buttons: ReactNode;
  children: ReactNode;
}) {
  return (
    <form
      className="form"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        onSubmit();
      }}
      aria-label={label}
      noValidate
    >
      {children}
      <ErrorText error={error} />
      <Notice>{notice}</Notice>
      <div className="buttons">{buttons}</div>
    </form>
  );
}

function BackupCard({ status, onStatus }: { status: app.PrivateStatus; onStatus: (s: app.PrivateStatus) => void }) {
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const { busy, error, setError, run } = useAction();
  const [notice, setNotice] = useState('');
  const [exported, setExported] = useState('');

  const submit = () => {
    const problem = backupPassphraseProblem(passphrase, again);
    void run(async () => {
      setNotice('');
      onStatus(await SetPrivateBackupPassphrase(passphrase));
      setPassphrase('');
      setAgain('');
      setExported('');
      setNotice('Backup made. Remember the passphrase: nobody can reset it.');
    }, problem && problem + ' (InvalidRequest)');
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
      <ActionForm
        label="Passphrase backup"
        onSubmit={submit}
        error={error}
        notice={notice}
        buttons={
          <>
            <button type="submit" disabled={busy}>
              {busy ? 'Encrypting…' : status.passphraseBackupAt ? 'Replace the backup' : 'Make a backup'}
            </button>
            {status.passphraseBackupAt && (
              <button type="button" onClick={exportBackup}>
                Export the backup
              </button>
            )}
          </>
        }
      >
        <div className="row wrap">
          <Field label="Backup passphrase" htmlFor="backup-passphrase">
            <input id="backup-passphrase" type="password" autoComplete="new-password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
          </Field>
          <Field label="Backup passphrase again" htmlFor="backup-passphrase-again">
            <input id="backup-passphrase-again" type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} />
          </Field>
        </div>
      </ActionForm>
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

/** recovered is what both ways of recovering say when the key is back. */
const recovered = 'Your key is back on this computer.';

function RecoverWithCode({ onStatus }: { onStatus: (s: app.PrivateStatus) => void }) {
  const [code, setCode] = useState('');
  const { busy, error, run } = useAction();
  const [notice, setNotice] = useState('');
  const submit = () => {
    const problem = recoveryCodeProblem(code);
    void run(async () => {
      onStatus(await RecoverPrivateIdentity(code));
      setCode('');
      setNotice(recovered);
    }, problem && problem + ' (InvalidRecoveryCode)');
  };
  return (
    <ActionForm
      label="Recover with the recovery code"
      onSubmit={submit}
      error={error}
      notice={notice}
      buttons={
        <button type="submit" disabled={busy}>
          {busy ? 'Recovering…' : 'Recover with the code'}
        </button>
      }
    >
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
    </ActionForm>
  );
}

function RecoverWithBackup({ onStatus }: { onStatus: (s: app.PrivateStatus) => void }) {
  const [passphrase, setPassphrase] = useState('');
  const [text, setText] = useState('');
  const { busy, error, run } = useAction();
  const [notice, setNotice] = useState('');
  const submit = () =>
    void run(
      async () => {
        onStatus(await RecoverPrivateIdentityFromBackup(passphrase, text));
        setPassphrase('');
        setText('');
        setNotice(recovered);
      },
      passphrase === '' ? 'Type your backup passphrase (InvalidRequest)' : '',
    );
  return (
    <ActionForm
      label="Recover with the passphrase backup"
      onSubmit={submit}
      error={error}
      notice={notice}
      buttons={
        <button type="submit" disabled={busy}>
          {busy ? 'Recovering…' : 'Recover with the passphrase'}
        </button>
      }
    >
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
    </ActionForm>
  );
}
