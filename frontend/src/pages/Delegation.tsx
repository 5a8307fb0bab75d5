import { useCallback, useEffect, useState, type FormEvent } from 'react';
import {
  ActAs,
  ActingAs,
  AddController,
  DelegationAuditLog,
  DelegationPresets,
  ListControlledAccounts,
  ListControllers,
  RemoveController,
  UpdateController,
  app,
} from '../api';
import { Busy, Card, CopyButton, ErrorText, Field, PageButtons } from '../components/common';
import { actForProblem } from '../lib/actas';
import { ActAsPanel } from './ActAs';
import {
  auditKinds,
  auditWhat,
  customScopeProblem,
  kindTitle,
  person,
  presetShort,
  presetTitle,
  rightsOf,
  whoProblem,
} from '../lib/delegation';
import { formatAgo, formatShortTime, formatTime } from '../lib/format';
import { current, firstPage, loaded, pageNumber, type Pager } from '../lib/paging';
import './Delegation.css';

const auditPageSize = 20;
/** refreshMs: how often the page re-reads the lists and the newest audit entries (a controller may act at any time). */
const refreshMs = 10_000;

/**
 * Delegation: who can act for this account (add, change, revoke), the
 * accounts this account can act for, and the audit log.
 */
export function Delegation({ account }: { account: app.AccountInfo | null }) {
  const [presets, setPresets] = useState<app.PresetInfo[] | null>(null);
  const [controllers, setControllers] = useState<app.ControllerInfo[] | null>(null);
  const [controlled, setControlled] = useState<app.ControlledInfo[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const [revokeError, setRevokeError] = useState<unknown>(null);
  // version changes after every grant change, so the audit log reloads.
  const [version, setVersion] = useState(0);
  // acting is the account the owner acts for from this window, if any.
  const [acting, setActing] = useState<app.ActAsSession | null>(null);
  const [actError, setActError] = useState<unknown>(null);

  useEffect(() => {
    ActingAs()
      .then((ss) => setActing((cur) => cur ?? ss[0] ?? null))
      .catch(() => {});
  }, []);

  const load = useCallback(async () => {
    try {
      const [ps, cs, acts] = await Promise.all([DelegationPresets(), ListControllers(), ListControlledAccounts()]);
      setPresets(ps);
      setControllers(cs);
      setControlled(acts);
      setLoadError(null);
    } catch (err) {
      setLoadError(err);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load, version]);
  useEffect(() => {
    const timer = setInterval(() => void load(), refreshMs);
    return () => clearInterval(timer);
  }, [load]);

  const changed = (message: string) => {
    setNotice(message);
    setRevokeError(null);
    setVersion((v) => v + 1);
  };
  // A revocation that failed part-way may still have revoked the grant:
  // say what happened and show the list as it now is.
  const revokeFailed = (err: unknown) => {
    setNotice('');
    setRevokeError(err);
    setVersion((v) => v + 1);
  };

  return (
    <div className="page delegation">
      <h1 className="page-title">Delegation</h1>
      <p className="muted">
        People you name here can act for your account, each within what you allow. Everything they do is written to the audit log below.
        Deciding who can act for you always stays with you.
      </p>
      <ErrorText error={loadError} />
      <ErrorText error={revokeError} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <div className="settings">
        <Card title="People who can act for me">
          {controllers === null || presets === null ? (
            loadError ? null : <Busy>Reading who can act for you…</Busy>
          ) : controllers.length === 0 ? (
            <p className="muted">Nobody can act for you.</p>
          ) : (
            <ul className="controllers" aria-label="People who can act for me">
              {controllers.map((c) => (
                <ControllerRow key={c.did} c={c} presets={presets} onChanged={changed} onRevokeFailed={revokeFailed} />
              ))}
            </ul>
          )}
        </Card>
        {presets && <AddSomeone presets={presets} onAdded={changed} />}
        <Card title="Accounts I can act for">
          {controlled === null ? (
            loadError ? null : <Busy>Reading the accounts you can act for…</Busy>
          ) : controlled.length === 0 ? (
            <p className="muted">No account hosted here lets you act for it.</p>
          ) : (
            <ul className="controllers" aria-label="Accounts I can act for">
              {controlled.map((c) => (
                <li key={c.did} className="controller">
                  <div className="controller-head">
                    <strong>{person(c.handle, c.did)}</strong>
                    <span className="badge">{presetShort(c.preset)}</span>
                  </div>
                  <div className="mono muted break">{c.did}</div>
                  <div className="muted">Since {formatTime(c.grantedAt)}</div>
                  <ScopeLines lines={c.description} label={`What you may do as ${person(c.handle, c.did)}`} />
                  <ActAsButton who={c.did} label={`Act as ${person(c.handle, c.did)}`} onActing={setActing} onError={setActError} />
                </li>
              ))}
            </ul>
          )}
          <ActForOther onActing={setActing} onError={setActError} />
          <ErrorText error={actError} />
          <p className="hint">
            Acting from this window asks the account's own server for a short-lived access within what its owner allows you. Apps can also sign
            in as that account: its sign-in page offers you as one of its controllers.
          </p>
        </Card>
        {acting && (
          <ActAsPanel
            key={acting.did}
            session={acting}
            onStop={() => {
              setActing(null);
              setActError(null);
            }}
            onEnded={(err) => {
              setActing(null);
              setActError(err);
            }}
          />
        )}
        <AuditLog ownerDID={account?.did ?? ''} controllers={controllers ?? []} version={version} />
      </div>
    </div>
  );
}

/** ActAsButton starts acting for an account. */
function ActAsButton({
  who,
  label,
  onActing,
  onError,
}: {
  who: string;
  label: string;
  onActing: (s: app.ActAsSession) => void;
  onError: (err: unknown) => void;
}) {
  const [busy, setBusy] = useState(false);
  const act = async () => {
    setBusy(true);
    onError(null);
    try {
      onActing(await ActAs(who));
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="buttons">
      <button type="button" onClick={act} disabled={busy} aria-label={label}>
        {busy ? 'Asking…' : 'Act as'}
      </button>
    </div>
  );
}

/** ActForOther acts for an account on another server, by handle or DID. */
function ActForOther({ onActing, onError }: { onActing: (s: app.ActAsSession) => void; onError: (err: unknown) => void }) {
  const [who, setWho] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problem = actForProblem(who);
    if (problem) {
      onError(problem + ' (InvalidRequest)');
      return;
    }
    setBusy(true);
    onError(null);
    try {
      onActing(await ActAs(who.trim()));
      setWho('');
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form panel" onSubmit={submit} aria-label="Act for an account on another server" noValidate>
      <Field label="Account on another server" htmlFor="act-for-who" hint="The handle or DID of an account that lets you act for it.">
        <input
          id="act-for-who"
          value={who}
          onChange={(e) => setWho(e.target.value)}
          spellCheck={false}
          autoCapitalize="none"
          placeholder="dave.example.com or did:plc:…"
          aria-describedby="act-for-who-hint"
        />
      </Field>
      <div className="buttons">
        <button type="submit" disabled={busy}>
          {busy ? 'Asking…' : 'Act as'}
        </button>
      </div>
    </form>
  );
}

/** ScopeLines lists what a scope allows, one plain-words line each. */
function ScopeLines({ lines, label }: { lines: string[]; label: string }) {
  if (!lines || lines.length === 0) return null;
  return (
    <ul className="scope-lines" aria-label={label}>
      {lines.map((l) => (
        <li key={l}>{l}</li>
      ))}
    </ul>
  );
}

/**
 * RightsPicker chooses a preset (each shown with what it allows) or a
 * custom scope.
 */
function RightsPicker({
  id,
  presets,
  choice,
  setChoice,
  scope,
  setScope,
}: {
  id: string;
  presets: app.PresetInfo[];
  choice: string;
  setChoice: (s: string) => void;
  scope: string;
  setScope: (s: string) => void;
}) {
  const chosen = presets.find((p) => p.name === choice);
  return (
    <>
      <Field label="What they may do" htmlFor={id + '-preset'}>
        <select id={id + '-preset'} value={choice} onChange={(e) => setChoice(e.target.value)}>
          {presets.map((p) => (
            <option key={p.name} value={p.name}>
              {presetTitle(p.name)}
            </option>
          ))}
          <option value="custom">{presetTitle('custom')}</option>
        </select>
      </Field>
      {chosen ? (
        <ScopeLines lines={chosen.description} label={`${presetShort(chosen.name)} allows`} />
      ) : (
        <Field
          label="Custom scope"
          htmlFor={id + '-scope'}
          hint={
            <>
              OAuth permissions separated by spaces, starting with <code>atproto</code>, for example{' '}
              <code>atproto repo:app.bsky.feed.post blob:image/*</code>.
            </>
          }
        >
          <textarea
            id={id + '-scope'}
            className="mono"
            rows={2}
            value={scope}
            onChange={(e) => setScope(e.target.value)}
            spellCheck={false}
            aria-describedby={id + '-scope-hint'}
          />
        </Field>
      )}
    </>
  );
}

function AddSomeone({ presets, onAdded }: { presets: app.PresetInfo[]; onAdded: (message: string) => void }) {
  const [who, setWho] = useState('');
  const [choice, setChoice] = useState('editor');
  const [scope, setScope] = useState('atproto ');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problem = whoProblem(who) || (choice === 'custom' ? customScopeProblem(scope) : '');
    if (problem) {
      setError(problem + ' (InvalidRequest)');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = rightsOf(choice, scope);
      const c = await AddController(new app.ControllerInput({ who: who.trim(), preset: r.preset, scope: r.scope }));
      setWho('');
      onAdded(`${person(c.handle, c.did)} can now act for you as ${presetShort(c.preset).toLowerCase()}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="Add someone">
      <form className="form" onSubmit={submit} aria-label="Add someone" noValidate>
        <Field label="Handle or DID" htmlFor="add-who" hint="They may have their account here or on any other server.">
          <input
            id="add-who"
            value={who}
            onChange={(e) => {
              setWho(e.target.value);
              setError(null);
            }}
            spellCheck={false}
            autoCapitalize="none"
            placeholder="alice.example.com or did:plc:…"
            aria-describedby="add-who-hint"
          />
        </Field>
        <RightsPicker
          id="add"
          presets={presets}
          choice={choice}
          setChoice={(c) => {
            setChoice(c);
            setError(null);
          }}
          scope={scope}
          setScope={setScope}
        />
        <ErrorText error={error} />
        <div className="buttons">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add'}
          </button>
        </div>
      </form>
    </Card>
  );
}

function ControllerRow({
  c,
  presets,
  onChanged,
  onRevokeFailed,
}: {
  c: app.ControllerInfo;
  presets: app.PresetInfo[];
  onChanged: (message: string) => void;
  onRevokeFailed: (err: unknown) => void;
}) {
  const who = person(c.handle, c.did);
  const [mode, setMode] = useState<'' | 'change' | 'revoke'>('');
  const [choice, setChoice] = useState(c.preset);
  const [scope, setScope] = useState(c.scope);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const open = (m: '' | 'change' | 'revoke') => {
    setMode(m);
    setError(null);
    setChoice(c.preset);
    setScope(c.scope);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const problem = choice === 'custom' ? customScopeProblem(scope) : '';
    if (problem) {
      setError(problem + ' (InvalidRequest)');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = rightsOf(choice, scope);
      const u = await UpdateController(new app.ControllerInput({ who: c.did, preset: r.preset, scope: r.scope }));
      setMode('');
      onChanged(`${who} can now act for you as ${presetShort(u.preset).toLowerCase()}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const revoke = async () => {
    setBusy(true);
    setError(null);
    try {
      await RemoveController(c.did);
      setMode('');
      onChanged(`${who} can no longer act for you.`);
    } catch (err) {
      setMode('');
      onRevokeFailed(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="controller" aria-label={who}>
      <div className="controller-head">
        <strong>{who}</strong>
        <span className="badge" data-testid="controller-preset">
          {presetShort(c.preset)}
        </span>
        <CopyButton text={c.did} label={`Copy the DID of ${who}`} />
      </div>
      {c.handle && <div className="mono muted break">{c.did}</div>}
      <div className="muted">
        {presetTitle(c.preset)} · given {formatTime(c.grantedAt)}
        {c.updatedAt ? ` · changed ${formatTime(c.updatedAt)}` : ''} · last used {c.lastUsed ? formatAgo(c.lastUsed) : 'never'}
      </div>
      <ScopeLines lines={c.description} label={`What ${who} may do`} />
      {mode === '' && (
        <div className="buttons">
          <button type="button" onClick={() => open('change')} aria-label={`Change what ${who} may do`}>
            Change
          </button>
          <button type="button" className="danger" onClick={() => open('revoke')} aria-label={`Revoke ${who}`}>
            Revoke
          </button>
        </div>
      )}
      {mode === 'change' && (
        <form className="form panel" onSubmit={save} aria-label={`Change what ${who} may do`}>
          <RightsPicker
            id={'change-' + c.did.replace(/[^a-z0-9]/gi, '')}
            presets={presets}
            choice={choice}
            setChoice={(v) => {
              setChoice(v);
              setError(null);
            }}
            scope={scope}
            setScope={setScope}
          />
          <ErrorText error={error} />
          <div className="buttons">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Saving…' : 'Save'}
            </button>
            <button type="button" onClick={() => open('')}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {mode === 'revoke' && (
        <div className="confirm" role="group" aria-label={`Confirm revoking ${who}`}>
          <p>
            Revoke {who}? They can no longer act for you: their sign-ins and the app passwords they made for your account end now.
          </p>
          <ErrorText error={error} />
          <div className="buttons">
            <button type="button" className="danger" disabled={busy} onClick={revoke}>
              {busy ? 'Revoking…' : 'Revoke access'}
            </button>
            <button type="button" onClick={() => open('')}>
              Keep
            </button>
          </div>
        </div>
      )}
    </li>
  );
}

function AuditLog({ ownerDID, controllers, version }: { ownerDID: string; controllers: app.ControllerInfo[]; version: number }) {
  const [kind, setKind] = useState('');
  const [controller, setController] = useState('');
  const [pager, setPager] = useState<Pager>(firstPage());
  const [entries, setEntries] = useState<app.AuditEntryInfo[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  // People seen in the log, so a former controller stays a filter choice.
  const [seen, setSeen] = useState<Record<string, string>>({});
  // tick re-reads the first page now and then, for what controllers do.
  const [tick, setTick] = useState(0);
  const cursor = current(pager);
  const onFirstPage = pageNumber(pager) === 1;

  useEffect(() => {
    if (!onFirstPage) return;
    const timer = setInterval(() => setTick((n) => n + 1), refreshMs);
    return () => clearInterval(timer);
  }, [onFirstPage]);

  useEffect(() => {
    setPager(firstPage());
  }, [kind, controller, version]);

  useEffect(() => {
    let stale = false;
    setLoading(true);
    DelegationAuditLog(new app.AuditFilterInput({ kinds: kind ? [kind] : [], controller, cursor, limit: auditPageSize }))
      .then((p) => {
        if (stale) return;
        setEntries(p.entries);
        setPager((pg) => loaded(pg, p.cursor));
        setError(null);
        setSeen((s) => {
          const next = { ...s };
          for (const e of p.entries) next[e.controller] = person(e.controllerHandle, e.controller);
          return next;
        });
      })
      .catch((err) => !stale && setError(err))
      .finally(() => !stale && setLoading(false));
    return () => {
      stale = true;
    };
  }, [kind, controller, cursor, version, tick]);

  const people: Record<string, string> = { ...seen };
  for (const c of controllers) people[c.did] = person(c.handle, c.did);

  return (
    <Card title="Audit log">
      <div className="row filters" role="group" aria-label="Filter the audit log">
        <div className="field inline">
          <label htmlFor="audit-kind">Kind</label>
          <select id="audit-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="">Everything</option>
            {auditKinds.map((k) => (
              <option key={k} value={k}>
                {kindTitle(k)}
              </option>
            ))}
          </select>
        </div>
        <div className="field inline">
          <label htmlFor="audit-person">Person</label>
          <select id="audit-person" value={controller} onChange={(e) => setController(e.target.value)}>
            <option value="">Everyone</option>
            {Object.entries(people).map(([did, label]) => (
              <option key={did} value={did}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ErrorText error={error} />
      {entries === null ? (
        error ? null : <Busy>Reading the audit log…</Busy>
      ) : entries.length === 0 ? (
        <p className="muted">{kind || controller ? 'Nothing matches these filters.' : 'Nothing yet: changes to who can act for you, and what they do, appear here.'}</p>
      ) : (
        <div className="table-wrap" aria-busy={loading}>
          <table aria-label="Audit log">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">Person</th>
                <th scope="col">Details</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} style={{ cursor: 'default' }}>
                  <td className="nowrap" title={formatTime(e.at)}>
                    {formatShortTime(e.at)}
                  </td>
                  <td>{kindTitle(e.kind)}</td>
                  <td className="break">{person(e.controllerHandle, e.controller)}</td>
                  <td className="break" title={e.clientId || undefined}>
                    {auditWhat(e)}
                  </td>
                  <td className="break">{e.actor === ownerDID ? 'You' : person(e.actor === e.controller ? e.controllerHandle : '', e.actor)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <PageButtons pager={pager} setPager={setPager} loading={loading} backLabel="Newer" nextLabel="Older" />
    </Card>
  );
}
