import { useCallback, useEffect, useRef, useState } from 'react';
import { Logs, RecentCommits, ServerStatus, StartServer, StopServer, type app } from '../api';
import { Card, CopyButton, ErrorText, usePoll } from '../components/common';
import { formatAgo, formatBytes, formatTime, plural } from '../lib/format';

/** Home: what runs, who the account is, where the data is. */
export function Home({ account, onServerChange }: { account: app.AccountInfo | null; onServerChange: () => Promise<void> }) {
  const [status, setStatus] = useState<app.ServerStatus | null>(null);
  const [busy, setBusy] = useState('');
  const [error, setError] = useState<unknown>(null);

  const loadStatus = useCallback(async () => {
    setStatus(await ServerStatus());
  }, []);
  // ServerStatus may look the DID up in the PLC directory: not too often.
  usePoll(loadStatus, 10000);

  const act = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err);
    } finally {
      await loadStatus().catch(() => {});
      await onServerChange();
      setBusy('');
    }
  };

  const acct = status?.account ?? account;
  const running = status?.running ?? false;

  return (
    <div className="page">
      <h1 className="page-title">Home</h1>
      <div className="cards">
        <Card
          title="Server"
          actions={
            running ? (
              <button type="button" disabled={busy !== ''} onClick={() => act('stop', StopServer)}>
                {busy === 'stop' ? 'Stopping…' : 'Stop server'}
              </button>
            ) : (
              <button type="button" className="primary" disabled={busy !== '' || status === null} onClick={() => act('start', StartServer)}>
                {busy === 'start' ? 'Starting…' : 'Start server'}
              </button>
            )
          }
        >
          {status === null ? (
            <p className="muted">Reading…</p>
          ) : (
            <dl className="facts">
              <dt>Status</dt>
              <dd>
                <span className={'badge ' + (running ? 'ok' : 'off')} data-testid="server-state">
                  {running ? 'Running' : 'Stopped'}
                </span>
              </dd>
              {running && (
                <>
                  <dt>Local URL</dt>
                  <dd className="mono">{status.url}</dd>
                  <dt>Port</dt>
                  <dd>{status.port}</dd>
                  <dt>Started</dt>
                  <dd title={formatTime(status.startedAt)}>{formatAgo(status.startedAt)}</dd>
                </>
              )}
            </dl>
          )}
          {status && !running && status.error && !/^the server is stopped/i.test(status.error) && <ErrorText error={status.error} />}
          <ErrorText error={error} />
        </Card>

        <Card title="Identity">
          {acct ? (
            <dl className="facts">
              <dt>Handle</dt>
              <dd>
                <span data-testid="identity-handle">@{acct.handle}</span> <CopyButton text={acct.handle} label="Copy handle" />
              </dd>
              <dt>DID</dt>
              <dd>
                <span className="mono break" data-testid="identity-did">
                  {acct.did}
                </span>{' '}
                <CopyButton text={acct.did} label="Copy DID (identity card)" />
              </dd>
              <dt>PLC directory</dt>
              <dd className="mono break">{status?.plcUrl || '—'}</dd>
              <dt>Published</dt>
              <dd>{acct.published ? 'Yes, in the PLC directory' : acct.imported ? 'Still served by your previous PDS' : 'Not yet: local only'}</dd>
              <dt>DID document</dt>
              <dd>
                {status?.didDocNote ? (
                  <>
                    <span className={'badge ' + (status.didDocPointsHere ? 'ok' : 'off')}>{status.didDocPointsHere ? 'Points here' : 'Points elsewhere'}</span>{' '}
                    {status.didDocNote}
                  </>
                ) : (
                  '—'
                )}
              </dd>
            </dl>
          ) : (
            <p className="muted">The account is read when the server runs.</p>
          )}
        </Card>

        <Card title="Storage">
          {status === null ? (
            <p className="muted">Reading…</p>
          ) : (
            <dl className="facts">
              <dt>Backend</dt>
              <dd>{status.backend}</dd>
              <dt>Database</dt>
              <dd>{formatBytes(status.databaseBytes)}</dd>
              <dt>Blobs</dt>
              <dd>
                {running ? plural(status.blobCount, 'blob') + ', ' : ''}
                {formatBytes(status.blobBytes)}
              </dd>
              <dt>On disk</dt>
              <dd>{formatBytes(status.diskBytes)}</dd>
              <dt>Data directory</dt>
              <dd className="mono break">{status.dataDir}</dd>
            </dl>
          )}
        </Card>

        <Card title="Network">
          <dl className="facts">
            <dt>Reachable from</dt>
            <dd>{status?.network || 'Local only (loopback)'}</dd>
            <dt>Relays</dt>
            <dd>Not told yet: nothing outside this computer can reach Hearth.</dd>
          </dl>
          <p className="muted">Exposing Hearth to the network comes later, on the Exposure page.</p>
        </Card>

        <RecentCommitsCard running={running} />
        <LogsCard />
      </div>
    </div>
  );
}

function RecentCommitsCard({ running }: { running: boolean }) {
  const [commits, setCommits] = useState<app.CommitInfo[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  usePoll(
    async () => {
      try {
        setCommits(await RecentCommits(20));
        setError(null);
      } catch (err) {
        setError(err);
      }
    },
    2000,
    running,
  );
  return (
    <Card title="Recent commits" className="wide">
      {!running ? (
        <p className="muted">The server is stopped.</p>
      ) : error ? (
        <ErrorText error={error} />
      ) : commits === null ? (
        <p className="muted">Reading…</p>
      ) : commits.length === 0 ? (
        <p className="muted">No commits since Hearth started. Changes to your repository appear here as they happen.</p>
      ) : (
        <ul className="commits" aria-label="Recent commits">
          {commits.map((c) => (
            <li key={c.seq}>
              <div className="commit-head">
                <span className="mono">{c.rev}</span>
                <span className="muted" title={formatTime(c.time)}>
                  {formatAgo(c.time)}
                </span>
              </div>
              <ul className="ops">
                {(c.ops ?? []).map((op, i) => (
                  <li key={i}>
                    <span className={'op op-' + op.action}>{op.action}</span> <span className="mono break">{op.path}</span>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function LogsCard() {
  const [lines, setLines] = useState<app.LogLine[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const pre = useRef<HTMLPreElement>(null);
  // Show the newest lines, as a terminal does.
  useEffect(() => {
    if (pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [lines]);
  usePoll(
    async () => {
      try {
        setLines(await Logs(200));
      } catch (err) {
        setError(err);
      }
    },
    10000,
    true,
    tick,
  );
  return (
    <Card
      title="Logs"
      className="wide"
      actions={
        <button type="button" onClick={() => setTick((t) => t + 1)}>
          Refresh logs
        </button>
      }
    >
      <ErrorText error={error} />
      <pre className="logs" tabIndex={0} aria-label="Server log" ref={pre}>
        {lines === null
          ? 'Reading…'
          : lines.length === 0
            ? 'Nothing logged yet.'
            : lines.map((l) => `${formatTime(l.time)}  ${l.level.padEnd(5)}  ${l.message}`).join('\n')}
      </pre>
    </Card>
  );
}
