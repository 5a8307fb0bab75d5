import { useState, type FormEvent } from 'react';
import { ConfigurePlugin, ReloadPlugin, app } from '../api';
import { ErrorText, Field } from '../components/common';
import { formatShortTime, formatTime } from '../lib/format';
import {
  configChanges,
  countWords,
  defaultWords,
  drafts as draftsOf,
  fieldOfError,
  formatLatency,
  kibWords,
  shortHash,
  stateBadge,
  typeHint,
  type Draft,
} from '../lib/plugins';

/**
 * PluginDetails shows everything about one plugin: its manifest, what it
 * asks for and was granted, its hooks and limits, its accounts and recent
 * errors, the configuration editor and a reload from another folder.
 */
export function PluginDetails({ id, p, onChanged }: { id: string; p: app.PluginView; onChanged: (message: string, v?: app.PluginView) => void }) {
  const granted = p.granted ?? [];
  return (
    <div className="plugin-details" id={id} role="region" aria-label={`Details of ${p.name}`}>
      <div className="plugin-columns">
        <section aria-label="Manifest">
          <h3>Manifest</h3>
          <dl className="facts compact">
            <dt>Id</dt>
            <dd className="mono break">{p.id}</dd>
            <dt>Version</dt>
            <dd>{p.version}</dd>
            <dt>State</dt>
            <dd>{stateBadge(p.state).label}</dd>
            <dt>Contract</dt>
            <dd>api {p.api}</dd>
            <dt>Module</dt>
            <dd className="mono break">{p.wasm}</dd>
            <dt>SHA-256</dt>
            <dd className="mono" title={p.sha256}>
              {shortHash(p.sha256)}
            </dd>
            <dt>Installed from</dt>
            <dd className="mono break">{p.source || 'not known (reloads use the installed copy)'}</dd>
          </dl>
        </section>
        <section aria-label="Activity">
          <h3>Activity</h3>
          <dl className="facts compact">
            <dt>Calls</dt>
            <dd data-testid="plugin-calls">{countWords(p.calls, 'call', 'calls')}</dd>
            <dt>Errors</dt>
            <dd data-testid="plugin-errors">{countWords(p.errors, 'error', 'errors')}</dd>
            <dt>Latency p50</dt>
            <dd>{formatLatency(p.p50Micros, p.calls)}</dd>
            <dt>Latency p99</dt>
            <dd>{formatLatency(p.p99Micros, p.calls)}</dd>
          </dl>
          <h3>Limits</h3>
          <dl className="facts compact">
            <dt>Memory</dt>
            <dd>{p.limits.memoryMiB} MiB</dd>
            <dt>Before-hooks</dt>
            <dd>
              {p.limits.beforeTimeoutMs} ms, then {p.limits.onError === 'allow' ? 'the write goes through' : 'the write is refused'}
            </dd>
            <dt>Other calls</dt>
            <dd>{p.limits.afterTimeoutMs} ms</dd>
            <dt>Its own data</dt>
            <dd>{kibWords(p.limits.kvQuotaKiB)} at most</dd>
          </dl>
        </section>
      </div>
      <h3>It asks to</h3>
      <Lines lines={(p.capabilities ?? []).map((c) => c.description ?? c.kind)} label={`What ${p.name} asks for`} empty="Nothing: it sees only what its hooks are given." />
      <h3>{p.state === 'enabled' ? 'Granted' : 'Granted when it was last enabled'}</h3>
      <Lines lines={granted.map((c) => c.description ?? c.kind)} label={`What ${p.name} was granted`} empty="Nothing." />
      <h3>When it runs</h3>
      <Lines
        lines={(p.hooks ?? []).map((h) => {
          const on = h.collections ?? h.nsids ?? [];
          return `${h.description}${on.length ? ` (${on.join(', ')})` : ''} · ${h.name}, priority ${h.priority}`;
        })}
        label={`Hooks of ${p.name}`}
        empty="No hooks."
      />
      <ConfigEditor key={configKey(p)} p={p} onChanged={onChanged} />
      <h3>Recent errors</h3>
      {(p.recentErrors ?? []).length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ol className="logs plugin-errors" aria-label={`Recent errors of ${p.name}`}>
          {p.recentErrors.map((e, i) => (
            <li key={i}>
              <time dateTime={e.at} title={formatTime(e.at)}>
                {formatShortTime(e.at)}
              </time>{' '}
              {e.error}
            </li>
          ))}
        </ol>
      )}
      <ReloadFrom p={p} onChanged={onChanged} />
    </div>
  );
}

// configKey changes when the saved values do, so the editor starts over.
function configKey(p: app.PluginView): string {
  return JSON.stringify((p.config ?? []).map((c) => [c.key, c.value]));
}

function Lines({ lines, label, empty }: { lines: string[]; label: string; empty: string }) {
  if (lines.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul className="scope-lines" aria-label={label}>
      {lines.map((l) => (
        <li key={l}>{l}</li>
      ))}
    </ul>
  );
}

/** ConfigEditor is a form made from the plugin's config schema. */
function ConfigEditor({ p, onChanged }: { p: app.PluginView; onChanged: (message: string, v?: app.PluginView) => void }) {
  const fields = p.config ?? [];
  const [draft, setDraft] = useState<Record<string, Draft>>(() => draftsOf(fields));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const base = 'cfg-' + p.id.replace(/[^a-z0-9]/gi, '-') + '-';

  if (fields.length === 0) {
    return (
      <>
        <h3>Configuration</h3>
        <p className="muted">It has no settings.</p>
      </>
    );
  }
  const set = (key: string, v: Draft) => {
    setDraft((d) => ({ ...d, [key]: v }));
    setErrors((e) => ({ ...e, [key]: '' }));
    setError(null);
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const { values, errors: bad } = configChanges(fields, draft);
    setErrors(bad);
    setError(null);
    if (Object.keys(bad).length > 0) return;
    if (Object.keys(values).length === 0) {
      onChanged(`Nothing changed in the configuration of ${p.name}.`);
      return;
    }
    setBusy(true);
    try {
      const v = await ConfigurePlugin(p.id, values);
      onChanged(`Saved the configuration of ${v.name}: its next call uses it.`, v);
    } catch (err) {
      const f = fieldOfError(
        err,
        fields.map((x) => x.key),
      );
      if (f) setErrors({ [f.key]: f.message });
      else setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form config" onSubmit={save} aria-label={`Configuration of ${p.name}`} noValidate>
      <h3>Configuration</h3>
      {fields.map((f) => (
        <ConfigInput key={f.key} id={base + f.key.replace(/[^a-z0-9]/gi, '-')} f={f} value={draft[f.key]} error={errors[f.key] ?? ''} onChange={(v) => set(f.key, v)} />
      ))}
      <ErrorText error={error} />
      <div className="buttons">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save configuration'}
        </button>
      </div>
    </form>
  );
}

function ConfigInput({ id, f, value, error, onChange }: { id: string; f: app.ConfigFieldView; value: Draft; error: string; onChange: (v: Draft) => void }) {
  const hint = `${typeHint(f.type)} Default: ${defaultWords(f.type, f.default)}.`.trim();
  const described = [id + '-hint', error ? id + '-error' : ''].filter(Boolean).join(' ');
  const errorLine = error ? (
    <p className="error field-problem" id={id + '-error'} role="alert">
      {error}
    </p>
  ) : null;
  if (f.type === 'bool') {
    return (
      <div className="field">
        <label className="check" htmlFor={id}>
          <input id={id} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} aria-describedby={described} />
          {f.key}
        </label>
        <div className="hint" id={id + '-hint'}>
          {hint}
        </div>
        {errorLine}
      </div>
    );
  }
  const common = {
    id,
    value: typeof value === 'string' ? value : '',
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
    'aria-invalid': error ? true : undefined,
    'aria-describedby': described,
    spellCheck: false,
  };
  return (
    <Field label={f.key} htmlFor={id} hint={hint}>
      {f.type === 'string[]' ? (
        <textarea {...common} className="mono" rows={Math.min(8, Math.max(3, (common.value.match(/\n/g)?.length ?? 0) + 2))} />
      ) : (
        <input {...common} inputMode={f.type === 'int' ? 'numeric' : f.type === 'number' ? 'decimal' : undefined} />
      )}
      {errorLine}
    </Field>
  );
}

/** ReloadFrom reloads the plugin from another folder or .zip. */
function ReloadFrom({ p, onChanged }: { p: app.PluginView; onChanged: (message: string, v?: app.PluginView) => void }) {
  const [path, setPath] = useState(p.source);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const id = 'reload-' + p.id.replace(/[^a-z0-9]/gi, '-');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const v = await ReloadPlugin(p.id, path.trim());
      onChanged(`Reloaded ${v.name} ${v.version}${v.source ? ' from ' + v.source : ''}.`, v);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form" onSubmit={submit} aria-label={`Reload ${p.name} from a folder`} noValidate>
      <h3>Reload from a folder</h3>
      <Field label="New version’s folder or .zip" htmlFor={id} hint="Its id must stay the same. Left empty: the folder it was installed from if it is still there, else the copy installed in Hearth.">
        <input id={id} className="mono" value={path} onChange={(e) => setPath(e.target.value)} spellCheck={false} aria-describedby={id + '-hint'} />
      </Field>
      <ErrorText error={error} />
      <div className="buttons">
        <button type="submit" disabled={busy}>
          {busy ? 'Reloading…' : 'Reload from here'}
        </button>
      </div>
    </form>
  );
}
