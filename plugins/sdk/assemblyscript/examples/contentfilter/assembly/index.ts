// The AssemblyScript SDK's example plugin: it rejects posts whose text
// contains one of the configured banned words (case-insensitive), like the
// Go example in plugins/examples/contentfilter.

import {
  Decision, Level, RecordEvent, allow, configGet, containsAny, log, parseStringArray, reject, toLower,
} from "../../../assembly";

// The banned words, lower-cased; read once per instance (the host starts a
// fresh instance after the operator changes the configuration).
let banned: string[] | null = null;

function load(): string[] {
  let words = banned;
  if (words != null) return words;
  words = [];
  const raw = configGet("banned");
  const err = raw.error;
  if (err) {
    log(Level.Warn, "no banned words configured: " + err.toString());
  } else {
    const list = parseStringArray(raw.value);
    if (list == null) {
      log(Level.Error, "config banned is not a JSON array of strings: " + raw.value);
    } else {
      for (let i = 0; i < list.length; i++) {
        const w = toLower(list[i]);
        if (w.length) words.push(w);
      }
    }
  }
  banned = words;
  return words;
}

/** record.before_create: reject a post whose text contains a banned word. */
export function record_before_create(ev: RecordEvent): Decision {
  if (ev.collection != "app.bsky.feed.post") return allow();
  const words = load();
  if (words.length == 0) return allow();
  // text() reads the one field from the DAG-CBOR without decoding the rest.
  const text = toLower(ev.record.text("text"));
  if (containsAny(text, words) >= 0) return reject("ContentRejected", "the post contains a banned word");
  return allow();
}
