import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { ActAsCollections, ActAsCreateRecord, ActAsDeleteRecord, ActAsListRecords, EndActAs, type app } from '../api';
import { Busy, Card, ErrorText, Field, RecordError } from '../components/common';
import { actingTitle, collectionProblem, ended, pickCollection, validUntil } from '../lib/actas';
import { formatShortTime } from '../lib/format';
import { jsonProblem, newRecordTemplate } from '../lib/records';
import './ActAs.css';

/**
 * ActAsPanel is the owner acting for another account: what the access
 * allows and until when, the account's collections and records, a form
 * for a new record, delete per record, and "Stop acting". The token stays
 * on the Go side. onStop is called after stopping; onEnded when the
 * account's server says the access is gone, with the reason.
 */
export function ActAsPanel({ session, onStop, onEnded }: { session: app.ActAsSession; onStop: () => void; onEnded: (err: unknown) => void }) {
  const did = session.did;
  const title = actingTitle(session.handle, did);
  const [collections, setCollections] = useState<string[] | null>(null);
  const [collection, setCollection] = useState('');
  const [page, setPage] = useState<app.RecordPage | null>(null);
  const [cursors, setCursors] = useState<string[]>(['']);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(() => new Date());
  // version changes after every write, so the lists reload.
  const [version, setVersion] = useState(0);

  const top = useRef<HTMLDivElement>(null);
  // The panel opens below the lists: bring it into view.
  useEffect(() => {
    top.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  }, [did]);

  const fail = useCallback(
    (err: unknown) => {
      if (ended(err)) onEnded(err);
      else setError(err);
    },
    [onEnded],
  );

  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 15_000);
    return () => clearInterval(t);
  }, []);

  useEffect(() => {
    let live = true;
    ActAsCollections(did)
      .then((cs) => {
        if (!live) return;
        const names = cs.map((c) => c.name);
        setCollections(names);
        setCollection((cur) => pickCollection(names, cur));
      })
      .catch((err) => live && fail(err));
    return () => {
      live = false;
    };
  }, [did, version, fail]);

  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    if (!collection) {
      setPage(null);
      return;
    }
    let live = true;
    ActAsListRecords(did, collection, cursor)
      .then((p) => live && setPage(p))
      .catch((err) => live && fail(err));
    return () => {
      live = false;
    };
  }, [did, collection, cursor, version, fail]);

  const stop = async () => {
    setBusy(true);
    try {
      await EndActAs(did);
      onStop();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const written = (c: string) => {
    setError(null);
    setCollection(c);
    setCursors(['']);
    setVersion((v) => v + 1);
  };

  return (
    <div ref={top}>
      <Card title={title} className="actas">
        <div className="actas-banner" role="group" aria-label="What your access allows">
          <p>
            You are acting for <strong>{session.handle ? '@' + session.handle : did}</strong>
            {session.handle && !session.handleVerified && <span className="muted"> (handle not verified)</span>} on{' '}
            <span className="mono">{session.pds}</span>. What you do here is written to their audit log under your name.
          </p>
          {session.handle && <p className="mono muted break">{did}</p>}
          {session.allows.length > 0 ? (
            <ul className="scope-lines" aria-label={`What you may do as ${session.handle || did}`}>
              {session.allows.map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
          ) : (
            <p className="muted">Your access allows nothing beyond reading what is public.</p>
          )}
          <p className="muted" data-testid="actas-expiry">
            Access {validUntil(session.expiresAt, now)}.
          </p>
          <div className="buttons">
            <button type="button" className="danger" onClick={stop} disabled={busy}>
              {busy ? 'Stopping…' : 'Stop acting'}
            </button>
          </div>
        </div>
        <ErrorText error={error} />

        <h3>Records</h3>
        {collections === null ? (
          <Busy>Reading the collections…</Busy>
        ) : collections.length === 0 ? (
          <p className="muted">This repository has no records yet.</p>
        ) : (
          <>
            <Field label="Collection" htmlFor="actas-collection">
              <select
                id="actas-collection"
                value={collection}
                onChange={(e) => {
                  setCollection(e.target.value);
                  setCursors(['']);
                }}
              >
                {collections.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </Field>
            {page === null ? (
              <Busy>Reading the records…</Busy>
            ) : page.records.length === 0 ? (
              <p className="muted">No records in {collection}.</p>
            ) : (
              <ul className="actas-records" aria-label={`Records of ${session.handle || did} in ${collection}`}>
                {page.records.map((r) => (
                  <RecordRow key={r.uri} did={did} r={r} onDeleted={() => written(collection)} onError={fail} />
                ))}
              </ul>
            )}
            {(cursors.length > 1 || page?.cursor) && (
              <div className="pager">
                <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
                  Newer
                </button>
                <button type="button" disabled={!page?.cursor} onClick={() => page?.cursor && setCursors((c) => [...c, page.cursor])}>
                  Older
                </button>
              </div>
            )}
          </>
        )}

        <NewRecord did={did} onCreated={written} onEnded={onEnded} />
      </Card>
    </div>
  );
}

function RecordRow({ did, r, onDeleted, onError }: { did: string; r: app.RecordSummary; onDeleted: () => void; onError: (err: unknown) => void }) {
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const del = async () => {
    setBusy(true);
    try {
      await ActAsDeleteRecord(did, r.collection, r.rkey);
      onDeleted();
    } catch (err) {
      setConfirm(false);
      onError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className="actas-record" aria-label={r.rkey}>
      <div className="actas-record-text">
        <span>{r.preview || <span className="muted">(no text)</span>}</span>
        <span className="muted mono small-text">
          {r.rkey}
          {r.createdAt ? ' · ' + formatShortTime(r.createdAt) : ''}
        </span>
      </div>
      {confirm ? (
        <div className="buttons" role="group" aria-label={`Confirm deleting ${r.rkey}`}>
          <button type="button" className="danger" disabled={busy} onClick={del}>
            {busy ? 'Deleting…' : 'Delete it'}
          </button>
          <button type="button" onClick={() => setConfirm(false)}>
            Keep
          </button>
        </div>
      ) : (
        <button type="button" className="small" onClick={() => setConfirm(true)} aria-label={`Delete ${r.rkey}`}>
          Delete
        </button>
      )}
    </li>
  );
}

function NewRecord({ did, onCreated, onEnded }: { did: string; onCreated: (collection: string) => void; onEnded: (err: unknown) => void }) {
  const [collection, setCollection] = useState('app.bsky.feed.post');
  const [json, setJSON] = useState(() => newRecordTemplate('app.bsky.feed.post'));
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setNotice('');
    const problem = collectionProblem(collection) || jsonProblem(json);
    if (problem) {
      setError(problem + ' (InvalidRequest)');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const c = collection.trim();
      const ref = await ActAsCreateRecord(did, c, '', json);
      setNotice(`Created ${ref.rkey} in ${c}.`);
      setJSON(newRecordTemplate(c));
      onCreated(c);
    } catch (err) {
      if (ended(err)) onEnded(err);
      else setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form actas-new" onSubmit={submit} aria-label="New record" noValidate>
      <h3>New record</h3>
      <Field label="Collection" htmlFor="actas-new-collection">
        <input
          id="actas-new-collection"
          className="mono"
          value={collection}
          onChange={(e) => {
            setCollection(e.target.value);
            setError(null);
          }}
          spellCheck={false}
          autoCapitalize="none"
        />
      </Field>
      <Field label="Record (JSON)" htmlFor="actas-new-json">
        <textarea
          id="actas-new-json"
          className="mono"
          rows={8}
          value={json}
          onChange={(e) => {
            setJSON(e.target.value);
            setError(null);
          }}
          spellCheck={false}
        />
      </Field>
      <RecordError error={error} json={json} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create'}
        </button>
      </div>
    </form>
  );
}
