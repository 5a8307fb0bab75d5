// @hearth/plugin-api
// The message format of the contract (docs/plugins.md, "Wire format"): a
// sequence of fields, each a tag byte, a uvarint length and the bytes;
// integers are uvarints. Unknown tags are skipped by readers.

import { decodeUTF8 } from "./text";

/** Field tags, as in docs/plugins.md and plugins/sdk/go/wire. */
export namespace Tag {
  export const Repo: u8 = 1;
  export const Collection: u8 = 2;
  export const RKey: u8 = 3;
  export const CID: u8 = 4;
  /** DAG-CBOR. */
  export const Record: u8 = 5;
  /** DAG-CBOR. */
  export const Prev: u8 = 6;
  export const Actor: u8 = 7;
  export const Action: u8 = 8;
  export const NSID: u8 = 10;
  export const Method: u8 = 11;
  /** URL query encoding. */
  export const Params: u8 = 12;
  export const Caller: u8 = 13;
  /** uvarint */
  export const Status: u8 = 14;
  export const Body: u8 = 15;
  export const Encoding: u8 = 16;
  /** uvarint */
  export const Seq: u8 = 20;
  export const Rev: u8 = 21;
  /** Nested message: action, path, cid. */
  export const Op: u8 = 22;
  export const Path: u8 = 23;
  export const Mime: u8 = 24;
  /** uvarint */
  export const Size: u8 = 25;
  export const Error: u8 = 30;
  export const Message: u8 = 31;
  export const Key: u8 = 40;
  export const URL: u8 = 41;
  /** "Name: value" */
  export const Header: u8 = 42;
  /** Nested message. */
  export const Entry: u8 = 50;
  export const Cursor: u8 = 51;
  /** uvarint */
  export const Offset: u8 = 52;
  /** uvarint */
  export const Length: u8 = 53;
  export const Since: u8 = 54;
  /** uvarint */
  export const Limit: u8 = 55;
}

/** Verdicts: the first byte of a before-hook's answer. */
export namespace Verdict {
  export const Allow: u8 = 0;
  export const Reject: u8 = 1;
  export const Replace: u8 = 2;
}

/**
 * Reads a uvarint at ptr (at most end): the value, and in `varintLen` the
 * bytes it took (0 when truncated or longer than 10 bytes).
 */
export let varintLen: i32 = 0;

/** Decodes the uvarint at [ptr, end); see varintLen. */
export function readUvarint(ptr: usize, end: usize): u64 {
  let v: u64 = 0;
  let shift: u64 = 0;
  for (let p = ptr; p < end && shift < 70; p++) {
    const b = load<u8>(p);
    v |= (<u64>(b & 0x7f)) << shift;
    if (b < 0x80) {
      varintLen = <i32>(p - ptr + 1);
      return v;
    }
    shift += 7;
  }
  varintLen = 0;
  return 0;
}

/**
 * Walks a message's fields without copying: `while (f.next()) { … }`, then
 * `f.tag` and the value as `f.bytes()`, `f.string()`, `f.uint()` or
 * `f.message()`. `truncated` is set when the message ended mid-field.
 */
export class Fields {
  /** The tag of the current field. */
  tag: u8 = 0;
  /** Offset of the current field's value in `data`. */
  start: i32 = 0;
  /** Length of the current field's value. */
  length: i32 = 0;
  /** Whether the message ended in the middle of a field. */
  truncated: bool = false;
  private pos: i32 = 0;

  constructor(public data: Uint8Array) {}

  /** Moves to the next field; false at the end (or when truncated). */
  next(): bool {
    const total = this.data.length;
    if (this.pos >= total) return false;
    const base = this.data.dataStart;
    const tag = load<u8>(base + <usize>this.pos);
    const n = readUvarint(base + <usize>this.pos + 1, base + <usize>total);
    const k = varintLen;
    if (k == 0 || n > <u64>(total - this.pos - 1 - k)) {
      this.truncated = true;
      this.pos = total;
      return false;
    }
    this.tag = tag;
    this.start = this.pos + 1 + k;
    this.length = <i32>n;
    this.pos = this.start + this.length;
    return true;
  }

  /** The current value as a view (no copy) of the message's bytes. */
  bytes(): Uint8Array {
    return this.data.subarray(this.start, this.start + this.length);
  }

  /** The current value decoded from UTF-8. */
  string(): string {
    return decodeUTF8(this.data.dataStart + <usize>this.start, <usize>this.length);
  }

  /** The current value as a uvarint (0 if malformed). */
  uint(): u64 {
    const p = this.data.dataStart + <usize>this.start;
    return readUvarint(p, p + <usize>this.length);
  }

  /** The current value as a nested message. */
  message(): Message {
    return new Message(this.bytes());
  }
}

/** An encoded message (a view; nothing is copied). */
export class Message {
  constructor(public data: Uint8Array) {}

  /** The fields, for a loop over them. */
  fields(): Fields {
    return new Fields(this.data);
  }

  /** The first field with tag, or null. */
  get(tag: u8): Uint8Array | null {
    const f = new Fields(this.data);
    while (f.next()) if (f.tag == tag) return f.bytes();
    return null;
  }

  /** Whether a field with tag is present. */
  has(tag: u8): bool {
    const f = new Fields(this.data);
    while (f.next()) if (f.tag == tag) return true;
    return false;
  }

  /** The first field with tag as a string ("" if absent). */
  string(tag: u8): string {
    const f = new Fields(this.data);
    while (f.next()) if (f.tag == tag) return f.string();
    return "";
  }

  /** The first field with tag as an unsigned integer (0 if absent). */
  uint(tag: u8): u64 {
    const f = new Fields(this.data);
    while (f.next()) if (f.tag == tag) return f.uint();
    return 0;
  }
}

/** Builds bytes: a message's fields or any other encoding (CBOR, answers). */
export class Writer {
  private buf: ArrayBuffer;
  private len: i32 = 0;

  constructor(capacity: i32 = 128) {
    this.buf = new ArrayBuffer(max(capacity, 16));
  }

  /** Bytes written so far. */
  get length(): i32 {
    return this.len;
  }

  private reserve(n: i32): usize {
    const need = this.len + n;
    const cap = this.buf.byteLength;
    if (need > cap) {
      const grown = new ArrayBuffer(max(need, cap * 2));
      memory.copy(changetype<usize>(grown), changetype<usize>(this.buf), <usize>this.len);
      this.buf = grown;
    }
    const at = changetype<usize>(this.buf) + <usize>this.len;
    this.len = need;
    return at;
  }

  /** Appends one byte. */
  byte(b: u8): Writer {
    store<u8>(this.reserve(1), b);
    return this;
  }

  /** Appends n bytes from ptr. */
  raw(ptr: usize, n: i32): Writer {
    if (n > 0) memory.copy(this.reserve(n), ptr, <usize>n);
    return this;
  }

  /** Appends the bytes of b. */
  append(b: Uint8Array): Writer {
    return this.raw(b.dataStart, b.length);
  }

  /** Appends s as UTF-8 (unpaired surrogates become U+FFFD). */
  utf8(s: string): Writer {
    const n = String.UTF8.byteLength(s);
    const at = this.reserve(n);
    String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, at, false, String.UTF8.ErrorMode.REPLACE);
    return this;
  }

  /** Appends v as a uvarint. */
  uvarint(v: u64): Writer {
    while (v >= 0x80) {
      this.byte(<u8>(v | 0x80));
      v >>= 7;
    }
    return this.byte(<u8>v);
  }

  /** Appends a field of raw bytes. */
  field(tag: u8, v: Uint8Array): Writer {
    return this.byte(tag).uvarint(<u64>v.length).append(v);
  }

  /** Appends a string field. */
  fieldString(tag: u8, s: string): Writer {
    return this.byte(tag).uvarint(<u64>String.UTF8.byteLength(s)).utf8(s);
  }

  /** Appends an unsigned integer field (its uvarint bytes). */
  fieldUint(tag: u8, v: u64): Writer {
    let n: u64 = 1;
    for (let x = v; x >= 0x80; x >>= 7) n++;
    return this.byte(tag).uvarint(n).uvarint(v);
  }

  /** The bytes written (a view of the writer's buffer). */
  finish(): Uint8Array {
    return Uint8Array.wrap(this.buf, 0, this.len);
  }
}
