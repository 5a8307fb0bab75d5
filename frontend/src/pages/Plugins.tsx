import { useCallback, useState, type FormEvent } from 'react';
import { ChoosePluginFolder, DisablePlugin, InstallPlugin, Plugins as ListPlugins, ReloadPlugin, UninstallPlugin, app } from '../api';
import { browserMode } from '../bridge';
import { Busy, Card, ErrorText, Field, usePoll } from '../components/common';
import { parseError } from '../lib/errors';
import { countWords, formatLatency, serverStopped, stateBadge, unverifiedBadge, type Badge } from '../lib/plugins';
import { PluginDetails } from './PluginsDetails';
import { ReviewDialog } from './PluginsReview';

/** refreshMs: how often the list (and its counts) is read again. */
const refreshMs = 5000;

/**
 * Plugins: install a plugin from a folder or .zip, review what it asks for
 * before enabling it, disable, reload, configure, inspect and uninstall.
 */
export function Plugins() {
  const [plugins, setPlugins] = useState<app.PluginView[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  // reviewing is the plugin whose capabilities are being reviewed to enable it.
  const [reviewing, setReviewing] = useState<app.PluginView | null>(null);

  const load = useCallback(async () => {
    try {
      setPlugins(await ListPlugins());
      setLoadError(null);
    } catch (err) {
      setLoadError(err);
    }
  }, []);
  usePoll(load, refreshMs);

  // changed shows what happened and puts the new view in the list.
  const changed = (message: string, v?: app.PluginView) => {
    setNotice(message);
    if (v) setPlugins((ps) => (ps ?? []).map((p) => (p.id === v.id ? v : p)));
    void load();
  };

  const stopped = loadError !== null && serverStopped(loadError);
  return (
    <div className="page plugins">
      <h1 className="page-title">Plugins</h1>
      <p className="muted intro">
        Plugins run inside Hearth’s server: they can check, change or refuse what is written here and react to it. Each one gets only the
        capabilities you tick when you enable it, and can be stopped at any time.
      </p>
      {stopped ? (
        <div className="settings">
          <Card title="The server is stopped">
            <p>Plugins run inside Hearth’s server. Start it from Home to install, enable or inspect them.</p>
            <p>
              <a href="#/home">Go to Home</a>
            </p>
          </Card>
        </div>
      ) : (
        <>
          <ErrorText error={loadError} />
          {notice && (
            <p className="notice" role="status">
              {notice}
            </p>
          )}
          <div className="settings">
            <InstallForm
              onInstalled={(v) => {
                setPlugins((ps) => [...(ps ?? []).filter((p) => p.id !== v.id), v].sort((a, b) => a.id.localeCompare(b.id)));
                changed(`Installed ${v.name} ${v.version}. It is disabled: review what it asks for, then enable it.`);
              }}
            />
            <Card title="Installed plugins">
              {plugins === null ? (
                loadError ? null : <Busy>Reading the installed plugins…</Busy>
              ) : plugins.length === 0 ? (
                <p className="muted">No plugin is installed.</p>
              ) : (
                <ul className="plugin-list" aria-label="Installed plugins">
                  {plugins.map((p) => (
                    <PluginRow key={p.id} p={p} onReview={() => setReviewing(p)} onChanged={changed} />
                  ))}
                </ul>
              )}
            </Card>
          </div>
        </>
      )}
      {reviewing && (
        <ReviewDialog
          plugin={reviewing}
          onClose={() => setReviewing(null)}
          onEnabled={(v) => {
            setReviewing(null);
            changed(`${v.name} is enabled.`, v);
          }}
        />
      )}
    </div>
  );
}

/** BadgeView shows a badge with its explanation. */
export function BadgeView({ badge, testId }: { badge: Badge; testId?: string }) {
  return (
    <span className={'badge ' + badge.tone} title={badge.title} data-testid={testId}>
      {badge.label}
    </span>
  );
}

function InstallForm({ onInstalled }: { onInstalled: (v: app.PluginView) => void }) {
  const [path, setPath] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [browseNote, setBrowseNote] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const browse = async () => {
    setBrowseNote(null);
    try {
      const p = await ChoosePluginFolder();
      if (p) setPath(p);
    } catch (err) {
      setBrowseNote(err);
    }
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!path.trim()) {
      setError('Choose the plugin’s folder or .zip first (InvalidRequest)');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onInstalled(await InstallPlugin(path.trim()));
      setPath('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const hint = browseNote
    ? parseError(browseNote).words + '.'
    : 'A folder (or .zip) with plugin.toml and its .wasm module. It is checked, then installed disabled.';
  return (
    <Card title="Install a plugin">
      <form className="form" onSubmit={submit} aria-label="Install a plugin" noValidate>
        <Field label="Plugin folder or .zip" htmlFor="plugin-path" hint={hint}>
          <div className="row">
            <input
              id="plugin-path"
              className="mono"
              value={path}
              onChange={(e) => {
                setPath(e.target.value);
                setError(null);
              }}
              spellCheck={false}
              autoCapitalize="none"
              placeholder="/home/you/plugins/contentfilter"
              aria-describedby="plugin-path-hint"
            />
            {!browserMode && (
              <button type="button" onClick={browse}>
                Choose…
              </button>
            )}
          </div>
        </Field>
        <ErrorText error={error} />
        <div className="buttons">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Installing…' : 'Install'}
          </button>
          {busy && <Busy>Checking and compiling the module…</Busy>}
        </div>
      </form>
    </Card>
  );
}

function PluginRow({
  p,
  onReview,
  onChanged,
}: {
  p: app.PluginView;
  onReview: () => void;
  onChanged: (message: string, v?: app.PluginView) => void;
}) {
  const [mode, setMode] = useState<'' | 'uninstall'>('');
  const [open, setOpen] = useState(false);
  const [wipe, setWipe] = useState(false);
  const [busy, setBusy] = useState('');
  const [error, setError] = useState<unknown>(null);
  const title = `${p.name} ${p.version}`;
  const detailsId = 'plugin-details-' + p.id.replace(/[^a-z0-9]/gi, '-');

  const act = async (what: string, fn: () => Promise<[string, app.PluginView?]>) => {
    setBusy(what);
    setError(null);
    try {
      onChanged(...(await fn()));
    } catch (err) {
      setError(err);
    } finally {
      setBusy('');
    }
  };
  const disable = () =>
    act('disable', async () => {
      const v = await DisablePlugin(p.id);
      return [`${v.name} is disabled: it is no longer called. Its data and configuration stay.`, v];
    });
  const reload = () =>
    act('reload', async () => {
      const v = await ReloadPlugin(p.id, '');
      return [`Reloaded ${v.name} ${v.version} ${v.source ? 'from ' + v.source : 'from the copy installed in Hearth'}.`, v];
    });
  const uninstall = () =>
    act('uninstall', async () => {
      await UninstallPlugin(p.id, wipe);
      setMode('');
      return [wipe ? `Uninstalled ${p.name} and deleted its data.` : `Uninstalled ${p.name}. Its data stays, for a reinstall.`];
    });

  const enabled = p.state === 'enabled';
  return (
    <li className="plugin" aria-label={p.name}>
      <div className="plugin-head">
        <strong>{title}</strong>
        <BadgeView badge={stateBadge(p.state)} testId="plugin-state" />
        {p.unverified && <BadgeView badge={unverifiedBadge} testId="plugin-unverified" />}
      </div>
      <div className="mono muted break">{p.id}</div>
      <div className="muted plugin-counts" data-testid="plugin-counts">
        {countWords(p.calls, 'call', 'calls')} · {countWords(p.errors, 'error', 'errors')} · p50 {formatLatency(p.p50Micros, p.calls)} · p99{' '}
        {formatLatency(p.p99Micros, p.calls)}
      </div>
      <div className="buttons">
        {enabled ? (
          <button type="button" onClick={disable} disabled={busy !== ''} aria-label={`Disable ${p.name}`}>
            {busy === 'disable' ? 'Disabling…' : 'Disable'}
          </button>
        ) : (
          <button type="button" className="primary" onClick={onReview} disabled={busy !== ''} aria-label={`Enable ${p.name}`}>
            {p.state === 'failed' ? 'Enable again…' : 'Enable…'}
          </button>
        )}
        <button
          type="button"
          onClick={reload}
          disabled={busy !== ''}
          aria-label={`Reload ${p.name}`}
          title={p.source ? `Read ${p.source} again` : 'Restart the copy installed in Hearth'}
        >
          {busy === 'reload' ? 'Reloading…' : 'Reload'}
        </button>
        <button type="button" onClick={() => setOpen((o) => !o)} aria-expanded={open} aria-controls={detailsId} aria-label={`Details of ${p.name}`}>
          {open ? 'Hide details' : 'Details'}
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => {
            setMode('uninstall');
            setWipe(false);
          }}
          disabled={busy !== ''}
          aria-label={`Uninstall ${p.name}`}
        >
          Uninstall…
        </button>
      </div>
      {mode === '' && <ErrorText error={error} />}
      {mode === 'uninstall' && (
        <div className="confirm" role="group" aria-label={`Confirm uninstalling ${p.name}`}>
          <p>Uninstall {p.name}? It stops at once and is removed from Hearth.</p>
          <label className="check">
            <input type="checkbox" checked={wipe} onChange={(e) => setWipe(e.target.checked)} />
            Also delete its data (what it stored, and its files)
          </label>
          <ErrorText error={error} />
          <div className="buttons">
            <button type="button" className="danger" disabled={busy !== ''} onClick={uninstall}>
              {busy === 'uninstall' ? 'Uninstalling…' : 'Uninstall'}
            </button>
            <button type="button" onClick={() => setMode('')}>
              Keep
            </button>
          </div>
        </div>
      )}
      {open && <PluginDetails id={detailsId} p={p} onChanged={onChanged} />}
    </li>
  );
}
