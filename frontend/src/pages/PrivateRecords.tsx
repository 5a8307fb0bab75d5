import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { CreatePrivateRecord, DeletePrivateRecord, GetPrivateRecord, ListPrivateCollections, ListPrivateRecords, PutPrivateRecord, type app } from '../api';
import { Busy, Card, ErrorText, RecordError } from '../components/common';
import { formatShortTime, formatTime, plural } from '../lib/format';
import { back, canBack, canNext, current, firstPage, forward, loaded, pageNumber, type Pager } from '../lib/paging';
import { collectionProblem, newPrivateRecordTemplate } from '../lib/private';
import { jsonProblem } from '../lib/records';
import { PrivateSharing } from './PrivateSharing';

const pageSize = 50;

type Open = { collection: string; rkey: string } | null;

/**
 * PrivateData: the private collections, the selected one's decrypted
 * records (editable), who can read it and its key history. canWrite is
 * false until the key is set up and the warning accepted.
 */
export function PrivateData({ canWrite }: { canWrite: boolean }) {
  const [collections, setCollections] = useState<app.PrivateCollectionInfo[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [selected, setSelected] = useState('');
  const [open, setOpen] = useState<Open>(null);
  const [creating, setCreating] = useState(false);
  // version changes after every write, so the lists reload.
  const [version, setVersion] = useState(0);

  const load = useCallback(async () => {
    try {
      const cols = (await ListPrivateCollections()) ?? [];
      setCollections(cols);
      setError(null);
      setSelected((s) => (s !== '' || cols.length === 0 ? s : cols[0].collection));
    } catch (err) {
      setError(err);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load, version]);
  const changed = () => setVersion((v) => v + 1);
  const chosen = collections?.find((c) => c.collection === selected) ?? null;

  return (
    <>
      <Card
        title="Private collections"
        className="wide"
        actions={
          <button
            type="button"
            className="primary"
            disabled={!canWrite}
            title={canWrite ? undefined : 'Finish setting up your key above first'}
            onClick={() => {
              setCreating(true);
              setOpen(null);
            }}
          >
            New private record
          </button>
        }
      >
        <ErrorText error={error} />
        <div className={'repo' + (open || creating ? ' with-panel' : '')}>
          <nav className="collections" aria-label="Private collections">
            {collections === null ? (
              error ? null : <Busy>Reading…</Busy>
            ) : collections.length === 0 ? (
              <p className="muted">{canWrite ? 'No private records yet. Use “New private record” to write one.' : 'No private records yet.'}</p>
            ) : (
              <ul>
                {collections.map((c) => (
                  <li key={c.collection}>
                    <button
                      type="button"
                      className={'collection' + (c.collection === selected ? ' selected' : '')}
                      aria-pressed={c.collection === selected}
                      aria-label={`${c.collection}, ${plural(c.records, 'record')}, shared with ${c.grantees}`}
                      onClick={() => {
                        setSelected(c.collection);
                        setOpen(null);
                      }}
                    >
                      <span className="collection-name">{c.collection}</span>
                      <span className="count">{c.records.toLocaleString('en')}</span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </nav>
          <section className="records" aria-label="Private records">
            {chosen ? (
              <RecordsTable
                key={chosen.collection}
                info={chosen}
                version={version}
                openRkey={open && open.collection === chosen.collection ? open.rkey : ''}
                onOpen={(rkey) => {
                  setCreating(false);
                  setOpen({ collection: chosen.collection, rkey });
                }}
              />
            ) : (
              collections && collections.length > 0 && <p className="muted">Choose a collection.</p>
            )}
          </section>
          {creating && (
            <NewPrivateRecord
              defaultCollection={selected}
              onClose={() => setCreating(false)}
              onCreated={(collection, rkey) => {
                setCreating(false);
                setSelected(collection);
                setOpen({ collection, rkey });
                changed();
              }}
            />
          )}
          {open && !creating && (
            <PrivateRecordPanel
              key={open.collection + '/' + open.rkey}
              collection={open.collection}
              rkey={open.rkey}
              canWrite={canWrite}
              version={version}
              onClose={() => setOpen(null)}
              onChanged={changed}
              onDeleted={() => {
                setOpen(null);
                changed();
              }}
            />
          )}
        </div>
      </Card>
      {chosen && <PrivateSharing key={chosen.collection} info={chosen} canWrite={canWrite} version={version} onChanged={changed} />}
    </>
  );
}

function RecordsTable({
  info,
  version,
  openRkey,
  onOpen,
}: {
  info: app.PrivateCollectionInfo;
  version: number;
  openRkey: string;
  onOpen: (rkey: string) => void;
}) {
  const [pager, setPager] = useState<Pager>(firstPage());
  const [page, setPage] = useState<app.PrivateRecordPage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const cursor = current(pager);
  const collection = info.collection;

  useEffect(() => {
    let stale = false;
    setLoading(true);
    ListPrivateRecords(collection, cursor, pageSize)
      .then((p) => {
        if (stale) return;
        setPage(p);
        setPager((pg) => loaded(pg, p.cursor));
        setError(null);
      })
      .catch((err) => !stale && setError(err))
      .finally(() => !stale && setLoading(false));
    return () => {
      stale = true;
    };
  }, [collection, cursor, version]);

  const records = page?.records ?? [];
  return (
    <>
      <div className="records-head">
        <h2>{collection}</h2>
        <span className="badge" data-testid="collection-epoch">
          key epoch {info.epoch}
        </span>
        {info.hasLexicon && <span className="badge">checked against its lexicon</span>}
      </div>
      <ErrorText error={error} />
      <div className="table-wrap" aria-busy={loading}>
        <table aria-label={`Private records in ${collection}`}>
          <thead>
            <tr>
              <th scope="col">Record key</th>
              <th scope="col">Created</th>
              <th scope="col">Preview</th>
              <th scope="col">Epoch</th>
            </tr>
          </thead>
          <tbody>
            {records.map((r) => (
              <tr key={r.rkey} className={r.rkey === openRkey ? 'selected' : ''} onClick={() => onOpen(r.rkey)}>
                <td>
                  <button type="button" className="link mono" aria-label={`Open private record ${r.rkey}`} onClick={(e) => (e.stopPropagation(), onOpen(r.rkey))}>
                    {r.rkey}
                  </button>
                </td>
                <td className="nowrap" title={r.createdAt ? formatTime(r.createdAt) : undefined}>
                  {r.createdAt ? formatShortTime(r.createdAt) : '—'}
                </td>
                <td className="preview">
                  <div className="clamp">{r.preview}</div>
                </td>
                <td>{r.epoch}</td>
              </tr>
            ))}
            {page && records.length === 0 && (
              <tr>
                <td colSpan={4} className="muted">
                  This collection is empty.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {(canBack(pager) || canNext(pager)) && (
        <div className="pager">
          <button type="button" disabled={!canBack(pager) || loading} onClick={() => setPager(back)}>
            Back
          </button>
          <span className="muted">Page {pageNumber(pager)}</span>
          <button type="button" disabled={!canNext(pager) || loading} onClick={() => setPager(forward)}>
            Next page
          </button>
        </div>
      )}
    </>
  );
}

function PrivateRecordPanel({
  collection,
  rkey,
  canWrite,
  version,
  onClose,
  onChanged,
  onDeleted,
}: {
  collection: string;
  rkey: string;
  canWrite: boolean;
  /** version changes after writes elsewhere (a hard revoke re-encrypts the record). */
  version: number;
  onClose: () => void;
  onChanged: () => void;
  onDeleted: () => void;
}) {
  const [rec, setRec] = useState<app.PrivateRecordDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [saveError, setSaveError] = useState<unknown>(null);
  const [busy, setBusy] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  // savedAt is the epoch the last save encrypted at: its notice goes once
  // the record is re-encrypted under another key.
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const headRef = useRef<HTMLHeadingElement>(null);

  const load = useCallback(async () => {
    try {
      setRec(await GetPrivateRecord(collection, rkey));
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, [collection, rkey]);
  useEffect(() => {
    void load();
  }, [load, version]);
  useEffect(() => {
    headRef.current?.focus();
  }, []);

  const save = async () => {
    setSaveError(null);
    setSavedAt(null);
    const problem = jsonProblem(draft);
    if (problem) {
      setSaveError(problem + ' (InvalidRequest)');
      return;
    }
    setBusy('save');
    try {
      const ref = await PutPrivateRecord(collection, rkey, draft);
      setEditing(false);
      await load();
      setSavedAt(ref.epoch);
      onChanged();
    } catch (err) {
      setSaveError(err);
    } finally {
      setBusy('');
    }
  };
  const remove = async () => {
    setBusy('delete');
    setError(null);
    try {
      await DeletePrivateRecord(collection, rkey);
      onDeleted();
    } catch (err) {
      setError(err);
      setBusy('');
    }
  };

  return (
    <aside className="panel record-panel" aria-labelledby="private-record-title">
      <div className="panel-head">
        <h2 id="private-record-title" tabIndex={-1} ref={headRef}>
          Private record <span className="mono">{rkey}</span>
        </h2>
        <button type="button" className="small" onClick={onClose} aria-label="Close private record">
          Close
        </button>
      </div>
      <ErrorText error={error} />
      {rec && savedAt === rec.epoch && (
        <p className="ok-text" role="status">
          Saved, encrypted at key epoch {savedAt}.
        </p>
      )}
      {rec && (
        <>
          <dl className="facts compact">
            <dt>Collection</dt>
            <dd className="mono">{rec.collection}</dd>
            <dt>Key epoch</dt>
            <dd data-testid="record-epoch">
              {rec.epoch}
              {rec.currentEpoch > rec.epoch && <span className="muted"> (the collection is at {rec.currentEpoch}: written before a key change)</span>}
            </dd>
            <dt>Ciphertext CID</dt>
            <dd className="mono break">{rec.cid}</dd>
          </dl>
          {!editing ? (
            <>
              <pre className="json" aria-label="Private record JSON" tabIndex={0}>
                {rec.json}
              </pre>
              {canWrite && !confirmDelete && (
                <div className="buttons">
                  <button
                    type="button"
                    onClick={() => {
                      setDraft(rec.json);
                      setEditing(true);
                      setSaveError(null);
                      setSavedAt(null);
                    }}
                  >
                    Edit
                  </button>
                  <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
                    Delete
                  </button>
                </div>
              )}
              {confirmDelete && (
                <div className="confirm" role="group" aria-label="Confirm delete">
                  <p>Delete this private record? People you share the collection with can no longer fetch it; this cannot be undone.</p>
                  <div className="buttons">
                    <button type="button" className="danger" disabled={busy !== ''} onClick={remove}>
                      {busy === 'delete' ? 'Deleting…' : 'Delete record'}
                    </button>
                    <button type="button" onClick={() => setConfirmDelete(false)}>
                      Keep it
                    </button>
                  </div>
                </div>
              )}
            </>
          ) : (
            <div className="editor">
              <label htmlFor="private-record-editor">Private record JSON</label>
              <textarea
                id="private-record-editor"
                className="mono"
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
                rows={Math.min(24, Math.max(8, draft.split('\n').length + 1))}
                spellCheck={false}
                aria-invalid={saveError ? true : undefined}
                aria-describedby={saveError ? 'private-record-editor-error' : undefined}
              />
              <RecordError error={saveError} json={draft} id="private-record-editor-error" />
              <div className="buttons">
                <button type="button" className="primary" disabled={busy !== ''} onClick={save}>
                  {busy === 'save' ? 'Encrypting…' : 'Save'}
                </button>
                <button
                  type="button"
                  onClick={() => {
                    setEditing(false);
                    setSaveError(null);
                  }}
                >
                  Cancel
                </button>
              </div>
            </div>
          )}
        </>
      )}
    </aside>
  );
}

function NewPrivateRecord({
  defaultCollection,
  onClose,
  onCreated,
}: {
  defaultCollection: string;
  onClose: () => void;
  onCreated: (collection: string, rkey: string) => void;
}) {
  const [collection, setCollection] = useState(defaultCollection || 'com.example.diary.entry');
  const [rkey, setRkey] = useState('');
  const [json, setJson] = useState(() => newPrivateRecordTemplate(defaultCollection));
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const problem = collectionProblem(collection) || jsonProblem(json);
    if (problem) {
      setError(problem + ' (InvalidRequest)');
      return;
    }
    setBusy(true);
    try {
      const ref = await CreatePrivateRecord(collection.trim(), rkey.trim(), json);
      onCreated(ref.collection, ref.rkey);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <form className="panel record-panel form" onSubmit={submit} aria-labelledby="new-private-record-title" noValidate>
      <div className="panel-head">
        <h2 id="new-private-record-title">New private record</h2>
        <button type="button" className="small" onClick={onClose} aria-label="Close new private record form">
          Close
        </button>
      </div>
      <div className="field">
        <label htmlFor="new-private-collection">Collection</label>
        <input
          id="new-private-collection"
          value={collection}
          spellCheck={false}
          onChange={(e) => {
            setCollection(e.target.value);
            if (!touched) setJson(newPrivateRecordTemplate(e.target.value));
          }}
          aria-describedby="new-private-collection-hint"
        />
        <div className="hint" id="new-private-collection-hint">
          A whole collection is private: everyone you share it with can read all of its records.
        </div>
      </div>
      <div className="field">
        <label htmlFor="new-private-rkey">Record key (optional)</label>
        <input id="new-private-rkey" value={rkey} spellCheck={false} onChange={(e) => setRkey(e.target.value)} aria-describedby="new-private-rkey-hint" />
        <div className="hint" id="new-private-rkey-hint">
          Left empty, a time-based key (TID) is chosen. The record key is encrypted too.
        </div>
      </div>
      <div className="field">
        <label htmlFor="new-private-json">Record JSON</label>
        <textarea
          id="new-private-json"
          className="mono"
          rows={10}
          value={json}
          spellCheck={false}
          onChange={(e) => {
            setJson(e.target.value);
            setTouched(true);
          }}
          aria-invalid={error ? true : undefined}
        />
      </div>
      <RecordError error={error} json={json} id="new-private-record-error" />
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Encrypting…' : 'Create private record'}
        </button>
      </div>
    </form>
  );
}
