// @hearth/plugin-api
// Typed wrappers of the host imports (module "pds"). Each returns a
// Result: the value, or a HostError saying why not (NotFound, Denied with
// the host's reason when the capability was not granted, Failed with the
// host's message, Quota). The capability each needs is noted; the host
// refuses the install of a module importing a function whose capability
// plugin.toml does not declare, and AssemblyScript only imports the
// functions a plugin actually calls.

import { decodeUTF8 } from "./text";
import { Record } from "./cbor";
import {
  pds_config_get, pds_kv_get, pds_kv_put, pds_kv_delete, pds_kv_list, pds_http_fetch,
  pds_record_get, pds_record_list, pds_blob_read, pds_repo_export,
  pds_firehose_cursor_get, pds_firehose_cursor_set, pds_result,
} from "./env";
import { Fields, Tag, Writer } from "./wire";

/** Why a host call did not succeed (the high 32 bits of its answer). */
export enum ErrorKind {
  /** Nothing under that key, record, blob… */
  NotFound = 1,
  /** The capability was not granted, or the target was refused (e.g. a private address). */
  Denied = 2,
  /** The host tried and failed; the message says why. */
  Failed = 3,
  /** Over the plugin's quota. */
  Quota = 4,
}

/** A host call's failure: its kind and the host's message (may be empty). */
export class HostError {
  constructor(public kind: ErrorKind, public message: string) {}

  /** e.g. "denied: kv:write not granted". */
  toString(): string {
    let name = "failed";
    switch (this.kind) {
      case ErrorKind.NotFound: name = "not found"; break;
      case ErrorKind.Denied: name = "denied"; break;
      case ErrorKind.Quota: name = "over quota"; break;
    }
    return this.message.length ? name + ": " + this.message : name;
  }
}

/** A host call's outcome: `ok` and `value`, or `error`. */
export class Result<T> {
  constructor(private _value: T, public error: HostError | null) {}

  /** A success. */
  static ok<T>(value: T): Result<T> {
    return new Result<T>(value, null);
  }

  /** A failure. */
  static fail<T>(error: HostError): Result<T> {
    return new Result<T>(isReference<T>() ? changetype<T>(0) : <T>0, error);
  }

  /** Whether the call succeeded. */
  get ok(): bool {
    return this.error == null;
  }

  /** Whether it failed with NotFound. */
  get notFound(): bool {
    const e = this.error;
    return e != null && e.kind == ErrorKind.NotFound;
  }

  /** The value; aborts (a trap, logged) if the call failed. */
  get value(): T {
    const e = this.error;
    if (e) abort("host call failed: " + e.toString());
    return this._value;
  }

  /** The value, or `fallback` if the call failed. */
  or(fallback: T): T {
    return this.error == null ? this._value : fallback;
  }
}

/** The bytes of the host's pending result and the call's status. */
class Answer {
  constructor(public status: u32, public data: Uint8Array) {}

  error(): HostError {
    const msg = decodeUTF8(this.data.dataStart, <usize>this.data.length);
    return new HostError(<ErrorKind>this.status, msg);
  }
}

/** Copies the pending result of a host answer (status << 32 | length). */
function take(ans: u64): Answer {
  const n = <i32>(<u32>ans);
  const data = new Uint8Array(max(n, 0));
  if (n > 0) pds_result(data.dataStart);
  return new Answer(<u32>(ans >> 32), data);
}

function bytesResult(ans: u64): Result<Uint8Array> {
  const a = take(ans);
  return a.status == 0 ? Result.ok<Uint8Array>(a.data) : Result.fail<Uint8Array>(a.error());
}

function unitResult(ans: u64): Result<bool> {
  const a = take(ans);
  return a.status == 0 ? Result.ok<bool>(true) : Result.fail<bool>(a.error());
}

function utf8(s: string): ArrayBuffer {
  return String.UTF8.encode(s);
}

/** The operator's configuration value for key: a string value as text, any other type as JSON. */
export function configGet(key: string): Result<string> {
  const k = utf8(key);
  const a = take(pds_config_get(changetype<usize>(k), <u32>k.byteLength));
  if (a.status != 0) return Result.fail<string>(a.error());
  return Result.ok<string>(decodeUTF8(a.data.dataStart, <usize>a.data.length));
}

/** Reads key from the plugin's namespace (capability kv:read). */
export function kvGet(key: string): Result<Uint8Array> {
  const k = utf8(key);
  return bytesResult(pds_kv_get(changetype<usize>(k), <u32>k.byteLength));
}

/** Reads key as UTF-8 text (capability kv:read). */
export function kvGetString(key: string): Result<string> {
  const r = kvGet(key);
  const e = r.error;
  if (e) return Result.fail<string>(e);
  const v = r.value;
  return Result.ok<string>(decodeUTF8(v.dataStart, <usize>v.length));
}

/** Writes key (capability kv:write); Quota past the plugin's kv_quota_kib. */
export function kvPut(key: string, value: Uint8Array): Result<bool> {
  const k = utf8(key);
  return unitResult(pds_kv_put(changetype<usize>(k), <u32>k.byteLength, value.dataStart, <u32>value.length));
}

/** Writes key with a UTF-8 text value (capability kv:write). */
export function kvPutString(key: string, value: string): Result<bool> {
  return kvPut(key, Uint8Array.wrap(utf8(value)));
}

/** Removes key (capability kv:write). */
export function kvDelete(key: string): Result<bool> {
  const k = utf8(key);
  return unitResult(pds_kv_delete(changetype<usize>(k), <u32>k.byteLength));
}

/** Lists up to limit keys with prefix, after the key `after` (capability kv:read). */
export function kvList(prefix: string, after: string = "", limit: i32 = 100): Result<string[]> {
  const m = new Writer().fieldString(Tag.Key, prefix).fieldString(Tag.Cursor, after).fieldUint(Tag.Limit, <u64>limit).finish();
  const a = take(pds_kv_list(m.dataStart, <u32>m.length));
  if (a.status != 0) return Result.fail<string[]>(a.error());
  const keys = new Array<string>();
  const f = new Fields(a.data);
  while (f.next()) if (f.tag == Tag.Key) keys.push(f.string());
  return Result.ok<string[]>(keys);
}

/** An outgoing HTTP request (capability http:fetch). */
export class HttpRequest {
  /** "Name: value" lines. */
  headers: string[] = [];
  body: Uint8Array = new Uint8Array(0);

  constructor(public method: string, public url: string) {}

  /** Adds a header. */
  header(name: string, value: string): HttpRequest {
    this.headers.push(name + ": " + value);
    return this;
  }

  /** Sets a UTF-8 text body. */
  text(body: string): HttpRequest {
    this.body = Uint8Array.wrap(String.UTF8.encode(body));
    return this;
  }
}

/** The host's answer to an HttpRequest. */
export class HttpResponse {
  /** The response's header lines, "Name: value", names canonical and sorted. */
  headers: string[] = [];

  constructor(public status: i32, public body: Uint8Array) {}

  /** The first value of the named header (case-insensitive), or "". */
  header(name: string): string {
    const want = name.toLowerCase();
    for (let i = 0; i < this.headers.length; i++) {
      const h = this.headers[i];
      const colon = h.indexOf(":");
      if (colon > 0 && h.substring(0, colon).trim().toLowerCase() == want) return h.substring(colon + 1).trim();
    }
    return "";
  }

  /** The body decoded from UTF-8. */
  text(): string {
    return decodeUTF8(this.body.dataStart, <usize>this.body.length);
  }
}

/**
 * Makes an HTTP request through the host, which checks the plugin's host
 * allowlist on the request and every redirect, refuses private addresses
 * unless the operator allowed them, and caps time and size.
 */
export function httpFetch(req: HttpRequest): Result<HttpResponse> {
  const w = new Writer(64 + req.body.length).fieldString(Tag.Method, req.method).fieldString(Tag.URL, req.url);
  for (let i = 0; i < req.headers.length; i++) w.fieldString(Tag.Header, req.headers[i]);
  w.field(Tag.Body, req.body);
  const m = w.finish();
  const a = take(pds_http_fetch(m.dataStart, <u32>m.length));
  if (a.status != 0) return Result.fail<HttpResponse>(a.error());
  let status = 0;
  let body = new Uint8Array(0);
  const headers: string[] = [];
  const f = new Fields(a.data);
  while (f.next()) {
    if (f.tag == Tag.Status) status = <i32>f.uint();
    else if (f.tag == Tag.Header) headers.push(f.string());
    else if (f.tag == Tag.Body) body = f.bytes();
  }
  const res = new HttpResponse(status, body);
  res.headers = headers;
  return Result.ok<HttpResponse>(res);
}

/** A record read through the host. */
export class RecordEntry {
  collection: string = "";
  rkey: string = "";
  cid: string = "";
  record: Record = Record.empty();

  /** Decodes an entry message. */
  static decode(data: Uint8Array): RecordEntry {
    const e = new RecordEntry();
    const f = new Fields(data);
    while (f.next()) {
      switch (f.tag) {
        case Tag.Collection: e.collection = f.string(); break;
        case Tag.RKey: e.rkey = f.string(); break;
        case Tag.CID: e.cid = f.string(); break;
        case Tag.Record: e.record = new Record(f.bytes()); break;
      }
    }
    return e;
  }
}

/** Reads one record (capability record:read for its collection; never private records). */
export function recordGet(repo: string, collection: string, rkey: string): Result<RecordEntry> {
  const m = new Writer().fieldString(Tag.Repo, repo).fieldString(Tag.Collection, collection).fieldString(Tag.RKey, rkey).finish();
  const a = take(pds_record_get(m.dataStart, <u32>m.length));
  if (a.status != 0) return Result.fail<RecordEntry>(a.error());
  return Result.ok<RecordEntry>(RecordEntry.decode(a.data));
}

/** Lists a collection's records after cursor (an rkey; capability record:read). */
export function recordList(repo: string, collection: string, cursor: string = "", limit: i32 = 50): Result<RecordEntry[]> {
  const m = new Writer()
    .fieldString(Tag.Repo, repo).fieldString(Tag.Collection, collection)
    .fieldString(Tag.Cursor, cursor).fieldUint(Tag.Limit, <u64>limit).finish();
  const a = take(pds_record_list(m.dataStart, <u32>m.length));
  if (a.status != 0) return Result.fail<RecordEntry[]>(a.error());
  const out = new Array<RecordEntry>();
  const f = new Fields(a.data);
  while (f.next()) if (f.tag == Tag.Entry) out.push(RecordEntry.decode(f.bytes()));
  return Result.ok<RecordEntry[]>(out);
}

/**
 * Reads up to length (≤ 1 MiB) bytes of a blob from offset (capability
 * blob:read); a short or empty answer means the end of the blob.
 */
export function blobRead(repo: string, cid: string, offset: u64, length: u32): Result<Uint8Array> {
  const m = new Writer()
    .fieldString(Tag.Repo, repo).fieldString(Tag.CID, cid)
    .fieldUint(Tag.Offset, offset).fieldUint(Tag.Length, <u64>length).finish();
  return bytesResult(pds_blob_read(m.dataStart, <u32>m.length));
}

/**
 * Reads up to length bytes of the repo's CAR export (since a rev, or all of
 * it when since is "") from offset (capability repo:export); empty at the end.
 */
export function repoExport(repo: string, since: string, offset: u64, length: u32): Result<Uint8Array> {
  const m = new Writer()
    .fieldString(Tag.Repo, repo).fieldString(Tag.Since, since)
    .fieldUint(Tag.Offset, offset).fieldUint(Tag.Length, <u64>length).finish();
  return bytesResult(pds_repo_export(m.dataStart, <u32>m.length));
}

/** The plugin's saved firehose cursor (capability firehose:subscribe). */
export function firehoseCursorGet(): Result<i64> {
  const a = take(pds_firehose_cursor_get());
  if (a.status != 0) return Result.fail<i64>(a.error());
  const s = decodeUTF8(a.data.dataStart, <usize>a.data.length);
  return Result.ok<i64>(I64.parseInt(s, 10));
}

/** Saves the plugin's firehose cursor (capability firehose:subscribe). */
export function firehoseCursorSet(seq: i64): Result<bool> {
  return unitResult(pds_firehose_cursor_set(seq));
}
