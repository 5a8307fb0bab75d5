import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode, type Ref } from 'react';
import { capitalize } from '../lib/errors';
import { jsonProblem } from '../lib/records';
import { ErrorText, Field, Notice, RecordError } from './common';

// The record panel and the new-record form, shared by the Repository page
// (public records) and the Private page (private records). The words and
// element ids follow from a noun ("record", "private record") and an id
// prefix, so each page keeps its own labels.


/** PanelHead is a side panel's title and its Close button. focusRef makes the title focusable (tabIndex -1). */
export function PanelHead({
  id,
  title,
  closeLabel,
  onClose,
  focusRef,
}: {
  id: string;
  title: ReactNode;
  closeLabel: string;
  onClose: () => void;
  focusRef?: Ref<HTMLHeadingElement>;
}) {
  return (
    <div className="panel-head">
      <h2 id={id} tabIndex={focusRef ? -1 : undefined} ref={focusRef}>
        {title}
      </h2>
      <button type="button" className="small" onClick={onClose} aria-label={closeLabel}>
        Close
      </button>
    </div>
  );
}

/**
 * RecordPanel shows one record (read with get, which must be a stable
 * function such as an api call): its facts, its JSON, and, when canWrite,
 * Edit (a JSON editor, saved with put) and Delete (after a confirmation,
 * with del). It reads the record again when version changes.
 */
export function RecordPanel<R extends { collection: string; json: string }, S>({
  noun,
  id,
  collection,
  rkey,
  version,
  canWrite = true,
  get,
  put,
  del,
  facts,
  savedNotice,
  savingLabel,
  deleteWarning,
  onClose,
  onChanged,
  onDeleted,
}: {
  /** noun names the record in the panel's words: "record" gives "Record JSON", "Close record". */
  noun: string;
  /** id prefixes the element ids: "record" gives record-title, record-editor. */
  id: string;
  collection: string;
  rkey: string;
  version?: number;
  canWrite?: boolean;
  get: (collection: string, rkey: string) => Promise<R>;
  /** put and del are left out for a read-only panel (records shared with you): no Edit, no Delete. */
  put?: (collection: string, rkey: string, json: string) => Promise<S>;
  del?: (collection: string, rkey: string) => Promise<void>;
  /** facts are the page's own rows of the facts list, after Collection. */
  facts: (rec: R) => ReactNode;
  /** savedNotice says what the last save did ("" to say nothing) while rec is shown. */
  savedNotice?: (saved: S, rec: R) => string;
  /** savingLabel is the Save button's words while saving. */
  savingLabel?: string;
  deleteWarning?: string;
  onClose: () => void;
  onChanged?: () => unknown;
  onDeleted?: () => unknown;
}) {
  const [rec, setRec] = useState<R | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [saveError, setSaveError] = useState<unknown>(null);
  const [busy, setBusy] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  // saved is what the last save returned; the page's notice about it may
  // depend on the record as read since (a private record re-encrypted).
  const [saved, setSaved] = useState<S | null>(null);
  const headRef = useRef<HTMLHeadingElement>(null);
  const Noun = capitalize(noun);

  const load = useCallback(async () => {
    try {
      setRec(await get(collection, rkey));
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, [get, collection, rkey]);
  useEffect(() => {
    void load();
  }, [load, version]);
  useEffect(() => {
    headRef.current?.focus();
  }, []);

  const writable = canWrite && put !== undefined && del !== undefined;

  const save = async () => {
    if (!put) return;
    setSaveError(null);
    setSaved(null);
    const problem = jsonProblem(draft);
    if (problem) {
      setSaveError(problem + ' (InvalidRequest)');
      return;
    }
    setBusy('save');
    try {
      const ref = await put(collection, rkey, draft);
      setEditing(false);
      await load();
      setSaved(ref);
      await onChanged?.();
    } catch (err) {
      setSaveError(err);
    } finally {
      setBusy('');
    }
  };
  const remove = async () => {
    if (!del) return;
    setBusy('delete');
    setError(null);
    try {
      await del(collection, rkey);
      await onDeleted?.();
    } catch (err) {
      setError(err);
      setBusy('');
    }
  };

  return (
    <aside className="panel record-panel" aria-labelledby={id + '-title'}>
      <PanelHead
        id={id + '-title'}
        title={
          <>
            {Noun} <span className="mono">{rkey}</span>
          </>
        }
        closeLabel={'Close ' + noun}
        onClose={onClose}
        focusRef={headRef}
      />
      <ErrorText error={error} />
      {rec && saved !== null && <Notice>{savedNotice?.(saved, rec) ?? ''}</Notice>}
      {rec && (
        <>
          <dl className="facts compact">
            <dt>Collection</dt>
            <dd className="mono">{rec.collection}</dd>
            {facts(rec)}
          </dl>
          {!editing ? (
            <>
              <pre className="json" aria-label={Noun + ' JSON'} tabIndex={0}>
                {rec.json}
              </pre>
              {writable && !confirmDelete && (
                <div className="buttons">
                  <button
                    type="button"
                    onClick={() => {
                      setDraft(rec.json);
                      setEditing(true);
                      setSaveError(null);
                      setSaved(null);
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
                  <p>{deleteWarning}</p>
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
              <label htmlFor={id + '-editor'}>{Noun} JSON</label>
              <textarea
                id={id + '-editor'}
                className="mono"
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
                rows={Math.min(24, Math.max(8, draft.split('\n').length + 1))}
                spellCheck={false}
                aria-invalid={saveError ? true : undefined}
                aria-describedby={saveError ? id + '-editor-error' : undefined}
              />
              <RecordError error={saveError} json={draft} id={id + '-editor-error'} />
              <div className="buttons">
                <button type="button" className="primary" disabled={busy !== ''} onClick={save}>
                  {busy === 'save' ? savingLabel : 'Save'}
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

/**
 * NewRecordForm writes a new record: collection, optional record key and
 * JSON (started from template(collection) until the JSON is typed in).
 * With checkCollection the form checks the collection name itself;
 * without, the browser requires one. onCreate writes the record and
 * moves on; its error stays in the form.
 */
export function NewRecordForm({
  noun,
  id,
  defaultCollection,
  template,
  checkCollection,
  collectionHint,
  rkeyHint,
  creatingLabel,
  onClose,
  onCreate,
}: {
  /** noun names the record: "record" gives "New record", "Create record". */
  noun: string;
  /** id prefixes the element ids: "new" gives new-collection, new-record-title. */
  id: string;
  defaultCollection: string;
  template: (collection: string) => string;
  checkCollection?: (collection: string) => string;
  collectionHint?: string;
  rkeyHint: string;
  /** creatingLabel is the submit button's words while creating. */
  creatingLabel: string;
  onClose: () => void;
  onCreate: (collection: string, rkey: string, json: string) => Promise<void>;
}) {
  const [collection, setCollection] = useState(defaultCollection);
  const [rkey, setRkey] = useState('');
  const [json, setJson] = useState(() => template(defaultCollection));
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const problem = checkCollection?.(collection) || jsonProblem(json);
    if (problem) {
      setError(problem + ' (InvalidRequest)');
      return;
    }
    setBusy(true);
    try {
      await onCreate(collection.trim(), rkey.trim(), json);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <form className="panel record-panel form" onSubmit={submit} aria-labelledby={id + '-record-title'} noValidate={checkCollection ? true : undefined}>
      <PanelHead id={id + '-record-title'} title={'New ' + noun} closeLabel={`Close new ${noun} form`} onClose={onClose} />
      <Field label="Collection" htmlFor={id + '-collection'} hint={collectionHint}>
        <input
          id={id + '-collection'}
          value={collection}
          spellCheck={false}
          onChange={(e) => {
            setCollection(e.target.value);
            if (!touched) setJson(template(e.target.value));
          }}
          required={checkCollection ? undefined : true}
          aria-describedby={collectionHint ? id + '-collection-hint' : undefined}
        />
      </Field>
      <Field label="Record key (optional)" htmlFor={id + '-rkey'} hint={rkeyHint}>
        <input id={id + '-rkey'} value={rkey} spellCheck={false} onChange={(e) => setRkey(e.target.value)} aria-describedby={id + '-rkey-hint'} />
      </Field>
      <Field label="Record JSON" htmlFor={id + '-json'}>
        <textarea
          id={id + '-json'}
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
      </Field>
      <RecordError error={error} json={json} id={id + '-record-error'} />
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? creatingLabel : 'Create ' + noun}
        </button>
      </div>
    </form>
  );
}
