import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ForgetSharedCollection, ReadSharedCollection, SharedCollections, type app } from '../api';
import { Busy, Card, ErrorText, Field } from '../components/common';
import { RecordPanel } from '../components/RecordPanel';
import { RecordTable } from '../components/RecordTable';
import { person } from '../lib/delegation';
import { formatTime, plural } from '../lib/format';
import { sameShared, sharedFormProblem, sharedRefLabel, sharedStatement } from '../lib/private';

/** A record of the shown collection, as the read-only record panel reads it. */
type SharedDetail = app.SharedRecord & { collection: string };

/**
 * PrivateShared ("Shared with me"): the private collections other people
 * shared with you, on this server or any other. You name the person and
 * the collection; the Go side fetches the records from their server and
 * decrypts them here with your key. The collections opened before are
 * remembered on this computer, as quick links.
 */
export function PrivateShared() {
  const [refs, setRefs] = useState<app.SharedRef[] | null>(null);
  const [refsError, setRefsError] = useState<unknown>(null);
  const [owner, setOwner] = useState('');
  const [collection, setCollection] = useState('');
  const [shown, setShown] = useState<app.SharedCollection | null>(null);
  const [openRkey, setOpenRkey] = useState('');
  const [busy, setBusy] = useState('');
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    SharedCollections()
      .then((rs) => setRefs(rs ?? []))
      .catch(setRefsError);
  }, []);

  const read = async (who: string, name: string) => {
    const problem = sharedFormProblem(who, name);
    if (problem) {
      setError(problem + ' (InvalidRequest)');
      return;
    }
    setBusy('read');
    setError(null);
    try {
      const c = await ReadSharedCollection(who.trim(), name.trim());
      setShown(c);
      setOpenRkey('');
      setRefs((await SharedCollections()) ?? []);
      setRefsError(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy('');
    }
  };
  const forget = async (r: app.SharedRef) => {
    setBusy('forget');
    setRefsError(null);
    try {
      setRefs((await ForgetSharedCollection(r.ownerDid, r.collection)) ?? []);
    } catch (err) {
      setRefsError(err);
    } finally {
      setBusy('');
    }
  };

  // get reads a record of the shown collection: they are all decrypted
  // already, so the read-only panel needs no call of its own.
  const get = useCallback(
    async (name: string, rkey: string): Promise<SharedDetail> => {
      const r = shown?.records?.find((x) => x.rkey === rkey);
      if (!shown || shown.collection !== name || !r) throw new Error(`There is no record ${name}/${rkey} here (RecordNotFound)`);
      return { ...r, collection: shown.collection };
    },
    [shown],
  );

  const records = shown?.records ?? [];
  const owned = shown ? person(shown.ownerHandle, shown.ownerDid) : '';
  return (
    <Card title="Shared with me" className="wide">
      <p className="muted">{sharedStatement}</p>
      <form
        className="form"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void read(owner, collection);
        }}
        aria-label="Open a collection shared with you"
        noValidate
      >
        <div className="row wrap">
          <Field label="Shared by (handle or DID)" htmlFor="shared-owner" hint="The person who shared a private collection with you.">
            <input
              id="shared-owner"
              value={owner}
              onChange={(e) => setOwner(e.target.value)}
              spellCheck={false}
              autoCapitalize="none"
              placeholder="olive.example.com or did:plc:…"
              aria-describedby="shared-owner-hint"
            />
          </Field>
          <Field label="Shared collection" htmlFor="shared-collection" hint="The collection’s name, as they told you.">
            <input
              id="shared-collection"
              value={collection}
              onChange={(e) => setCollection(e.target.value)}
              spellCheck={false}
              autoCapitalize="none"
              placeholder="com.example.recipe.card"
              aria-describedby="shared-collection-hint"
            />
          </Field>
        </div>
        <ErrorText error={error} />
        <div className="buttons">
          <button type="submit" className="primary" disabled={busy !== ''}>
            {busy === 'read' ? 'Fetching and decrypting…' : 'Open'}
          </button>
        </div>
      </form>
      <div className={'repo' + (openRkey ? ' with-panel' : '')}>
        <nav className="collections" aria-label="Collections shared with you">
          <ErrorText error={refsError} />
          {refs === null ? (
            refsError ? null : <Busy>Reading…</Busy>
          ) : refs.length === 0 ? (
            <p className="muted">The collections you open are listed here, to open them again.</p>
          ) : (
            <ul className="private-people">
              {refs.map((r) => (
                <li key={r.ownerDid + ' ' + r.collection} className="private-person">
                  <button
                    type="button"
                    className={'collection' + (sameShared(r, shown) ? ' selected' : '')}
                    aria-pressed={sameShared(r, shown)}
                    aria-label={`Open ${sharedRefLabel(r)}`}
                    disabled={busy !== ''}
                    onClick={() => {
                      setOwner(r.ownerHandle || r.ownerDid);
                      setCollection(r.collection);
                      void read(r.ownerDid, r.collection);
                    }}
                  >
                    <span className="collection-name">
                      {r.collection}
                      <br />
                      <span className="muted">{person(r.ownerHandle, r.ownerDid)}</span>
                    </span>
                  </button>
                  <button type="button" className="small" disabled={busy !== ''} aria-label={`Forget ${sharedRefLabel(r)}`} onClick={() => forget(r)}>
                    Forget
                  </button>
                </li>
              ))}
            </ul>
          )}
        </nav>
        <section className="records" aria-label="Shared records">
          {shown ? (
            <>
              <div className="records-head">
                <h2>{shown.collection}</h2>
                <span className="badge">shared by {owned}</span>
                <span className="badge" title={formatTime(shown.readAt)}>
                  {plural(records.length, 'record')}, decrypted here
                </span>
              </div>
              <RecordTable
                label={`Records of ${shown.collection} shared by ${owned}`}
                records={records}
                loaded
                loading={busy === 'read'}
                openRkey={openRkey}
                openLabel="Open shared record"
                onOpen={setOpenRkey}
                columns={[{ head: 'Epoch', cell: (r) => r.epoch }]}
                empty="This collection is empty."
              />
            </>
          ) : (
            <p className="muted">Open a collection someone shared with you to read its records.</p>
          )}
        </section>
        {shown && openRkey && (
          <RecordPanel
            key={shown.ownerDid + '/' + shown.collection + '/' + openRkey}
            noun="shared record"
            id="shared-record"
            collection={shown.collection}
            rkey={openRkey}
            canWrite={false}
            get={get}
            facts={(rec) => (
              <>
                <dt>Shared by</dt>
                <dd className="break">{owned}</dd>
                <dt>Key epoch</dt>
                <dd data-testid="shared-record-epoch">{rec.epoch}</dd>
                <dt>Ciphertext CID</dt>
                <dd className="mono break">{rec.cid}</dd>
              </>
            )}
            onClose={() => setOpenRkey('')}
          />
        )}
      </div>
    </Card>
  );
}
