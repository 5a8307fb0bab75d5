// @hearth/plugin-api
// The hooks' inputs and answers (plugins/wit/hearth-plugin.wit, "types"),
// decoded from and encoded to the wire format.

import { decodeUTF8 } from "./text";
import { Record } from "./cbor";
import { Fields, Tag, Verdict, Writer } from "./wire";

/** The input of the record hooks (record.before_* and record.after_*). */
export class RecordEvent {
  /** create, update or delete. */
  action: string = "";
  /** The repo's DID. */
  repo: string = "";
  collection: string = "";
  rkey: string = "";
  /** After-hooks: the record's CID. */
  cid: string = "";
  /** Who asked for the write, when not the repo's owner. */
  actor: string = "";
  /** The record's DAG-CBOR (empty on delete). */
  record: Record = Record.empty();
  /** The previous record on update and delete, when known (else empty). */
  prev: Record = Record.empty();

  /** Decodes a record hook's input. */
  static decode(action: string, data: Uint8Array): RecordEvent {
    const ev = new RecordEvent();
    ev.action = action;
    const f = new Fields(data);
    while (f.next()) {
      switch (f.tag) {
        case Tag.Repo: ev.repo = f.string(); break;
        case Tag.Collection: ev.collection = f.string(); break;
        case Tag.RKey: ev.rkey = f.string(); break;
        case Tag.CID: ev.cid = f.string(); break;
        case Tag.Actor: ev.actor = f.string(); break;
        case Tag.Record: ev.record = new Record(f.bytes()); break;
        case Tag.Prev: ev.prev = new Record(f.bytes()); break;
      }
    }
    return ev;
  }
}

/** The input of the blob hooks; the bytes are read with blobRead. */
export class BlobEvent {
  repo: string = "";
  mime: string = "";
  cid: string = "";
  size: i64 = 0;

  /** Decodes a blob hook's input. */
  static decode(data: Uint8Array): BlobEvent {
    const ev = new BlobEvent();
    const f = new Fields(data);
    while (f.next()) {
      switch (f.tag) {
        case Tag.Repo: ev.repo = f.string(); break;
        case Tag.Mime: ev.mime = f.string(); break;
        case Tag.CID: ev.cid = f.string(); break;
        case Tag.Size: ev.size = <i64>f.uint(); break;
      }
    }
    return ev;
  }
}

/** The input of the xrpc middleware hooks. */
export class XrpcEvent {
  nsid: string = "";
  /** GET or POST. */
  method: string = "";
  /** The query, URL-encoded. */
  params: string = "";
  /** The authenticated caller's DID, if any. */
  caller: string = "";
  /** xrpc.after: the answer's HTTP status. */
  status: i32 = 0;

  /** Decodes an xrpc middleware hook's input. */
  static decode(data: Uint8Array): XrpcEvent {
    const ev = new XrpcEvent();
    const f = new Fields(data);
    while (f.next()) {
      switch (f.tag) {
        case Tag.NSID: ev.nsid = f.string(); break;
        case Tag.Method: ev.method = f.string(); break;
        case Tag.Params: ev.params = f.string(); break;
        case Tag.Caller: ev.caller = f.string(); break;
        case Tag.Status: ev.status = <i32>f.uint(); break;
      }
    }
    return ev;
  }
}

/** A call to an XRPC method the plugin registered (xrpc.handle). */
export class XrpcRequest {
  nsid: string = "";
  method: string = "";
  params: string = "";
  /** The authenticated caller's DID, if any. */
  auth: string = "";
  body: Uint8Array = new Uint8Array(0);

  /** Decodes an xrpc.handle input. */
  static decode(data: Uint8Array): XrpcRequest {
    const req = new XrpcRequest();
    const f = new Fields(data);
    while (f.next()) {
      switch (f.tag) {
        case Tag.NSID: req.nsid = f.string(); break;
        case Tag.Method: req.method = f.string(); break;
        case Tag.Params: req.params = f.string(); break;
        case Tag.Caller: req.auth = f.string(); break;
        case Tag.Body: req.body = f.bytes(); break;
      }
    }
    return req;
  }

  /** The body decoded from UTF-8. */
  text(): string {
    return decodeUTF8(this.body.dataStart, <usize>this.body.length);
  }
}

/** The plugin's answer to an XrpcRequest. */
export class XrpcResponse {
  constructor(public status: i32 = 200, public encoding: string = "application/json", public body: Uint8Array = new Uint8Array(0)) {}

  /** A response with a text body (e.g. JSON). */
  static text(status: i32, encoding: string, body: string): XrpcResponse {
    return new XrpcResponse(status, encoding, Uint8Array.wrap(String.UTF8.encode(body)));
  }

  /** A JSON response. */
  static json(status: i32, json: string): XrpcResponse {
    return XrpcResponse.text(status, "application/json", json);
  }

  /** The wire encoding of the answer. */
  encode(): Uint8Array {
    return new Writer(32 + this.body.length)
      .fieldUint(Tag.Status, <u64>this.status)
      .fieldString(Tag.Encoding, this.encoding)
      .field(Tag.Body, this.body)
      .finish();
  }
}

/** One operation of a firehose commit. */
export class CommitOp {
  action: string = "";
  /** collection/rkey */
  path: string = "";
  cid: string = "";
}

/** A firehose commit (firehose.on_commit). */
export class CommitEvent {
  seq: i64 = 0;
  repo: string = "";
  rev: string = "";
  ops: CommitOp[] = [];

  /** Decodes a firehose.on_commit input. */
  static decode(data: Uint8Array): CommitEvent {
    const ev = new CommitEvent();
    const f = new Fields(data);
    while (f.next()) {
      switch (f.tag) {
        case Tag.Seq: ev.seq = <i64>f.uint(); break;
        case Tag.Repo: ev.repo = f.string(); break;
        case Tag.Rev: ev.rev = f.string(); break;
        case Tag.Op: ev.ops.push(decodeOp(f.bytes())); break;
      }
    }
    return ev;
  }
}

function decodeOp(data: Uint8Array): CommitOp {
  const op = new CommitOp();
  const f = new Fields(data);
  while (f.next()) {
    switch (f.tag) {
      case Tag.Action: op.action = f.string(); break;
      case Tag.Path: op.path = f.string(); break;
      case Tag.CID: op.cid = f.string(); break;
    }
  }
  return op;
}

/** The input of the privacy hooks (never plaintext or keys). */
export class GrantEvent {
  owner: string = "";
  collection: string = "";
  grantee: string = "";
  epoch: i64 = 0;

  /** Decodes a privacy hook's input. */
  static decode(data: Uint8Array): GrantEvent {
    const ev = new GrantEvent();
    const f = new Fields(data);
    while (f.next()) {
      switch (f.tag) {
        case Tag.Repo: ev.owner = f.string(); break;
        case Tag.Collection: ev.collection = f.string(); break;
        case Tag.Caller: ev.grantee = f.string(); break;
        case Tag.Seq: ev.epoch = <i64>f.uint(); break;
      }
    }
    return ev;
  }
}

/** A before-hook's answer: allow(), reject(name, message) or replace(record). */
export class Decision {
  constructor(
    /** Verdict.Allow, Verdict.Reject or Verdict.Replace. */
    public verdict: u8 = Verdict.Allow,
    /** Reject: the XRPC error name the client gets (e.g. ContentRejected). */
    public error: string = "",
    /** Reject: the message (the host adds the plugin's id). */
    public message: string = "",
    /** Replace: the record to write instead (validated again by the host). */
    public record: Record | null = null,
  ) {}

  /** Whether the decision refuses the operation. */
  get rejected(): bool {
    return this.verdict == Verdict.Reject;
  }

  /** Whether the decision substitutes a record. */
  get replaced(): bool {
    return this.verdict == Verdict.Replace;
  }

  /** The wire encoding of the answer (empty for allow). */
  encode(): Uint8Array {
    if (this.verdict == Verdict.Allow) return new Uint8Array(0);
    const w = new Writer(64);
    w.byte(this.verdict);
    if (this.error.length) w.fieldString(Tag.Error, this.error);
    if (this.message.length) w.fieldString(Tag.Message, this.message);
    const rec = this.record;
    if (rec) w.field(Tag.Record, rec.data);
    return w.finish();
  }
}

/** Lets the operation proceed unchanged. */
export function allow(): Decision {
  return new Decision(Verdict.Allow);
}

/**
 * Refuses the operation: the client gets an XRPC 400 with error `name`
 * (e.g. "ContentRejected") and `message`, naming the plugin.
 */
export function reject(name: string, message: string): Decision {
  return new Decision(Verdict.Reject, name, message);
}

/** Writes `record` instead (the host validates it again). */
export function replace(record: Record): Decision {
  return new Decision(Verdict.Replace, "", "", record);
}
