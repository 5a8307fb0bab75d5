// The import's phases as the progress page shows them.

const words: Record<string, string> = {
  idle: 'Getting ready',
  connecting: 'Connecting to your current server',
  repo: 'Copying the repository',
  blobs: 'Copying media files (blobs)',
  paused: 'Paused: some media files could not be copied',
  done: 'Everything was copied and verified',
  cancelled: 'Cancelled',
  failed: 'The import failed',
};

/** phaseWords says what an import phase means. */
export function phaseWords(phase: string): string {
  return words[phase] ?? phase;
}

/** importRunning: the import is under way (and can be cancelled). */
export function importRunning(phase: string): boolean {
  return phase === 'idle' || phase === 'connecting' || phase === 'repo' || phase === 'blobs';
}

/** importEnded: nothing more will happen without the person. */
export function importEnded(phase: string): boolean {
  return phase === 'done' || phase === 'failed' || phase === 'cancelled';
}

/** blobPercent is the share of media files copied, or null before the total is known. */
export function blobPercent(done: number, total: number): number | null {
  if (!(total > 0)) return null;
  return Math.max(0, Math.min(100, Math.floor((100 * done) / total)));
}
