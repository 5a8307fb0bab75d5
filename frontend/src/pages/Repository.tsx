import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { BlobThumbnail, CreateRecord, DeleteRecord, GetRecord, ListBlobs, ListCollections, ListRecords, PutRecord, type app } from '../api';
import { ErrorText, RecordError, usePoll } from '../components/common';
import { formatBytes, formatShortTime, formatTime, shortCID } from '../lib/format';
import { back, canBack, canNext, current, firstPage, forward, loaded, pageNumber, type Pager } from '../lib/paging';
import { jsonProblem, newRecordTemplate } from '../lib/records';

const pageSize = 25;
const blobPageSize = 24;

type Tab = 'records' | 'blobs';
type Open = { collection: string; rkey: string } | null;

/** Repository: collections, records, one record's panel, blobs. */
export function Repository() {
  const [tab, setTab] = useState<Tab>('records');
  const [collections, setCollections] = useState<app.Collection[] | null>(null);
  const [colError, setColError] = useState<unknown>(null);
  const [selected, setSelected] = useState('');
  const [open, setOpen] = useState<Open>(null);
  const [creating, setCreating] = useState(false);
  const [listVersion, setListVersion] = useState(0);

  const loadCollections = useCallback(async () => {
    try {
      const cols = await ListCollections();
      setCollections(cols ?? []);
      setColError(null);
      setSelected((s) => (s !== '' || !cols || cols.length === 0 ? s : cols[0].name));
    } catch (err) {
      setColError(err);
    }
  }, []);
  // Counts change as records are written (here or by apps): keep them fresh.
  usePoll(loadCollections, 5000);

  const changed = async () => {
    await loadCollections();
    setListVersion((v) => v + 1);
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1 className="page-title">Repository</h1>
        <div className="tabs" role="tablist" aria-label="Repository views">
          <button type="button" role="tab" aria-selected={tab === 'records'} onClick={() => setTab('records')}>
            Records
          </button>
          <button type="button" role="tab" aria-selected={tab === 'blobs'} onClick={() => setTab('blobs')}>
            Blobs
          </button>
        </div>
        <button
          type="button"
          className="primary"
          onClick={() => {
            setCreating(true);
            setOpen(null);
            setTab('records');
          }}
        >
          New record
        </button>
      </div>
      {tab === 'blobs' ? (
        <div role="tabpanel" aria-label="Blobs">
          <Blobs />
        </div>
      ) : (
        <div className={'repo' + (open || creating ? ' with-panel' : '')} role="tabpanel" aria-label="Records">
          <nav className="collections" aria-label="Collections">
            <h2>Collections</h2>
            <ErrorText error={colError} />
            {collections === null ? (
              <p className="muted">Reading…</p>
            ) : collections.length === 0 ? (
              <p className="muted">No records yet. Use “New record” to write one.</p>
            ) : (
              <ul>
                {collections.map((c) => (
                  <li key={c.name}>
                    <button
                      type="button"
                      className={'collection' + (c.name === selected ? ' selected' : '')}
                      aria-pressed={c.name === selected}
                      aria-label={`${c.name}, ${c.count} records`}
                      onClick={() => {
                        setSelected(c.name);
                        setOpen(null);
                      }}
                    >
                      <span className="collection-name">{c.name}</span>
                      <span className="count">{c.count.toLocaleString('en')}</span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </nav>
          <section className="records" aria-label="Records">
            {selected ? (
              <RecordsTable
                key={selected}
                collection={selected}
                version={listVersion}
                openRkey={open && open.collection === selected ? open.rkey : ''}
                onOpen={(rkey) => {
                  setCreating(false);
                  setOpen({ collection: selected, rkey });
                }}
              />
            ) : (
              <p className="muted">Choose a collection.</p>
            )}
          </section>
          {creating && (
            <NewRecord
              defaultCollection={selected || 'app.bsky.feed.post'}
              onClose={() => setCreating(false)}
              onCreated={async (collection, rkey) => {
                setCreating(false);
                setSelected(collection);
                await changed();
                setOpen({ collection, rkey });
              }}
            />
          )}
          {open && !creating && (
            <RecordPanel
              key={open.collection + '/' + open.rkey}
              collection={open.collection}
              rkey={open.rkey}
              onClose={() => setOpen(null)}
              onChanged={changed}
              onDeleted={async () => {
                setOpen(null);
                await changed();
              }}
            />
          )}
        </div>
      )}
    </div>
  );
}

function RecordsTable({ collection, version, openRkey, onOpen }: { collection: string; version: number; openRkey: string; onOpen: (rkey: string) => void }) {
  const [pager, setPager] = useState<Pager>(firstPage());
  const [search, setSearch] = useState('');
  const [prefix, setPrefix] = useState('');
  const [page, setPage] = useState<app.RecordPage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const cursor = current(pager);

  // The search applies a moment after typing stops.
  useEffect(() => {
    const t = setTimeout(() => {
      const p = search.trim();
      if (p !== prefix) {
        setPrefix(p);
        setPager(firstPage());
      }
    }, 250);
    return () => clearTimeout(t);
  }, [search, prefix]);

  useEffect(() => {
    let stale = false;
    setLoading(true);
    ListRecords(collection, cursor, pageSize, prefix)
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
  }, [collection, cursor, prefix, version]);

  const records = page?.records ?? [];
  return (
    <>
      <div className="records-head">
        <h2>{collection}</h2>
        <div className="field inline">
          <label htmlFor="rkey-search">Search by record key</label>
          <input
            id="rkey-search"
            type="search"
            placeholder="rkey starts with…"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            spellCheck={false}
          />
        </div>
      </div>
      <ErrorText error={error} />
      <div className="table-wrap" aria-busy={loading}>
        <table aria-label={`Records in ${collection}`}>
          <thead>
            <tr>
              <th scope="col">Record key</th>
              <th scope="col">Created</th>
              <th scope="col">Preview</th>
            </tr>
          </thead>
          <tbody>
            {records.map((r) => (
              <tr key={r.rkey} className={r.rkey === openRkey ? 'selected' : ''} onClick={() => onOpen(r.rkey)}>
                <td>
                  <button type="button" className="link mono" aria-label={`Open record ${r.rkey}`} onClick={(e) => (e.stopPropagation(), onOpen(r.rkey))}>
                    {r.rkey}
                  </button>
                </td>
                <td className="nowrap" title={r.createdAt ? formatTime(r.createdAt) : undefined}>
                  {r.createdAt ? formatShortTime(r.createdAt) : '—'}
                </td>
                <td className="preview">
                  <div className="clamp">{r.preview}</div>
                </td>
              </tr>
            ))}
            {page && records.length === 0 && (
              <tr>
                <td colSpan={3} className="muted">
                  {prefix ? `No record key starts with “${prefix}”.` : 'This collection is empty.'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <div className="pager">
        <button type="button" disabled={!canBack(pager) || loading} onClick={() => setPager(back)}>
          Back
        </button>
        <span className="muted">Page {pageNumber(pager)}</span>
        <button type="button" disabled={!canNext(pager) || loading} onClick={() => setPager(forward)}>
          Next page
        </button>
      </div>
    </>
  );
}

function RecordPanel({
  collection,
  rkey,
  onClose,
  onChanged,
  onDeleted,
}: {
  collection: string;
  rkey: string;
  onClose: () => void;
  onChanged: () => Promise<void>;
  onDeleted: () => Promise<void>;
}) {
  const [rec, setRec] = useState<app.RecordDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [saveError, setSaveError] = useState<unknown>(null);
  const [busy, setBusy] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [notice, setNotice] = useState('');
  const headRef = useRef<HTMLHeadingElement>(null);

  const load = useCallback(async () => {
    try {
      setRec(await GetRecord(collection, rkey));
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, [collection, rkey]);

  useEffect(() => {
    void load();
    headRef.current?.focus();
  }, [load]);

  const save = async () => {
    setSaveError(null);
    setNotice('');
    const problem = jsonProblem(draft);
    if (problem) {
      setSaveError(problem + ' (InvalidRequest)');
      return;
    }
    setBusy('save');
    try {
      const ref = await PutRecord(collection, rkey, draft);
      setEditing(false);
      await load();
      setNotice(`Saved. New CID ${ref.cid}`);
      await onChanged();
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
      await DeleteRecord(collection, rkey);
      await onDeleted();
    } catch (err) {
      setError(err);
      setBusy('');
    }
  };


  return (
    <aside className="panel record-panel" aria-labelledby="record-title">
      <div className="panel-head">
        <h2 id="record-title" tabIndex={-1} ref={headRef}>
          Record <span className="mono">{rkey}</span>
        </h2>
        <button type="button" className="small" onClick={onClose} aria-label="Close record">
          Close
        </button>
      </div>
      <ErrorText error={error} />
      {notice && (
        <p className="ok-text" role="status">
          {notice}
        </p>
      )}
      {rec && (
        <>
          <dl className="facts compact">
            <dt>Collection</dt>
            <dd className="mono">{rec.collection}</dd>
            <dt>CID</dt>
            <dd className="mono break" data-testid="record-cid">
              {rec.cid}
            </dd>
            <dt>Commit</dt>
            <dd className="mono break" data-testid="record-commit">
              rev {rec.commitRev}
              {rec.commitCid ? <> · {rec.commitCid}</> : null}
            </dd>
            <dt>URI</dt>
            <dd className="mono break">{rec.uri}</dd>
          </dl>
          {!editing ? (
            <>
              <pre className="json" aria-label="Record JSON" tabIndex={0}>
                {rec.json}
              </pre>
              {!confirmDelete ? (
                <div className="buttons">
                  <button
                    type="button"
                    onClick={() => {
                      setDraft(rec.json);
                      setEditing(true);
                      setSaveError(null);
                      setNotice('');
                    }}
                  >
                    Edit
                  </button>
                  <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
                    Delete
                  </button>
                </div>
              ) : (
                <div className="confirm" role="group" aria-label="Confirm delete">
                  <p>Delete this record? Apps that read your repository will see it gone; this cannot be undone.</p>
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
              <label htmlFor="record-editor">Record JSON</label>
              <textarea
                id="record-editor"
                className="mono"
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
                rows={Math.min(24, Math.max(8, draft.split('\n').length + 1))}
                spellCheck={false}
                aria-invalid={saveError ? true : undefined}
                aria-describedby={saveError ? 'record-editor-error' : undefined}
              />
              <RecordError error={saveError} json={draft} id="record-editor-error" />
              <div className="buttons">
                <button type="button" className="primary" disabled={busy !== ''} onClick={save}>
                  {busy === 'save' ? 'Saving…' : 'Save'}
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

function NewRecord({
  defaultCollection,
  onClose,
  onCreated,
}: {
  defaultCollection: string;
  onClose: () => void;
  onCreated: (collection: string, rkey: string) => Promise<void>;
}) {
  const [collection, setCollection] = useState(defaultCollection);
  const [rkey, setRkey] = useState('');
  const [json, setJson] = useState(() => newRecordTemplate(defaultCollection));
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const problem = jsonProblem(json);
    if (problem) {
      setError(problem + ' (InvalidRequest)');
      return;
    }
    setBusy(true);
    try {
      const ref = await CreateRecord(collection.trim(), rkey.trim(), json);
      await onCreated(collection.trim(), ref.rkey);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };


  return (
    <form className="panel record-panel form" onSubmit={submit} aria-labelledby="new-record-title">
      <div className="panel-head">
        <h2 id="new-record-title">New record</h2>
        <button type="button" className="small" onClick={onClose} aria-label="Close new record form">
          Close
        </button>
      </div>
      <div className="field">
        <label htmlFor="new-collection">Collection</label>
        <input
          id="new-collection"
          value={collection}
          spellCheck={false}
          onChange={(e) => {
            setCollection(e.target.value);
            if (!touched) setJson(newRecordTemplate(e.target.value.trim()));
          }}
          required
        />
      </div>
      <div className="field">
        <label htmlFor="new-rkey">Record key (optional)</label>
        <input id="new-rkey" value={rkey} spellCheck={false} onChange={(e) => setRkey(e.target.value)} aria-describedby="new-rkey-hint" />
        <div className="hint" id="new-rkey-hint">
          Left empty, a time-based key (TID) is chosen.
        </div>
      </div>
      <div className="field">
        <label htmlFor="new-json">Record JSON</label>
        <textarea
          id="new-json"
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
      <RecordError error={error} json={json} id="new-record-error" />
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create record'}
        </button>
      </div>
    </form>
  );
}

function Blobs() {
  const [pager, setPager] = useState<Pager>(firstPage());
  const [page, setPage] = useState<app.BlobPage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const cursor = current(pager);

  useEffect(() => {
    let stale = false;
    ListBlobs(cursor, blobPageSize)
      .then((p) => {
        if (stale) return;
        setPage(p);
        setPager((pg) => loaded(pg, p.cursor));
        setError(null);
      })
      .catch((err) => !stale && setError(err));
    return () => {
      stale = true;
    };
  }, [cursor]);

  const blobs = page?.blobs ?? [];
  return (
    <section aria-label="Blobs gallery">
      <ErrorText error={error} />
      {page && blobs.length === 0 && <p className="muted">No blobs yet. Images and other media that your records use appear here.</p>}
      <ul className="gallery">
        {blobs.map((b) => (
          <BlobTile key={b.cid} blob={b} />
        ))}
      </ul>
      {(canBack(pager) || canNext(pager)) && (
        <div className="pager">
          <button type="button" disabled={!canBack(pager)} onClick={() => setPager(back)}>
            Back
          </button>
          <span className="muted">Page {pageNumber(pager)}</span>
          <button type="button" disabled={!canNext(pager)} onClick={() => setPager(forward)}>
            Next page
          </button>
        </div>
      )}
    </section>
  );
}

function BlobTile({ blob }: { blob: app.BlobInfo }) {
  const [src, setSrc] = useState('');
  const isImage = blob.mimeType.startsWith('image/');
  useEffect(() => {
    if (!isImage) return;
    let stale = false;
    BlobThumbnail(blob.cid)
      .then((u) => !stale && setSrc(u))
      .catch(() => {});
    return () => {
      stale = true;
    };
  }, [blob.cid, isImage]);
  return (
    <li className="tile">
      <div className="thumb">{src ? <img src={src} alt={`Image ${shortCID(blob.cid)}`} loading="lazy" /> : <span className="muted">{isImage ? 'image' : blob.mimeType.split('/')[0]}</span>}</div>
      <div className="tile-text">
        <span className="mono" title={blob.cid}>
          {shortCID(blob.cid)}
        </span>
        <span>{blob.mimeType}</span>
        <span>{formatBytes(blob.size)}</span>
      </div>
    </li>
  );
}
