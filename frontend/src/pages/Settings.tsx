import { useEffect, useState, type FormEvent } from 'react';
import { RestartServer, SaveSettings, ServerStatus, Settings as LoadSettings, app } from '../api';
import { Busy, Card, ErrorText, Field } from '../components/common';
import { joinList, splitList } from '../lib/settings';

const devSuffix = ' (local stand-in, --dev)';

/** Settings: what the server runs with; changes apply on restart. */
export function Settings({ onServerChange }: { onServerChange: () => Promise<void> }) {
  const [loaded, setLoaded] = useState<app.Settings | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [port, setPort] = useState('');
  const [plcUrl, setPlcUrl] = useState('');
  const [domains, setDomains] = useState('');
  const [relays, setRelays] = useState('');
  const [logLevel, setLogLevel] = useState('info');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState('');
  const [restarted, setRestarted] = useState(false);
  const [runningPort, setRunningPort] = useState(0);

  useEffect(() => {
    ServerStatus()
      .then((st) => setRunningPort(st.running ? st.port : 0))
      .catch(() => {});
  }, [restarted]);

  useEffect(() => {
    LoadSettings()
      .then((s) => {
        setLoaded(s);
        setPort(String(s.port));
        setPlcUrl(s.plcUrl);
        setDomains(joinList(s.handleDomains, ', '));
        setRelays(joinList(s.relays, '\n'));
        setLogLevel(s.logLevel || 'info');
      })
      .catch(setLoadError);
  }, []);

  const devPLC = !!loaded?.dev && plcUrl.endsWith(devSuffix);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!loaded) return;
    setError(null);
    setSaved(false);
    setRestarted(false);
    const n = Number(port);
    if (!Number.isInteger(n)) {
      setError('The port must be a whole number (InvalidRequest)');
      return;
    }
    setBusy('save');
    try {
      await SaveSettings(
        new app.Settings({
          ...loaded,
          port: n,
          // In development mode the page shows the local stand-in, which is
          // not a setting: keep the public directory in the file.
          plcUrl: devPLC ? 'https://plc.directory' : plcUrl.trim(),
          handleDomains: splitList(domains),
          relays: splitList(relays),
          logLevel,
        }),
      );
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy('');
    }
  };

  const restart = async () => {
    setError(null);
    setBusy('restart');
    try {
      await RestartServer();
      setSaved(false);
      setRestarted(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy('');
      await onServerChange();
    }
  };

  if (loadError) {
    return (
      <div className="page">
        <h1 className="page-title">Settings</h1>
        <ErrorText error={loadError} />
      </div>
    );
  }
  if (!loaded) {
    return (
      <div className="page">
        <h1 className="page-title">Settings</h1>
        <Busy>Reading the settings…</Busy>
      </div>
    );
  }

  return (
    <div className="page">
      <h1 className="page-title">Settings</h1>
      <form className="form settings" onSubmit={save} aria-label="Settings">
        <Card title="Data">
          <Field label="Data directory" htmlFor="set-data-dir" hint="Set when Hearth starts, with --data-dir.">
            <input id="set-data-dir" value={loaded.dataDir} readOnly className="mono" />
          </Field>
          <fieldset className="radios">
            <legend>Storage backend</legend>
            <label>
              <input type="radio" name="backend" value="sqlite" checked readOnly /> SQLite (in the data directory)
            </label>
            <label className="disabled">
              <input type="radio" name="backend" value="postgres" disabled /> PostgreSQL <span className="muted">— arrives with network exposure</span>
            </label>
          </fieldset>
          <div className="field">
            <span className="label" id="set-key-label">
              Master key
            </span>
            <p aria-labelledby="set-key-label" data-testid="key-location">
              {loaded.keyLocation}
            </p>
          </div>
        </Card>
        <Card title="Server">
          <Field label="Port" htmlFor="set-port" hint={
              'On this computer only (loopback), 1024–65535.' +
              (runningPort && String(runningPort) !== port ? ` The server runs on port ${runningPort} now.` : '')
            }>
            <input id="set-port" type="number" min={1024} max={65535} value={port} onChange={(e) => setPort(e.target.value)} required />
          </Field>
          <Field label="Log level" htmlFor="set-log-level">
            <select id="set-log-level" value={logLevel} onChange={(e) => setLogLevel(e.target.value)}>
              <option value="debug">debug</option>
              <option value="info">info</option>
              <option value="warn">warn</option>
              <option value="error">error</option>
            </select>
          </Field>
        </Card>
        <Card title="Network">
          <Field
            label="PLC directory"
            htmlFor="set-plc"
            hint={devPLC ? 'Development mode uses a local stand-in; this is not saved.' : 'Where did:plc identities are published and looked up.'}
          >
            <input id="set-plc" type={devPLC ? 'text' : 'url'} value={plcUrl} readOnly={devPLC} onChange={(e) => setPlcUrl(e.target.value)} className="mono" />
          </Field>
          <Field label="Handle domains" htmlFor="set-domains" hint="Comma-separated, like .example.com: names under them can be handed out here.">
            <input id="set-domains" value={domains} onChange={(e) => setDomains(e.target.value)} spellCheck={false} />
          </Field>
          <Field label="Relays" htmlFor="set-relays" hint="One URL per line; told about Hearth once it is exposed.">
            <textarea id="set-relays" rows={3} value={relays} onChange={(e) => setRelays(e.target.value)} spellCheck={false} className="mono" />
          </Field>
        </Card>
        <ErrorText error={error} />
        <div className="buttons">
          <button type="submit" className="primary" disabled={busy !== ''}>
            {busy === 'save' ? 'Saving…' : 'Save'}
          </button>
          {saved && (
            <>
              <span role="status">Saved. Restart the server to apply.</span>
              <button type="button" disabled={busy !== ''} onClick={restart}>
                {busy === 'restart' ? 'Restarting…' : 'Restart server to apply'}
              </button>
            </>
          )}
          {restarted && <span role="status">The server restarted with the new settings.</span>}
        </div>
      </form>
    </div>
  );
}
