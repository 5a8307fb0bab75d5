// The SDK's own tests, compiled like a plugin (with the package's
// transform) and run by internal/plugintest/assemblyscript_test.go under
// wazero against a fake "pds" host: every `test_*` export is called and a
// failed check aborts, which logs the message through pds.log and traps.
// The hook exports answer from their inputs so the Go side can check the
// wire format both ways.

import {
  BlobEvent, CborWriter, CommitEvent, Decision, ErrorKind, Fields, GrantEvent, HttpRequest, Level, Message,
  Record, RecordEvent, Tag, Writer, XrpcEvent, XrpcRequest, XrpcResponse, allow, blobRead, configGet,
  containsAny, decodeUTF8, firehoseCursorGet, firehoseCursorSet, httpFetch, indexOf, kvDelete, kvGet,
  kvGetString, kvList, kvPut, kvPutString, log, nowMillis, parseString, parseStringArray, readUvarint,
  recordGet, recordList, reject, replace, repoExport, toLower, utf8Equals, cborInt, cborText,
} from "../../../assembly";
import { varintLen } from "../../../assembly/wire";

function check(cond: bool, what: string): void {
  if (!cond) abort(what);
}

function eq(got: string, want: string, what: string): void {
  if (got != want) abort(what + ": got \"" + got + "\", want \"" + want + "\"");
}

function eqInt(got: i64, want: i64, what: string): void {
  if (got != want) abort(what + ": got " + got.toString() + ", want " + want.toString());
}

function utf8(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

function str(b: Uint8Array): string {
  return String.UTF8.decodeUnsafe(b.dataStart, <usize>b.length);
}

// ---- wire ----

export function test_wire_roundtrip(): void {
  const body = new Uint8Array(200);
  for (let i = 0; i < body.length; i++) body[i] = <u8>i;
  const w = new Writer(2); // tiny: forces the buffer to grow
  w.fieldString(Tag.Repo, "did:plc:alice")
    .fieldUint(Tag.Seq, 300)
    .field(99, utf8("an unknown tag is skipped"))
    .fieldUint(Tag.Size, u64.MAX_VALUE)
    .field(Tag.Body, body)
    .fieldString(Tag.Caller, "ünï😀")
    .fieldString(Tag.Key, "a")
    .fieldString(Tag.Key, "b");
  const m = new Message(w.finish());
  eq(m.string(Tag.Repo), "did:plc:alice", "repo");
  eqInt(<i64>m.uint(Tag.Seq), 300, "seq");
  check(m.uint(Tag.Size) == u64.MAX_VALUE, "size u64 max");
  const b = m.get(Tag.Body);
  check(b != null && b.length == 200 && b[199] == 199, "body");
  eq(m.string(Tag.Caller), "ünï😀", "non-ASCII string");
  eq(m.string(Tag.Key), "a", "first of a repeated tag");
  eq(m.string(Tag.Rev), "", "absent string");
  eqInt(<i64>m.uint(Tag.Limit), 0, "absent uint");
  check(m.get(Tag.Rev) == null && !m.has(Tag.Rev) && m.has(Tag.Body), "has/get");
  let keys = "";
  const f = m.fields();
  while (f.next()) if (f.tag == Tag.Key) keys += f.string();
  eq(keys, "ab", "repeated fields in order");
  check(!f.truncated, "not truncated");
}

export function test_wire_truncated(): void {
  const full = new Writer().fieldString(Tag.Repo, "did:plc:alice").fieldString(Tag.RKey, "3k").finish();
  const f = new Fields(full.subarray(0, full.length - 1));
  let n = 0;
  while (f.next()) n++;
  check(n == 1 && f.truncated, "a message cut mid-field stops with truncated");
  const bad = new Uint8Array(12);
  bad.fill(0x80);
  readUvarint(bad.dataStart, bad.dataStart + 12);
  eqInt(varintLen, 0, "an over-long uvarint is refused");
  const g = new Fields(bad);
  check(!g.next() && g.truncated, "a message with a broken length");
  eqInt(<i64>new Message(new Uint8Array(0)).uint(Tag.Seq), 0, "empty message");
}

// ---- CBOR ----

// {"a": -5, "bb": [1, {"x": h'0102'}, link], "big": 2^40, "flag": true, "text": …, "$type": "app.test", "ключ": "v"}
function sample(): Record {
  const w = new CborWriter();
  w.map(7);
  w.text("a").int(-5);
  w.text("bb").array(3).int(1).map(1).text("x").bytes(utf8("\x01\x02")).link(utf8("cid"));
  w.text("big").int(<i64>1 << 40);
  w.text("flag").bool(true);
  w.text("text").text("héllo wörld 😀, a longer text that spans more than eight bytes");
  w.text("$type").text("app.test");
  w.text("ключ").text("v");
  return w.toRecord();
}

export function test_cbor_read(): void {
  const r = sample();
  eq(r.text("text"), "héllo wörld 😀, a longer text that spans more than eight bytes", "text");
  eq(r.type, "app.test", "$type");
  eqInt(r.int("a"), -5, "negative int");
  eqInt(r.int("big"), <i64>1 << 40, "8-byte int");
  check(r.bool("flag"), "bool");
  eq(r.text("ключ"), "v", "non-ASCII key");
  eq(r.text("bb"), "", "an array is no text");
  eq(r.text("missing"), "", "absent");
  eqInt(r.int("text", 7), 7, "fallback of a non-integer");
  const bb = r.field("bb");
  // array(3) 1, int 1, map(1) 1, "x" 2, bytes 1+2, tag 42 2, bytes 1+4
  check(bb != null && bb.length == 15, "array skipped whole, nested map and tag included");
  check(!r.isEmpty && Record.empty().isEmpty && Record.empty().text("text") == "", "empty record");
  // Malformed: cut short, not a map, a key that is not text.
  const cut = new Record(r.data.subarray(0, r.data.length - 3));
  eq(cut.text("ключ"), "", "truncated record");
  eq(cut.text("a"), "", "truncated record: the map's head still counts 7 entries");
  check(new Record(new CborWriter().array(1).text("x").finish()).field("x") == null, "not a map");
  check(new Record(new CborWriter().map(1).int(1).text("x").finish()).field("x") == null, "integer key");
  const v = cborText(new CborWriter().text("ü").finish());
  check(v != null && v == "ü", "cborText");
  check(cborText(new CborWriter().int(1).finish()) == null, "cborText of an int");
  eqInt(cborInt(new CborWriter().int(-1 - 0xffff_ffff).finish()), -1 - 0xffff_ffff, "negative 8-byte int");
}

export function test_cbor_utf8_equals(): void {
  const cases = ["", "a", "ascii key", "é", "ключ", "😀", "mixé😀d"];
  for (let i = 0; i < cases.length; i++) {
    for (let j = 0; j < cases.length; j++) {
      const b = utf8(cases[i]);
      check(utf8Equals(b.dataStart, b.length, cases[j]) == (i == j), "utf8Equals " + cases[i] + " vs " + cases[j]);
    }
  }
  const lone = "\uD800x"; // an unpaired surrogate never equals real bytes
  const b = utf8("x");
  check(!utf8Equals(b.dataStart, b.length, lone), "unpaired surrogate");
}

export function test_cbor_rewrite(): void {
  const r = sample();
  const changed = r.withText("text", "new");
  check(changed != null, "withText");
  eq(changed!.text("text"), "new", "replaced text");
  eqInt(changed!.int("a"), -5, "other fields kept");
  eq(changed!.text("ключ"), "v", "last field kept");
  check(changed!.data[0] == 0xa7, "same entry count");
  const added = changed!.with("zz", new CborWriter().int(9).finish());
  check(added != null && added.data[0] == 0xa8 && added.int("zz") == 9, "added key");
  // Keys stay in DAG-CBOR order: shorter first, then bytewise ("b" < "aa" < "zz" < "big").
  const w = new CborWriter();
  w.map(3).text("b").int(1).text("zz").int(2).text("big").int(3);
  const three = w.toRecord().with("aa", new CborWriter().int(0).finish())!;
  const expect = new CborWriter();
  expect.map(4).text("b").int(1).text("aa").int(0).text("zz").int(2).text("big").int(3);
  check(memory.compare(three.data.dataStart, expect.finish().dataStart, <usize>three.data.length) == 0 &&
    three.data.length == expect.out.length, "inserted in key order");
  const removed = three.without("zz")!;
  check(removed.data[0] == 0xa3 && !removed.has("zz") && removed.int("big") == 3, "without");
  check(three.without("nope")!.data.length == three.data.length, "without an absent key");
  check(new Record(utf8("x")).withText("a", "b") == null, "rewrite of a non-map");
}

export function test_cbor_heads(): void {
  const w = new CborWriter();
  w.array(6).int(23).int(24).int(0xff).int(0x100).int(0x10000).int(<i64>0x1_0000_0000);
  const b = w.finish();
  const want: u8[] = [0x86, 0x17, 0x18, 0x18, 0x18, 0xff, 0x19, 0x01, 0x00, 0x1a, 0x00, 0x01, 0x00, 0x00,
    0x1b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00];
  check(b.length == want.length, "head lengths");
  for (let i = 0; i < want.length; i++) check(b[i] == want[i], "head byte " + i.toString());
  const x = new CborWriter().null().bool(false).finish();
  check(x[0] == 0xf6 && x[1] == 0xf4, "null and false");
}

// ---- JSON ----

export function test_json(): void {
  const a = parseStringArray(" [ \"spam\" , \"b\\\"c\\\\\\/\", \"\\u00e9\\ud83d\\ude00\", \"\\n\\t\\r\\b\\f\", \"\" ] ");
  check(a != null && a.length == 5, "array of 5");
  eq(a![0], "spam", "plain");
  eq(a![1], "b\"c\\/", "escapes");
  eq(a![2], "é😀", "unicode escapes and a surrogate pair");
  eq(a![3], "\n\t\r\b\f", "control escapes");
  eq(a![4], "", "empty string");
  check(parseStringArray("[]")!.length == 0, "empty array");
  check(parseStringArray("[\"ünï\"]")![0] == "ünï", "raw non-ASCII");
  const bad = ["", "[", "[\"a\",]", "[\"a\"", "\"a\"", "[1]", "[\"a\"] x", "[\"\\x\"]", "[\"a\nb\"]", "[\"\\u12\"]", "{}"];
  for (let i = 0; i < bad.length; i++) check(parseStringArray(bad[i]) == null, "malformed: " + bad[i]);
  const s = parseString(" \"hi\\u0021\" ");
  check(s != null && s == "hi!", "parseString");
  check(parseString("hi") == null, "parseString of a bare word");
}

// ---- text ----

export function test_text_decode(): void {
  const base = "The quick brown fox jumps over the lazy dog 0123456789";
  for (let n = 0; n <= base.length; n++) {
    const s = base.substring(0, n);
    const b = utf8(s);
    eq(decodeUTF8(b.dataStart, <usize>b.length), s, "ASCII of length " + n.toString());
  }
  const mixed = ["é", "abcdefgé", "abcdefghé", "abcdefghijklmné", "😀abcdefgh", "ab😀"];
  for (let i = 0; i < mixed.length; i++) {
    const b = utf8(mixed[i]);
    eq(decodeUTF8(b.dataStart, <usize>b.length), mixed[i], "non-ASCII " + i.toString());
  }
}

export function test_text_lower(): void {
  const base = "HeLLo WORLD @[`{ AZaz 09 THE END";
  for (let n = 0; n <= base.length; n++) {
    const s = base.substring(0, n);
    eq(toLower(s), s.toLowerCase(), "ASCII of length " + n.toString());
  }
  eq(toLower("ÜNÏCODE Shouting"), "ünïcode shouting", "non-ASCII");
  eq(toLower("ABCDEFGHÉ"), "abcdefghé", "non-ASCII after a full block");
  eq(toLower("ABCDEÉFGHIJ"), "abcdeéfghij", "non-ASCII inside a block");
  eq(toLower("ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"), "abcdefghijklmnopqrstuvwxyz[\\]^_`", "the letters and their neighbours");
}

export function test_text_index(): void {
  const hay = "abcabdabcabeaabbccxyzxyzaaaaaaab";
  const needles = ["a", "ab", "abc", "abe", "cab", "aab", "aaaaaab", "xyzxyz", "zz", "b", "ab" + "d", "x", "yza", hay, hay + "!"];
  for (let i = 0; i < needles.length; i++) {
    for (let from = -1; from <= hay.length + 1; from++) {
      const want = hay.indexOf(needles[i], from);
      eqInt(indexOf(hay, needles[i], from), want, "indexOf(\"" + needles[i] + "\", " + from.toString() + ")");
    }
  }
  // An empty needle is found where the search starts (as in JavaScript; AssemblyScript's own says 0).
  eqInt(indexOf(hay, "", 5), 5, "empty needle");
  eqInt(indexOf(hay, "", 99), hay.length, "empty needle past the end");
  for (let n = 0; n < 40; n++) {
    const h = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx".substring(0, n) + "spam";
    eqInt(indexOf(h, "spam"), n, "match at " + n.toString());
    eqInt(indexOf(h, "spam!"), -1, "needle past the end at " + n.toString());
  }
  eqInt(indexOf("sxxxxspam", "spam"), 5, "a failed candidate in the first word, a match in the second");
  eqInt(indexOf("xxsxxxxxspamxxxxssss", "spam"), 8, "a match in the second block of eight");
  eqInt(indexOf("xxsxxxxsxxxxxxxs", "spam"), -1, "candidates only");
  eqInt(indexOf("xxxxxxxxxxxxxxsxxxxxspam", "spam"), 20, "a failed candidate in the fourth word, a match after the block");
  eqInt(indexOf("ünïcode", "ïc"), 2, "non-ASCII units");
  eqInt(containsAny("a post about eggs", ["", "spam", "eggs"]), 2, "containsAny");
  eqInt(containsAny("nothing here", ["spam"]), -1, "containsAny none");
}

// ---- host wrappers (the fake host is internal/plugintest's) ----

export function test_host_config_kv(): void {
  eq(configGet("greeting").value, "hello", "config string");
  eq(configGet("banned").value, "[\"spam\"]", "config JSON");
  check(configGet("missing").notFound, "config not found");
  check(kvPutString("k1", "v1").ok, "kv put");
  eq(kvGetString("k1").value, "v1", "kv get");
  const raw = kvGet("k1");
  check(raw.ok && str(raw.value) == "v1", "kv get bytes");
  check(kvGet("nope").notFound && kvGet("nope").error!.kind == ErrorKind.NotFound, "kv not found");
  const q = kvPut("quota", utf8("x"));
  check(!q.ok && q.error!.kind == ErrorKind.Quota, "quota");
  eq(q.error!.message, "over 4 KiB", "quota message");
  const d = kvDelete("denied");
  check(d.error != null && d.error!.kind == ErrorKind.Denied, "denied");
  eq(d.error!.toString(), "denied: kv:write not granted", "denied message");
  check(kvDelete("k1").ok && kvGet("k1").notFound, "deleted");
  const keys = kvList("pre", "after", 7).value;
  check(keys.length == 3, "kv list");
  eq(keys[0] + "|" + keys[1] + "|" + keys[2], "prefix=pre|after=after|limit=7", "kv list fields");
  check(kvGet("nope").or(utf8("fallback")).length == 8, "Result.or");
}

export function test_host_fetch(): void {
  const res = httpFetch(new HttpRequest("POST", "https://hooks.example.com/x?y=1").header("A", "1").header("B", "two").text("bödy"));
  check(res.ok, "fetch ok");
  eqInt(res.value.status, 201, "status");
  eq(res.value.text(), "POST https://hooks.example.com/x?y=1 [A: 1|B: two] bödy", "echoed request");
  eqInt(res.value.headers.length, 2, "response headers");
  eq(res.value.header("ETAG"), "\"v1\"", "a response header by name");
  eq(res.value.header("X-Missing"), "", "a missing header");
  const failed = httpFetch(new HttpRequest("GET", "https://fail.example.com/"));
  check(failed.error != null && failed.error!.kind == ErrorKind.Failed, "failed fetch");
  eq(failed.error!.message, "dial: boom", "failure message");
}

export function test_host_records(): void {
  const e = recordGet("did:plc:alice", "app.bsky.feed.post", "3k").value;
  eq(e.collection + " " + e.rkey + " " + e.cid, "app.bsky.feed.post 3k bafyrec", "entry fields");
  eq(e.record.text("text"), "did:plc:alice/app.bsky.feed.post/3k", "entry record");
  check(recordGet("did:plc:alice", "app.bsky.feed.post", "gone").notFound, "record not found");
  const list = recordList("did:plc:alice", "app.bsky.feed.like", "c0", 3).value;
  check(list.length == 3, "list length");
  eq(list[2].rkey + " " + list[2].record.text("text"), "c0-2 did:plc:alice/app.bsky.feed.like/c0-2", "list entry");
  eq(str(blobRead("did:plc:alice", "bafyblob", 5, 3).value), "fgh", "blob range");
  eqInt(blobRead("did:plc:alice", "bafyblob", 9, 10).value.length, 1, "blob short at the end");
  eq(str(repoExport("did:plc:alice", "rev1", 2, 4).value), "rev1:2+4", "export range");
  check(firehoseCursorSet(<i64>1 << 40).ok, "cursor set");
  eqInt(firehoseCursorGet().value, <i64>1 << 40, "cursor get");
  log(Level.Warn, "logged: héllo");
  check(nowMillis() > 1_600_000_000_000, "real clock");
  const r = Math.random();
  check(r >= 0 && r < 1, "Math.random");
}

/** Reads the value of a failed host call: the Go side expects a logged abort and a trap. */
export function fail_value(): void {
  kvGet("nope").value;
}

/** Fails an assertion: the Go side expects the message, file and line in the log, then a trap. */
export function fail_assert(): void {
  assert(false, "deliberate");
}

// ---- hooks: answers built from the inputs ----

function describe(ev: RecordEvent): string {
  return ev.action + " " + ev.repo + " " + ev.collection + " " + ev.rkey + " cid=" + ev.cid + " actor=" + ev.actor +
    " text=" + ev.record.text("text") + " prev=" + ev.prev.text("text") + " empty=" + (ev.record.isEmpty ? "yes" : "no");
}

export function record_before_create(ev: RecordEvent): Decision {
  if (ev.record.text("text") == "reject me") return reject("Nope", describe(ev));
  return allow();
}

export function record_before_update(ev: RecordEvent): Decision {
  const rec = ev.record.withText("text", "updated: " + ev.record.text("text") + " (was " + ev.prev.text("text") + ")");
  if (rec == null) return reject("BadRecord", "not a map");
  return replace(rec.with("edited", new CborWriter().bool(true).finish())!);
}

export function record_before_delete(ev: RecordEvent): Decision {
  return reject("Gone", describe(ev));
}

export function record_after_create(ev: RecordEvent): void {
  log(Level.Info, "after " + describe(ev));
}

export function record_after_update(ev: RecordEvent): void {
  log(Level.Info, "after " + describe(ev));
}

export function record_after_delete(ev: RecordEvent): void {
  log(Level.Info, "after " + describe(ev));
}

function describeBlob(ev: BlobEvent): string {
  return ev.repo + " " + ev.mime + " " + ev.size.toString() + " " + ev.cid;
}

export function blob_before_upload(ev: BlobEvent): Decision {
  return ev.size > 100 ? reject("TooBig", describeBlob(ev)) : allow();
}

export function blob_validate(ev: BlobEvent): Decision {
  return ev.mime == "image/png" ? allow() : reject("BadType", describeBlob(ev));
}

export function blob_after_upload(ev: BlobEvent): void {
  log(Level.Info, "blob " + describeBlob(ev));
}

function describeXrpc(ev: XrpcEvent): string {
  return ev.nsid + " " + ev.method + " " + ev.params + " caller=" + ev.caller + " status=" + ev.status.toString();
}

export function xrpc_before(ev: XrpcEvent): Decision {
  return ev.caller == "" ? reject("NoCaller", describeXrpc(ev)) : allow();
}

export function xrpc_after(ev: XrpcEvent): void {
  log(Level.Info, "xrpc " + describeXrpc(ev));
}

export function xrpc_handle(req: XrpcRequest): XrpcResponse {
  if (req.nsid == "dev.test.binary") {
    const body = new Uint8Array(3);
    body[0] = 0;
    body[1] = 1;
    body[2] = 0xff;
    return new XrpcResponse(200, "application/octet-stream", body);
  }
  return XrpcResponse.json(201, "{\"nsid\":\"" + req.nsid + "\",\"method\":\"" + req.method + "\",\"params\":\"" + req.params +
    "\",\"auth\":\"" + req.auth + "\",\"body\":\"" + req.text() + "\"}");
}

export function firehose_on_commit(ev: CommitEvent): void {
  let ops = "";
  for (let i = 0; i < ev.ops.length; i++) ops += " " + ev.ops[i].action + ":" + ev.ops[i].path + ":" + ev.ops[i].cid;
  log(Level.Info, "commit " + ev.seq.toString() + " " + ev.repo + " " + ev.rev + ops);
}

function describeGrant(ev: GrantEvent): string {
  return ev.owner + " " + ev.collection + " " + ev.grantee + " " + ev.epoch.toString();
}

export function privacy_on_access_grant_request(ev: GrantEvent): Decision {
  return reject("Refused", describeGrant(ev));
}

export function privacy_on_key_rotation(ev: GrantEvent): void {
  log(Level.Info, "rotation " + describeGrant(ev));
}
