import { useEffect, useRef, useState, type Dispatch, type ReactNode, type SetStateAction } from 'react';
import { fieldLine, parseError } from '../lib/errors';
import { copyText } from '../lib/clipboard';
import { back, canBack, canNext, current, firstPage, forward, loaded, pageNumber, type Pager } from '../lib/paging';

/** ErrorText shows an error in the user's words and, muted, its name. */
export function ErrorText({ error, id }: { error: unknown; id?: string }) {
  if (error === null || error === undefined || error === '') return null;
  const p = parseError(error);
  return (
    <p className="error" role="alert" id={id}>
      <span className="error-words">{p.words}</span>
      {p.name && <span className="muted error-name"> ({p.name})</span>}
    </p>
  );
}

/**
 * RecordError shows a write error under the record editor: for a lexicon
 * error, the field (and its line in the JSON) first, then the summary.
 */
export function RecordError({ error, json, id }: { error: unknown; json: string; id?: string }) {
  if (error === null || error === undefined || error === '') return null;
  const p = parseError(error);
  if (!p.field) {
    return (
      <div className="error-block" id={id}>
        <ErrorText error={error} />
      </div>
    );
  }
  const line = fieldLine(json, p.field);
  return (
    <div className="error-block" id={id} role="alert">
      <p className="field-error">
        Field <code>{p.field}</code>
        {line > 0 && <span className="muted"> (line {line})</span>}: {p.fieldMessage}
      </p>
      <p className="error">
        <span className="error-words">{p.summary || p.words}</span>
        {p.name && <span className="muted error-name"> ({p.name})</span>}
      </p>
    </div>
  );
}

/** Card is a titled section of a page. */
export function Card({ title, children, actions, className }: { title: string; children: ReactNode; actions?: ReactNode; className?: string }) {
  const id = 'card-' + title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return (
    <section className={'card ' + (className ?? '')} aria-labelledby={id}>
      <div className="card-head">
        <h2 id={id}>{title}</h2>
        {actions && <div className="card-actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

/** CopyButton copies text and says so for a moment. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState<'' | 'copied' | 'failed'>('');
  useEffect(() => {
    if (done === '') return;
    const t = setTimeout(() => setDone(''), 1500);
    return () => clearTimeout(t);
  }, [done]);
  return (
    <button
      type="button"
      className="small"
      aria-label={label}
      title={label}
      onClick={async () => setDone((await copyText(text)) ? 'copied' : 'failed')}
    >
      {done === 'copied' ? 'Copied' : done === 'failed' ? 'Copy failed' : 'Copy'}
    </button>
  );
}

/**
 * usePoll calls fn at once and then every ms after the previous call
 * settled (never two at a time), while enabled.
 */
export function usePoll(fn: () => Promise<unknown> | unknown, ms: number, enabled = true, key: unknown = null) {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        await ref.current();
      } catch {
        // the callback shows its own errors
      }
      if (!stopped) timer = setTimeout(tick, ms);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [ms, enabled, key]);
}

/** Field is a labelled input row with an optional hint. */
export function Field({ label, hint, children, htmlFor }: { label: string; hint?: ReactNode; children: ReactNode; htmlFor: string }) {
  return (
    <div className="field">
      <label htmlFor={htmlFor}>{label}</label>
      {children}
      {hint && (
        <div className="hint" id={htmlFor + '-hint'}>
          {hint}
        </div>
      )}
    </div>
  );
}

/** Busy says work is under way without blocking the page. */
export function Busy({ children }: { children: ReactNode }) {
  return (
    <p className="muted busy" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {children}
    </p>
  );
}

/** Notice says that something went well; nothing when children is empty. */
export function Notice({ children }: { children: ReactNode }) {
  if (children === null || children === undefined || children === '' || children === false) return null;
  return (
    <p className="ok-text" role="status">
      {children}
    </p>
  );
}

/**
 * PageButtons moves a Pager back and forward, both disabled while loading.
 * Unless always, it shows only when there is another page to go to.
 */
export function PageButtons({
  pager,
  setPager,
  loading = false,
  always = false,
  backLabel = 'Back',
  nextLabel = 'Next page',
}: {
  pager: Pager;
  setPager: Dispatch<SetStateAction<Pager>>;
  loading?: boolean;
  always?: boolean;
  backLabel?: string;
  nextLabel?: string;
}) {
  if (!always && !canBack(pager) && !canNext(pager)) return null;
  return (
    <div className="pager">
      <button type="button" disabled={!canBack(pager) || loading} onClick={() => setPager(back)}>
        {backLabel}
      </button>
      <span className="muted">Page {pageNumber(pager)}</span>
      <button type="button" disabled={!canNext(pager) || loading} onClick={() => setPager(forward)}>
        {nextLabel}
      </button>
    </div>
  );
}

/**
 * usePaged reads the page at the pager's cursor with list, and again
 * whenever the cursor or one of deps changes (list itself may change every
 * render). A reply that comes after a newer read began is dropped.
 */
export function usePaged<P extends { cursor?: string | null }>(list: (cursor: string) => Promise<P>, deps: unknown[]) {
  const [pager, setPager] = useState<Pager>(firstPage());
  const [page, setPage] = useState<P | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const cursor = current(pager);
  const ref = useRef(list);
  ref.current = list;
  useEffect(() => {
    let stale = false;
    setLoading(true);
    ref
      .current(cursor)
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
  }, [cursor, ...deps]);
  return { pager, setPager, page, error, loading };
}
