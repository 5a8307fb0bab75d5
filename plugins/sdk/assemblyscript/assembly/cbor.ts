// @hearth/plugin-api
// DAG-CBOR, the bytes the repo stores: a reader that finds one top-level
// field of a record by skipping over the others (no decoding of the whole
// value, which keeps a filter hook cheap) and a small encoder for a
// before-hook that replaces the record.

import { decodeUTF8 } from "./text";
import { Writer } from "./wire";

/** CBOR major types. */
export namespace Major {
  export const Uint: u8 = 0;
  export const Negative: u8 = 1;
  export const Bytes: u8 = 2;
  export const Text: u8 = 3;
  export const Array: u8 = 4;
  export const Map: u8 = 5;
  export const Tag: u8 = 6;
  export const Simple: u8 = 7;
}

// The last head read by readHead: major type, argument, bytes it took
// (0: malformed or truncated).
let headMajor: u8 = 0;
let headArg: u64 = 0;
let headLen: i32 = 0;

const MAX_DEPTH = 128;

/** Reads the CBOR item head at [p, end) into headMajor/headArg/headLen. */
function readHead(p: usize, end: usize): bool {
  headLen = 0;
  if (p >= end) return false;
  const b = load<u8>(p);
  const info = b & 0x1f;
  headMajor = b >> 5;
  const avail = end - p;
  if (info < 24) {
    headArg = <u64>info;
    headLen = 1;
  } else if (info == 24 && avail >= 2) {
    headArg = <u64>load<u8>(p + 1);
    headLen = 2;
  } else if (info == 25 && avail >= 3) {
    headArg = <u64>bswap<u16>(load<u16>(p + 1));
    headLen = 3;
  } else if (info == 26 && avail >= 5) {
    headArg = <u64>bswap<u32>(load<u32>(p + 1));
    headLen = 5;
  } else if (info == 27 && avail >= 9) {
    headArg = bswap<u64>(load<u64>(p + 1));
    headLen = 9;
  } else {
    return false;
  }
  return true;
}

/** The length of the CBOR item at [p, end), or -1 if malformed. */
function skipItem(p: usize, end: usize, depth: i32): i32 {
  if (depth > MAX_DEPTH || !readHead(p, end)) return -1;
  const major = headMajor;
  const arg = headArg;
  const n = headLen;
  if (major == Major.Uint || major == Major.Negative || major == Major.Simple) return n;
  if (major == Major.Bytes || major == Major.Text) {
    if (<u64>(end - p - <usize>n) < arg) return -1;
    return n + <i32>arg;
  }
  if (major == Major.Tag) {
    const k = skipItem(p + <usize>n, end, depth + 1);
    return k < 0 ? -1 : n + k;
  }
  // Array or map.
  let count = arg;
  if (major == Major.Map) count <<= 1;
  let off = <usize>n;
  for (let i: u64 = 0; i < count; i++) {
    const k = skipItem(p + off, end, depth + 1);
    if (k < 0) return -1;
    off += <usize>k;
  }
  return <i32>off;
}

/** Whether the n UTF-8 bytes at ptr spell s (compared without allocating). */
export function utf8Equals(ptr: usize, n: i32, s: string): bool {
  let j = 0;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    let c = <u32>s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < len) {
      const lo = <u32>s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) {
      if (j >= n || load<u8>(ptr + <usize>j) != <u8>c) return false;
      j += 1;
      continue;
    }
    let k: i32 = c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (j + k > n) return false;
    let first: u32 = k == 2 ? 0xc0 | (c >> 6) : k == 3 ? 0xe0 | (c >> 12) : 0xf0 | (c >> 18);
    if (load<u8>(ptr + <usize>j) != <u8>first) return false;
    for (let m = 1; m < k; m++) {
      const want = <u8>(0x80 | ((c >> (6 * <u32>(k - 1 - m))) & 0x3f));
      if (load<u8>(ptr + <usize>(j + m)) != want) return false;
    }
    j += k;
  }
  return j == n;
}

/** Decodes a CBOR text item (raw bytes of one value); null if not a text string. */
export function cborText(v: Uint8Array): string | null {
  const p = v.dataStart;
  const end = p + <usize>v.length;
  if (!readHead(p, end) || headMajor != Major.Text || <u64>(end - p - <usize>headLen) < headArg) return null;
  return decodeUTF8(p + <usize>headLen, <usize>headArg);
}

/** Decodes a CBOR integer item; `fallback` if not an integer. */
export function cborInt(v: Uint8Array, fallback: i64 = 0): i64 {
  if (!readHead(v.dataStart, v.dataStart + <usize>v.length)) return fallback;
  if (headMajor == Major.Uint) return <i64>headArg;
  if (headMajor == Major.Negative) return -1 - <i64>headArg;
  return fallback;
}

/** Decodes a CBOR boolean item; `fallback` if not a boolean. */
export function cborBool(v: Uint8Array, fallback: bool = false): bool {
  if (v.length != 1) return fallback;
  const b = v[0];
  return b == 0xf5 ? true : b == 0xf4 ? false : fallback;
}

/**
 * A record as the host passes it: DAG-CBOR bytes (a view, not a copy).
 * Its accessors read one top-level field by skipping over the others.
 */
export class Record {
  constructor(public data: Uint8Array) {}

  /** An empty record (no bytes: a delete, or no record in the event). */
  static empty(): Record {
    return new Record(new Uint8Array(0));
  }

  /** Whether the event carried no record. */
  get isEmpty(): bool {
    return this.data.length == 0;
  }

  /** The raw CBOR of the top-level map entry key, or null if absent (or the record is malformed). */
  field(key: string): Uint8Array | null {
    const base = this.data.dataStart;
    const end = base + <usize>this.data.length;
    if (!readHead(base, end) || headMajor != Major.Map) return null;
    const count = headArg;
    let p = base + <usize>headLen;
    for (let i: u64 = 0; i < count; i++) {
      if (!readHead(p, end) || headMajor != Major.Text || <u64>(end - p - <usize>headLen) < headArg) return null;
      const kp = p + <usize>headLen;
      const kl = <i32>headArg;
      p = kp + <usize>kl;
      const vl = skipItem(p, end, 0);
      if (vl < 0) return null;
      if (utf8Equals(kp, kl, key)) return this.data.subarray(<i32>(p - base), <i32>(p - base) + vl);
      p += <usize>vl;
    }
    return null;
  }

  /** Whether the record has the top-level field key. */
  has(key: string): bool {
    return this.field(key) != null;
  }

  /** The top-level string field key ("" if absent or not a string). */
  text(key: string): string {
    const v = this.field(key);
    if (v == null) return "";
    const s = cborText(v);
    return s == null ? "" : s;
  }

  /** The top-level integer field key (`fallback` if absent or not an integer). */
  int(key: string, fallback: i64 = 0): i64 {
    const v = this.field(key);
    return v == null ? fallback : cborInt(v, fallback);
  }

  /** The top-level boolean field key (`fallback` if absent or not a boolean). */
  bool(key: string, fallback: bool = false): bool {
    const v = this.field(key);
    return v == null ? fallback : cborBool(v, fallback);
  }

  /** The record's $type. */
  get type(): string {
    return this.text("$type");
  }

  /**
   * A copy of the record with the top-level entry key set to the CBOR item
   * value (see CborWriter), added if absent; the other entries are copied
   * as they are and the keys stay in DAG-CBOR order. Null if the record is
   * not a well-formed map.
   */
  with(key: string, value: Uint8Array): Record | null {
    return rewrite(this, key, value, false);
  }

  /** A copy with the text field key set to s. */
  withText(key: string, s: string): Record | null {
    return this.with(key, new CborWriter().text(s).finish());
  }

  /** A copy without the top-level entry key. */
  without(key: string): Record | null {
    return rewrite(this, key, new Uint8Array(0), true);
  }
}

/** DAG-CBOR key order: shorter first, then bytewise. */
function compareKeys(a: usize, al: i32, b: usize, bl: i32): i32 {
  if (al != bl) return al < bl ? -1 : 1;
  return memory.compare(a, b, <usize>al);
}

function rewrite(rec: Record, key: string, value: Uint8Array, remove: bool): Record | null {
  const base = rec.data.dataStart;
  const end = base + <usize>rec.data.length;
  if (!readHead(base, end) || headMajor != Major.Map) return null;
  const count = headArg;
  const k = String.UTF8.encode(key);
  const kp = changetype<usize>(k);
  const kl = k.byteLength;
  const entries = new Writer(rec.data.length + value.length + kl + 16);
  let kept: u64 = 0;
  let placed = remove;
  let p = base + <usize>headLen;
  for (let i: u64 = 0; i < count; i++) {
    const start = p;
    if (!readHead(p, end) || headMajor != Major.Text || <u64>(end - p - <usize>headLen) < headArg) return null;
    const ep = p + <usize>headLen;
    const el = <i32>headArg;
    const vl = skipItem(ep + <usize>el, end, 0);
    if (vl < 0) return null;
    p = ep + <usize>el + <usize>vl;
    const cmp = compareKeys(kp, kl, ep, el);
    if (!placed && cmp <= 0) {
      new CborWriter(entries).textBytes(kp, kl).raw(value);
      kept++;
      placed = true;
    }
    if (cmp == 0) continue;
    entries.raw(start, <i32>(p - start));
    kept++;
  }
  if (!placed) {
    new CborWriter(entries).textBytes(kp, kl).raw(value);
    kept++;
  }
  const body = entries.finish();
  const out = new CborWriter(new Writer(body.length + 9));
  out.head(Major.Map, kept);
  out.raw(body);
  return out.toRecord();
}

/**
 * Writes DAG-CBOR. Maps are written as a head (`map(n)`) followed by n
 * key/value pairs, which the caller must give in DAG-CBOR key order
 * (shorter keys first, then bytewise); `Record.with` keeps the order for
 * you. Floats are not written: the atproto data model has none.
 */
export class CborWriter {
  constructor(public out: Writer = new Writer()) {}

  /** Writes an item head. */
  head(major: u8, arg: u64): CborWriter {
    const m = major << 5;
    const w = this.out;
    if (arg < 24) {
      w.byte(m | <u8>arg);
    } else if (arg <= 0xff) {
      w.byte(m | 24).byte(<u8>arg);
    } else if (arg <= 0xffff) {
      w.byte(m | 25).byte(<u8>(arg >> 8)).byte(<u8>arg);
    } else if (arg <= 0xffffffff) {
      w.byte(m | 26);
      for (let s: i32 = 24; s >= 0; s -= 8) w.byte(<u8>(arg >> <u64>s));
    } else {
      w.byte(m | 27);
      for (let s: i32 = 56; s >= 0; s -= 8) w.byte(<u8>(arg >> <u64>s));
    }
    return this;
  }

  /** A map head of n entries. */
  map(n: i32): CborWriter {
    return this.head(Major.Map, <u64>n);
  }

  /** An array head of n items. */
  array(n: i32): CborWriter {
    return this.head(Major.Array, <u64>n);
  }

  /** A text string. */
  text(s: string): CborWriter {
    this.head(Major.Text, <u64>String.UTF8.byteLength(s));
    this.out.utf8(s);
    return this;
  }

  /** A text string from n UTF-8 bytes at ptr. */
  textBytes(ptr: usize, n: i32): CborWriter {
    this.head(Major.Text, <u64>n);
    this.out.raw(ptr, n);
    return this;
  }

  /** A byte string. */
  bytes(b: Uint8Array): CborWriter {
    this.head(Major.Bytes, <u64>b.length);
    this.out.append(b);
    return this;
  }

  /** An integer. */
  int(v: i64): CborWriter {
    return v < 0 ? this.head(Major.Negative, <u64>(-1 - v)) : this.head(Major.Uint, <u64>v);
  }

  /** A boolean. */
  bool(v: bool): CborWriter {
    this.out.byte(v ? 0xf5 : 0xf4);
    return this;
  }

  /** Null. */
  null(): CborWriter {
    this.out.byte(0xf6);
    return this;
  }

  /** A CID link (tag 42) from the CID's binary form. */
  link(cid: Uint8Array): CborWriter {
    this.head(Major.Tag, 42);
    this.head(Major.Bytes, <u64>(cid.length + 1));
    this.out.byte(0);
    this.out.append(cid);
    return this;
  }

  /** An already encoded item, copied as it is (e.g. a field of another record). */
  raw(item: Uint8Array): CborWriter {
    this.out.append(item);
    return this;
  }

  /** The bytes written. */
  finish(): Uint8Array {
    return this.out.finish();
  }

  /** The bytes written, as a record (for `replace`). */
  toRecord(): Record {
    return new Record(this.out.finish());
  }
}
