// Errors from the Go side read "<plain words> (<ErrorName>)"; a lexicon
// validation error reads "The record does not match its lexicon: field
// <path>: <msg> (InvalidRecord)".

export interface ParsedError {
  /** words is the problem in the user's words. */
  words: string;
  /** name is the XRPC error name, for support ("" when there was none). */
  name: string;
  /** field is the record field a validation error is about, if any. */
  field?: string;
  /** fieldMessage is what is wrong with that field, without repeating its name. */
  fieldMessage?: string;
  /** summary is the words before the field part ("The record does not match its lexicon"). */
  summary?: string;
}

function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object' && 'message' in e && typeof (e as { message: unknown }).message === 'string') {
    return (e as { message: string }).message;
  }
  if (e === undefined || e === null) return 'Something went wrong';
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}

/**
 * capitalize starts a sentence with a capital letter, except when it
 * starts with an identifier that must keep its case: a DID
 * (did:plc:…), an at:// URI, an NSID or a handle (anything whose first
 * word holds a colon, a dot or a slash).
 */
export function capitalize(s: string): string {
  const first = s.split(/\s/, 1)[0] ?? '';
  if (s.length === 0 || /[:./]/.test(first.replace(/[.:,;]+$/, ''))) return s;
  return s[0].toUpperCase() + s.slice(1);
}

const trailingName = /^([\s\S]*?)\s*\(([A-Z][A-Za-z0-9]*)\)\s*$/;
const fieldPart = /\bfield ([^\s:]+): ([\s\S]*)$/;

/** parseError splits an error into its words, its XRPC name and its field. */
export function parseError(e: unknown): ParsedError {
  const msg = messageOf(e).trim();
  const m = trailingName.exec(msg);
  const words = capitalize((m ? m[1] : msg).trim()) || 'Something went wrong';
  const out: ParsedError = { words, name: m ? m[2] : '' };
  const f = fieldPart.exec(words);
  if (f) {
    const field = f[1];
    out.field = field;
    // The validator's message repeats the collection and the field:
    // "Invalid app.bsky.feed.post record: text: expected a string".
    let msg = f[2].replace(/^Invalid [A-Za-z0-9.-]+ record:\s*/, '');
    const last = field.split('/').pop() ?? field;
    for (const prefix of [field + ': ', field.replace(/\//g, '.') + ': ', last + ': ']) {
      if (msg.startsWith(prefix)) {
        msg = msg.slice(prefix.length);
        break;
      }
    }
    out.fieldMessage = msg;
    out.summary = words.slice(0, f.index).replace(/[:\s]+$/, '');
  }
  return out;
}

/**
 * fieldLine finds the line (1-based) of a field in pretty-printed JSON,
 * from a validation path such as "text" or "embed/images/0/alt": the line
 * of the last named key, searched after the lines of the keys before it.
 * 0 when not found.
 */
export function fieldLine(json: string, path: string): number {
  const keys = path.split('/').filter((k) => k !== '' && !/^\d+$/.test(k));
  if (keys.length === 0) return 0;
  const lines = json.split('\n');
  let from = 0;
  let found = 0;
  for (const key of keys) {
    const needle = JSON.stringify(key) + ':';
    let i = from;
    while (i < lines.length && !lines[i].trimStart().startsWith(needle)) i++;
    if (i === lines.length) return found;
    found = i + 1;
    from = i + 1;
  }
  return found;
}
