import { useCallback, useEffect, useState } from 'react';
import { CreatePrivateRecord, DeletePrivateRecord, GetPrivateRecord, ListPrivateCollections, ListPrivateRecords, PutPrivateRecord, type app } from '../api';
import { Busy, Card, ErrorText, PageButtons, usePaged } from '../components/common';
import { NewRecordForm, RecordPanel } from '../components/RecordPanel';
import { CollectionList, RecordTable } from '../components/RecordTable';
import { plural } from '../lib/format';
import { collectionProblem, newPrivateRecordTemplate } from '../lib/private';
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
              <CollectionList
                items={collections.map((c) => ({
                  name: c.collection,
                  count: c.records,
                  label: `${c.collection}, ${plural(c.records, 'record')}, shared with ${c.grantees}`,
                }))}
                selected={selected}
                onSelect={(name) => {
                  setSelected(name);
                  setOpen(null);
                }}
              />
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
            <NewRecordForm
              noun="private record"
              id="new-private"
              defaultCollection={selected || 'com.example.diary.entry'}
              template={newPrivateRecordTemplate}
              checkCollection={collectionProblem}
              collectionHint="A whole collection is private: everyone you share it with can read all of its records."
              rkeyHint="Left empty, a time-based key (TID) is chosen. The record key is encrypted too."
              creatingLabel="Encrypting…"
              onClose={() => setCreating(false)}
              onCreate={async (collection, rkey, json) => {
                const ref = await CreatePrivateRecord(collection, rkey, json);
                setCreating(false);
                setSelected(ref.collection);
                setOpen({ collection: ref.collection, rkey: ref.rkey });
                changed();
              }}
            />
          )}
          {open && !creating && (
            <RecordPanel
              key={open.collection + '/' + open.rkey}
              noun="private record"
              id="private-record"
              collection={open.collection}
              rkey={open.rkey}
              canWrite={canWrite}
              // A hard revoke elsewhere re-encrypts the record: read it again.
              version={version}
              get={GetPrivateRecord}
              put={PutPrivateRecord}
              del={DeletePrivateRecord}
              facts={(rec) => (
                <>
                  <dt>Key epoch</dt>
                  <dd data-testid="record-epoch">
                    {rec.epoch}
                    {rec.currentEpoch > rec.epoch && <span className="muted"> (the collection is at {rec.currentEpoch}: written before a key change)</span>}
                  </dd>
                  <dt>Ciphertext CID</dt>
                  <dd className="mono break">{rec.cid}</dd>
                </>
              )}
              // The notice goes once the record is re-encrypted under another key.
              savedNotice={(ref, rec) => (ref.epoch === rec.epoch ? `Saved, encrypted at key epoch ${ref.epoch}.` : '')}
              savingLabel="Encrypting…"
              deleteWarning="Delete this private record? People you share the collection with can no longer fetch it; this cannot be undone."
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
  const collection = info.collection;
  const { pager, setPager, page, error, loading } = usePaged((cursor) => ListPrivateRecords(collection, cursor, pageSize), [collection, version]);

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
      <RecordTable
        label={`Private records in ${collection}`}
        records={records}
        loaded={page !== null}
        loading={loading}
        openRkey={openRkey}
        openLabel="Open private record"
        onOpen={onOpen}
        columns={[{ head: 'Epoch', cell: (r) => r.epoch }]}
        empty="This collection is empty."
      />
      <PageButtons pager={pager} setPager={setPager} loading={loading} />
    </>
  );
}
