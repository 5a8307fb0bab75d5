import { useEffect, useRef, useState } from 'react';
import { EnablePlugin, app } from '../api';
import { ErrorText } from '../components/common';
import {
  asksForHosts,
  grantFrom,
  grantSummary,
  initialTicks,
  itemWords,
  setTypedHosts,
  subList,
  tickCapability,
  tickItem,
  type Ticks,
} from '../lib/plugins';

/**
 * ReviewDialog lists every capability a plugin asks for, in plain words,
 * each with a checkbox (ticked at first); hosts, collections and methods
 * can be unticked one by one. Enable grants what is ticked.
 */
export function ReviewDialog({
  plugin,
  onClose,
  onEnabled,
}: {
  plugin: app.PluginView;
  onClose: () => void;
  onEnabled: (v: app.PluginView) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const declared = plugin.capabilities ?? [];
  const [ticks, setTicks] = useState<Ticks>(() => initialTicks(declared));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);

  const enable = async () => {
    setBusy(true);
    setError(null);
    try {
      const grant = grantFrom(declared, ticks).map((c) => new app.CapabilityView(c));
      onEnabled(await EnablePlugin(plugin.id, grant));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const titleId = 'review-title';
  return (
    <dialog
      ref={ref}
      className="review"
      aria-labelledby={titleId}
      aria-describedby="review-lead"
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onClose();
      }}
    >
      <h2 id={titleId}>
        Enable {plugin.name} {plugin.version}?
      </h2>
      <p id="review-lead">
        Review what it asks for. Untick anything you do not want it to have: it then runs without it, and a call that needs it is refused.
      </p>
      {plugin.unverified && (
        <p className="warn-box" role="note">
          <strong>Unverified.</strong> It was installed from a folder or file on this computer and nobody vouched for it. Enable it only if
          you trust where it came from.
        </p>
      )}
      {declared.length === 0 ? (
        <p className="muted">It asks for no capabilities: it sees only what its hooks are given.</p>
      ) : (
        <fieldset className="capabilities">
          <legend>It asks to</legend>
          <ul>
            {declared.map((c) => (
              <CapabilityTick key={c.kind} c={c} ticks={ticks} setTicks={setTicks} />
            ))}
          </ul>
        </fieldset>
      )}
      {(plugin.hooks ?? []).length > 0 && (
        <>
          <h3>When it runs</h3>
          <ul className="hook-lines" aria-label="When it runs">
            {plugin.hooks.map((h) => (
              <li key={h.name}>
                {h.description}
                {(h.collections ?? h.nsids ?? []).length > 0 && <span className="muted"> ({(h.collections ?? h.nsids ?? []).join(', ')})</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      <p className="muted" role="status" data-testid="grant-summary">
        {grantSummary(declared, ticks)}
      </p>
      <ErrorText error={error} />
      <div className="buttons">
        <button type="button" className="primary" onClick={enable} disabled={busy}>
          {busy ? 'Enabling…' : 'Enable'}
        </button>
        <button type="button" onClick={onClose} disabled={busy}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}

function CapabilityTick({ c, ticks, setTicks }: { c: app.CapabilityView; ticks: Ticks; setTicks: (f: (t: Ticks) => Ticks) => void }) {
  const t = ticks[c.kind];
  const list = subList(c);
  const id = 'cap-' + c.kind.replace(/[^a-z]/g, '-');
  return (
    <li>
      <label className="check" htmlFor={id}>
        <input id={id} type="checkbox" checked={t?.on ?? false} onChange={(e) => setTicks((cur) => tickCapability(cur, c.kind, e.target.checked))} />
        {c.description || c.kind}
      </label>
      {asksForHosts(c) && (
        <div className="cap-hosts">
          <label htmlFor={id + '-hosts'}>Hosts it may reach (you choose: it asks for any)</label>
          <input
            id={id + '-hosts'}
            type="text"
            placeholder="hooks.example.com, 192.168.1.20"
            value={t?.extra ?? ''}
            onChange={(e) => setTicks((cur) => setTypedHosts(cur, c.kind, e.target.value))}
          />
        </div>
      )}
      {list && (list.items.length > 1 || asksForHosts(c)) && (
        <ul className="cap-items" aria-label={`${list.label} for: ${c.description || c.kind}`}>
          {list.items.map((item) => (
            <li key={item}>
              <label className="check">
                <input
                  type="checkbox"
                  checked={t?.items[item] ?? false}
                  onChange={(e) => setTicks((cur) => tickItem(cur, c.kind, item, e.target.checked))}
                />
                <span className="mono">{item}</span>
                {itemWords(list.name, item) !== item && <span className="muted"> ({itemWords(list.name, item)})</span>}
              </label>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
