import { useCallback, useEffect, useState } from 'react';
import { BlobThumbnail, CreateRecord, DeleteRecord, GetRecord, ListBlobs, ListCollections, ListRecords, PutRecord, type app } from '../api';
import { ErrorText, PageButtons, usePaged, usePoll } from '../components/common';
import { NewRecordForm, RecordPanel } from '../components/RecordPanel';
import { CollectionList, RecordTable } from '../components/RecordTable';
import { formatBytes, shortCID } from '../lib/format';
import { firstPage } from '../lib/paging';
import { newRecordTemplate } from '../lib/records';

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
              <CollectionList
                items={collections.map((c) => ({ name: c.name, count: c.count, label: `${c.name}, ${c.count} records` }))}
                selected={selected}
                onSelect={(name) => {
                  setSelected(name);
                  setOpen(null);
                }}
              />
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
            <NewRecordForm
              noun="record"
              id="new"
              defaultCollection={selected || 'app.bsky.feed.post'}
              template={(collection) => newRecordTemplate(collection.trim())}
              rkeyHint="Left empty, a time-based key (TID) is chosen."
              creatingLabel="Creating…"
              onClose={() => setCreating(false)}
              onCreate={async (collection, rkey, json) => {
                const ref = await CreateRecord(collection, rkey, json);
                setCreating(false);
                setSelected(collection);
                await changed();
                setOpen({ collection, rkey: ref.rkey });
              }}
            />
          )}
          {open && !creating && (
            <RecordPanel
              key={open.collection + '/' + open.rkey}
              noun="record"
              id="record"
              collection={open.collection}
              rkey={open.rkey}
              get={GetRecord}
              put={PutRecord}
              del={DeleteRecord}
              facts={(rec) => (
                <>
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
                </>
              )}
              savedNotice={(ref) => `Saved. New CID ${ref.cid}`}
              savingLabel="Saving…"
              deleteWarning="Delete this record? Apps that read your repository will see it gone; this cannot be undone."
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
  const [search, setSearch] = useState('');
  const [prefix, setPrefix] = useState('');
  const { pager, setPager, page, error, loading } = usePaged((cursor) => ListRecords(collection, cursor, pageSize, prefix), [collection, prefix, version]);

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
      <RecordTable
        label={`Records in ${collection}`}
        records={records}
        loaded={page !== null}
        loading={loading}
        openRkey={openRkey}
        openLabel="Open record"
        onOpen={onOpen}
        empty={prefix ? `No record key starts with “${prefix}”.` : 'This collection is empty.'}
      />
      <PageButtons pager={pager} setPager={setPager} loading={loading} always />
    </>
  );
}

function Blobs() {
  const { pager, setPager, page, error } = usePaged((cursor) => ListBlobs(cursor, blobPageSize), []);

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
      <PageButtons pager={pager} setPager={setPager} />
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
