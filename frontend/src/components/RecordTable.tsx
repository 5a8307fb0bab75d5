import type { ReactNode } from 'react';
import { formatShortTime, formatTime } from '../lib/format';

// The collections list and the records table, shared by the Repository page
// (public records) and the Private page (private records).

/** CollectionList lists collections as buttons, the selected one pressed. */
export function CollectionList({
  items,
  selected,
  onSelect,
}: {
  /** items are the collections: name, record count, and the button's accessible label. */
  items: { name: string; count: number; label: string }[];
  selected: string;
  onSelect: (name: string) => void;
}) {
  return (
    <ul>
      {items.map((c) => (
        <li key={c.name}>
          <button
            type="button"
            className={'collection' + (c.name === selected ? ' selected' : '')}
            aria-pressed={c.name === selected}
            aria-label={c.label}
            onClick={() => onSelect(c.name)}
          >
            <span className="collection-name">{c.name}</span>
            <span className="count">{c.count.toLocaleString('en')}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

/** A Column is one more column of the records table, after Preview. */
export interface Column<T> {
  head: string;
  cell: (record: T) => ReactNode;
}

/**
 * RecordTable is a page of records: record key (a button that opens the
 * record), created time, preview and the page's own columns. empty is said
 * once a page is loaded (loaded) and has no records.
 */
export function RecordTable<T extends { rkey: string; createdAt?: string; preview: string }>({
  label,
  records,
  loaded,
  loading,
  openRkey,
  openLabel,
  onOpen,
  columns = [],
  empty,
}: {
  label: string;
  records: T[];
  loaded: boolean;
  loading: boolean;
  openRkey: string;
  /** openLabel starts each record key button's label: "Open record" gives "Open record 3kf…". */
  openLabel: string;
  onOpen: (rkey: string) => void;
  columns?: Column<T>[];
  empty: ReactNode;
}) {
  return (
    <div className="table-wrap" aria-busy={loading}>
      <table aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Record key</th>
            <th scope="col">Created</th>
            <th scope="col">Preview</th>
            {columns.map((c) => (
              <th key={c.head} scope="col">
                {c.head}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {records.map((r) => (
            <tr key={r.rkey} className={r.rkey === openRkey ? 'selected' : ''} onClick={() => onOpen(r.rkey)}>
              <td>
                <button type="button" className="link mono" aria-label={`${openLabel} ${r.rkey}`} onClick={(e) => (e.stopPropagation(), onOpen(r.rkey))}>
                  {r.rkey}
                </button>
              </td>
              <td className="nowrap" title={r.createdAt ? formatTime(r.createdAt) : undefined}>
                {r.createdAt ? formatShortTime(r.createdAt) : '—'}
              </td>
              <td className="preview">
                <div className="clamp">{r.preview}</div>
              </td>
              {columns.map((c) => (
                <td key={c.head}>{c.cell(r)}</td>
              ))}
            </tr>
          ))}
          {loaded && records.length === 0 && (
            <tr>
              <td colSpan={3 + columns.length} className="muted">
                {empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
