import { useState } from 'react';
import { CancelImport, DiscardImport, ImportStatus, ResumeImport, type app } from '../api';
import { Busy, ErrorText, usePoll } from '../components/common';
import { formatBytes, plural } from '../lib/format';
import { blobPercent, importEnded, importRunning, phaseWords } from '../lib/importing';

/** Importing shows an import's progress, and what to do when it pauses. */
export function Importing({ onDone }: { onDone: () => Promise<void> }) {
  const [status, setStatus] = useState<app.ImportStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState('');
  const [confirmDiscard, setConfirmDiscard] = useState(false);

  usePoll(async () => {
    try {
      const s = await ImportStatus();
      setStatus(s);
      if (importEnded(s.phase) || s.phase === 'idle') await onDone();
    } catch (err) {
      setError(err);
    }
  }, 700);

  const act = async (what: string, fn: () => Promise<unknown>) => {
    setError(null);
    setBusy(what);
    try {
      await fn();
      setStatus(await ImportStatus());
      await onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy('');
    }
  };

  const s = status;
  const running = s !== null && importRunning(s.phase);
  const pct = s ? blobPercent(s.blobsDone, s.blobsTotal) : null;

  return (
    <div className="onboarding">
      <div className="onboarding-box">
        <h1>Bringing your account here</h1>
        {s === null ? (
          <Busy>Reading the import’s progress…</Busy>
        ) : (
          <>
            <p className="lead" role="status" aria-live="polite">
              {phaseWords(s.phase)}
            </p>
            {(s.handle || s.did) && (
              <p className="muted">
                {s.handle && <>@{s.handle} · </>}
                <span className="mono">{s.did}</span>
                {s.pds && <> · from {s.pds}</>}
              </p>
            )}
            <dl className="facts">
              <dt>Records</dt>
              <dd>{s.records.toLocaleString('en')}</dd>
              <dt>Repository</dt>
              <dd>{formatBytes(s.repoBytes)}</dd>
              <dt>Media files</dt>
              <dd>
                {s.blobsDone.toLocaleString('en')} of {s.blobsTotal.toLocaleString('en')}
              </dd>
              <dt>Media size</dt>
              <dd>{formatBytes(s.blobBytes)}</dd>
            </dl>
            {pct !== null && (
              <progress max={100} value={pct} aria-label="Media files copied">
                {pct}%
              </progress>
            )}
            {s.error && <ErrorText error={s.error} />}
            {s.phase === 'paused' && (
              <div className="notice" role="note">
                <p>
                  {plural(s.missing.length, 'media file')} could not be fetched from your current server. Your account there is untouched. You can try
                  again (for example once that server answers again), or discard this copy and start over.
                </p>
                {s.missing.length > 0 && (
                  <ul className="missing mono" aria-label="Missing media files">
                    {s.missing.map((c) => (
                      <li key={c}>{c}</li>
                    ))}
                  </ul>
                )}
                {!confirmDiscard ? (
                  <div className="buttons">
                    <button type="button" className="primary" disabled={busy !== ''} onClick={() => act('resume', ResumeImport)}>
                      {busy === 'resume' ? 'Resuming…' : 'Resume'}
                    </button>
                    <button type="button" disabled={busy !== ''} onClick={() => setConfirmDiscard(true)}>
                      Discard
                    </button>
                  </div>
                ) : (
                  <div className="confirm" role="group" aria-label="Confirm discard">
                    <p>Discard everything copied so far? Your account on the current server is not affected.</p>
                    <div className="buttons">
                      <button type="button" className="danger" disabled={busy !== ''} onClick={() => act('discard', DiscardImport)}>
                        {busy === 'discard' ? 'Discarding…' : 'Discard the copy'}
                      </button>
                      <button type="button" onClick={() => setConfirmDiscard(false)}>
                        Keep it
                      </button>
                    </div>
                  </div>
                )}
              </div>
            )}
            {running && (
              <div className="buttons">
                <button type="button" disabled={busy !== ''} onClick={() => act('cancel', CancelImport)}>
                  {busy === 'cancel' ? 'Cancelling…' : 'Cancel'}
                </button>
                <span className="muted">Cancelling removes everything copied so far.</span>
              </div>
            )}
          </>
        )}
        <ErrorText error={error} />
        <p className="did-note">Your DID keeps pointing to your current PDS until you go public.</p>
      </div>
    </div>
  );
}
