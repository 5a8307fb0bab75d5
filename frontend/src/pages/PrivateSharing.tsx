import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { GrantPrivateAccess, ListPrivateGrants, PreviewPrivateGrant, PrivateRotations, RevokePrivateAccess, RotatePrivateCollection, app } from '../api';
import { Busy, Card, CopyButton, ErrorText, Field } from '../components/common';
import { person, whoProblem } from '../lib/delegation';
import { parseError } from '../lib/errors';
import { formatShortTime, formatTime } from '../lib/format';
import { didIn, epochsText, groupKeyID, keyCheckText, revokeResultText, revokeStatement, rotateResultText, rotationWhat } from '../lib/private';

/** A request to check someone's key, from outside the share form. */
type CheckRequest = { who: string; n: number } | null;

/**
 * PrivateSharing: who can read a private collection (with the key each
 * grant is sealed to), sharing it after checking the person's key,
 * revoking, and the collection's key history.
 */
export function PrivateSharing({
  info,
  canWrite,
  version,
  onChanged,
}: {
  info: app.PrivateCollectionInfo;
  canWrite: boolean;
  version: number;
  onChanged: () => void;
}) {
  const collection = info.collection;
  const [grantees, setGrantees] = useState<app.PrivateGrantee[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const [revokeError, setRevokeError] = useState<unknown>(null);
  const [check, setCheck] = useState<CheckRequest>(null);

  const load = useCallback(async () => {
    try {
      setGrantees((await ListPrivateGrants(collection)) ?? []);
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, [collection]);
  useEffect(() => {
    void load();
  }, [load, version]);

  const changed = (message: string) => {
    setNotice(message);
    setRevokeError(null);
    onChanged();
  };
  const active = grantees?.filter((g) => g.active) ?? [];
  const revoked = grantees?.filter((g) => !g.active) ?? [];
  const changedKeyOf = revokeError && parseError(revokeError).name === 'KeyChanged' ? didIn(parseError(revokeError).words) : '';

  return (
    <>
      <Card title="Who can read it" className="wide">
        <p className="muted">
          Sharing <span className="mono">{collection}</span> seals its keys to the other person’s public encryption key: their own app decrypts
          the records; this server never can.
        </p>
        <ErrorText error={error} />
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        {revokeError ? (
          <div className="error-block">
            <ErrorText error={revokeError} />
            {changedKeyOf && (
              <button type="button" onClick={() => setCheck((c) => ({ who: changedKeyOf, n: (c?.n ?? 0) + 1 }))}>
                Check the new key of {changedKeyOf}
              </button>
            )}
          </div>
        ) : null}
        {grantees === null ? (
          error ? null : <Busy>Reading who can read it…</Busy>
        ) : active.length === 0 ? (
          <p className="muted">Only you can read this collection.</p>
        ) : (
          <ul className="private-people" aria-label={`People who can read ${collection}`}>
            {active.map((g) => (
              <GranteeRow
                key={g.did}
                g={g}
                collection={collection}
                canWrite={canWrite}
                onRevoked={changed}
                onFailed={(err) => {
                  setNotice('');
                  setRevokeError(err);
                }}
              />
            ))}
          </ul>
        )}
        {revoked.length > 0 && (
          <>
            <h3>Revoked</h3>
            <ul className="private-people" aria-label={`People whose access to ${collection} was revoked`}>
              {revoked.map((g) => (
                <li key={g.did} className="private-person">
                  <div className="private-person-head">
                    <strong>{person(g.handle, g.did)}</strong>
                    <span className="badge">revoked {formatShortTime(g.revokedAt)}</span>
                  </div>
                  {g.handle && <div className="mono muted break">{g.did}</div>}
                  <div className="muted">
                    Held {epochsText(g.epochs)} with key <span className="mono">{groupKeyID(g.keyId)}</span>
                  </div>
                </li>
              ))}
            </ul>
          </>
        )}
        {canWrite && <ShareForm collection={collection} check={check} onShared={changed} />}
      </Card>
      <History collection={collection} canWrite={canWrite} version={version} onChanged={changed} />
    </>
  );
}

function GranteeRow({
  g,
  collection,
  canWrite,
  onRevoked,
  onFailed,
}: {
  g: app.PrivateGrantee;
  collection: string;
  canWrite: boolean;
  onRevoked: (message: string) => void;
  onFailed: (err: unknown) => void;
}) {
  const who = person(g.handle, g.did);
  const [confirming, setConfirming] = useState(false);
  const [hard, setHard] = useState(false);
  const [busy, setBusy] = useState(false);
  const revoke = async () => {
    setBusy(true);
    try {
      const r = await RevokePrivateAccess(collection, g.did, hard);
      setConfirming(false);
      onRevoked(revokeResultText(who, r));
    } catch (err) {
      setConfirming(false);
      onFailed(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className="private-person" aria-label={who}>
      <div className="private-person-head">
        <strong>{who}</strong>
        <CopyButton text={g.did} label={`Copy the DID of ${who}`} />
      </div>
      {g.handle && <div className="mono muted break">{g.did}</div>}
      <div>
        Key ID{' '}
        <span className="mono" data-testid="grantee-key-id">
          {groupKeyID(g.keyId)}
        </span>
      </div>
      <div className="muted">
        Since {formatTime(g.grantedAt)} · holds {epochsText(g.epochs)}
      </div>
      {canWrite && !confirming && (
        <div className="buttons">
          <button type="button" className="danger" onClick={() => setConfirming(true)} aria-label={`Revoke ${who}`}>
            Revoke
          </button>
        </div>
      )}
      {confirming && (
        <div className="confirm" role="group" aria-label={`Confirm revoking ${who}`}>
          <p>
            Revoke {who}’s access to <span className="mono">{collection}</span>? {revokeStatement}
          </p>
          <label className="private-check">
            <input type="checkbox" checked={hard} onChange={(e) => setHard(e.target.checked)} />
            Hard revoke: also re-encrypt the older records under the new key
          </label>
          <div className="buttons">
            <button type="button" className="danger" disabled={busy} onClick={revoke}>
              {busy ? 'Revoking…' : 'Revoke access'}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </div>
        </div>
      )}
    </li>
  );
}

function ShareForm({ collection, check, onShared }: { collection: string; check: CheckRequest; onShared: (message: string) => void }) {
  const [who, setWho] = useState('');
  const [key, setKey] = useState<app.GranteeKeyInfo | null>(null);
  const [checked, setChecked] = useState(false);
  const [busy, setBusy] = useState('');
  const [error, setError] = useState<unknown>(null);

  const preview = useCallback(
    async (target: string) => {
      const problem = whoProblem(target);
      if (problem) {
        setError(problem + ' (InvalidRequest)');
        return;
      }
      setBusy('check');
      setError(null);
      setKey(null);
      setChecked(false);
      try {
        setKey(await PreviewPrivateGrant(collection, target.trim()));
      } catch (err) {
        setError(err);
      } finally {
        setBusy('');
      }
    },
    [collection],
  );
  useEffect(() => {
    if (!check) return;
    setWho(check.who);
    void preview(check.who);
  }, [check, preview]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void preview(who);
  };
  const grant = async () => {
    if (!key) return;
    setBusy('grant');
    setError(null);
    try {
      const g = await GrantPrivateAccess(new app.PrivateGrantInput({ collection, did: key.did, keyId: key.keyId, confirmKeyChange: key.keyChanged }));
      setKey(null);
      setWho('');
      onShared(`${person(g.handle, g.did)} can now read ${collection} (key ${groupKeyID(g.keyId)}).`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy('');
    }
  };

  const whoName = key ? person(key.handle, key.did) : '';
  return (
    <form className="form panel" onSubmit={submit} aria-label="Share this collection" noValidate>
      <h3>Share with someone</h3>
      <Field label="Handle or DID" htmlFor="share-who" hint="They need an encryption key of their own, made in their Hearth app.">
        <input
          id="share-who"
          value={who}
          onChange={(e) => {
            setWho(e.target.value);
            setKey(null);
            setError(null);
          }}
          spellCheck={false}
          autoCapitalize="none"
          placeholder="bob.example.com or did:plc:…"
          aria-describedby="share-who-hint"
        />
      </Field>
      {!key && (
        <div className="buttons">
          <button type="submit" disabled={busy !== ''}>
            {busy === 'check' ? 'Fetching their key…' : 'Check their key'}
          </button>
        </div>
      )}
      <ErrorText error={error} />
      {key && (
        <div className={'private-keycheck' + (key.keyChanged ? ' changed' : '')} role="group" aria-label={`The key of ${whoName}`}>
          <div className="label">{key.keyChanged ? 'Their new key ID' : 'Their key ID'}</div>
          <div className="private-fingerprint mono" data-testid="grantee-fingerprint">
            {groupKeyID(key.keyId)}
          </div>
          {key.keyChanged && (
            <div className="muted">
              You shared with the key <span className="mono">{groupKeyID(key.previousKeyId)}</span>.
            </div>
          )}
          <p>{keyCheckText(key)}</p>
          {!key.alreadyGranted && (
            <label className="private-check">
              <input type="checkbox" checked={checked} onChange={(e) => setChecked(e.target.checked)} />
              {key.keyChanged ? 'They confirmed this new key ID' : 'It matches the key ID their app shows'}
            </label>
          )}
          <div className="buttons">
            {!key.alreadyGranted && (
              <button type="button" className={key.keyChanged ? 'danger' : 'primary'} disabled={!checked || busy !== ''} onClick={grant}>
                {busy === 'grant' ? 'Sealing…' : key.keyChanged ? 'Re-seal to the new key' : 'Give access'}
              </button>
            )}
            <button type="button" onClick={() => (setKey(null), setError(null))}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </form>
  );
}

function History({ collection, canWrite, version, onChanged }: { collection: string; canWrite: boolean; version: number; onChanged: (message: string) => void }) {
  const [rows, setRows] = useState<app.PrivateRotation[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reencrypt, setReencrypt] = useState(false);
  const [busy, setBusy] = useState(false);
  const [rotateError, setRotateError] = useState<unknown>(null);

  useEffect(() => {
    let stale = false;
    PrivateRotations(collection)
      .then((rs) => {
        if (stale) return;
        setRows(rs ?? []);
        setError(null);
      })
      .catch((err) => !stale && setError(err));
    return () => {
      stale = true;
    };
  }, [collection, version]);

  const rotate = async () => {
    setBusy(true);
    setRotateError(null);
    try {
      const r = await RotatePrivateCollection(collection, reencrypt);
      setReencrypt(false);
      onChanged(rotateResultText(r));
    } catch (err) {
      setRotateError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="Key history" className="wide">
      <p className="muted">Every revocation starts a new key for what is written next; the people who still have access get it sealed to them.</p>
      <ErrorText error={error} />
      {rows === null ? (
        error ? null : <Busy>Reading the key history…</Busy>
      ) : (
        <div className="table-wrap">
          <table aria-label={`Key history of ${collection}`}>
            <thead>
              <tr>
                <th scope="col">Epoch</th>
                <th scope="col">When</th>
                <th scope="col">What</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.epoch} style={{ cursor: 'default' }}>
                  <td>{r.epoch}</td>
                  <td className="nowrap" title={formatTime(r.createdAt)}>
                    {formatShortTime(r.createdAt)}
                  </td>
                  <td className="break">{rotationWhat(r)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canWrite && (
        <div className="row wrap private-rotate">
          <label className="private-check">
            <input type="checkbox" checked={reencrypt} onChange={(e) => setReencrypt(e.target.checked)} />
            Also re-encrypt older records
          </label>
          <button type="button" disabled={busy} onClick={rotate}>
            {busy ? 'Rotating…' : 'Rotate the key now'}
          </button>
        </div>
      )}
      <ErrorText error={rotateError} />
    </Card>
  );
}
