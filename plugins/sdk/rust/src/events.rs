//! Hook inputs and answers. Inputs borrow from the buffer the host wrote
//! (no copies); they live for the duration of one hook call.

use crate::cbor::{CborError, Record, Value};
use crate::wire::{self, tag, Message};
use std::borrow::Cow;

/// What a record hook is about.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Action {
    /// A new record.
    #[default]
    Create,
    /// A record replaced by a new version.
    Update,
    /// A record removed.
    Delete,
}

impl Action {
    /// "create", "update" or "delete", as the hook names spell it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

fn opt(s: &str) -> Option<&str> {
    if s.is_empty() {
        None
    } else {
        Some(s)
    }
}

/// The input of the `record.*` hooks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordEvent<'a> {
    /// Which hook: create, update or delete.
    pub action: Action,
    /// The repository's DID.
    pub repo: &'a str,
    /// The record's collection NSID.
    pub collection: &'a str,
    /// The record key.
    pub rkey: &'a str,
    /// The record's CID (after-hooks).
    pub cid: Option<&'a str>,
    /// Who asked for the write, when not the repo's owner.
    pub actor: Option<&'a str>,
    /// The record, DAG-CBOR (None on delete).
    pub record: Option<Record<'a>>,
    /// The previous record, when the host knows it.
    pub prev: Option<Record<'a>>,
}

impl<'a> RecordEvent<'a> {
    /// Decodes a record hook's input.
    pub fn decode(action: Action, input: &'a [u8]) -> Self {
        let mut ev = RecordEvent {
            action,
            ..Default::default()
        };
        for (t, v) in Message::new(input).fields() {
            match t {
                tag::REPO => ev.repo = wire::text(v),
                tag::COLLECTION => ev.collection = wire::text(v),
                tag::RKEY => ev.rkey = wire::text(v),
                tag::CID => ev.cid = opt(wire::text(v)),
                tag::ACTOR => ev.actor = opt(wire::text(v)),
                tag::RECORD => ev.record = Some(Record::new(v)),
                tag::PREV => ev.prev = Some(Record::new(v)),
                _ => {}
            }
        }
        ev
    }

    /// The text field `key` of the record ("" if there is none).
    pub fn text(&self, key: &str) -> &'a str {
        self.record.and_then(|r| r.text(key)).unwrap_or("")
    }
}

/// The input of the `blob.*` hooks; read the bytes with [`crate::host::blob_read`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlobEvent<'a> {
    /// The uploader's DID.
    pub repo: &'a str,
    /// The declared MIME type.
    pub mime: &'a str,
    /// The blob's CID.
    pub cid: &'a str,
    /// Size in bytes.
    pub size: u64,
}

impl<'a> BlobEvent<'a> {
    /// Decodes a blob hook's input.
    pub fn decode(input: &'a [u8]) -> Self {
        let m = Message::new(input);
        BlobEvent {
            repo: m.get_str(tag::REPO),
            mime: m.get_str(tag::MIME),
            cid: m.get_str(tag::CID),
            size: m.get_uint(tag::SIZE),
        }
    }
}

/// The input of `xrpc.before` and `xrpc.after`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct XrpcEvent<'a> {
    /// The method's NSID.
    pub nsid: &'a str,
    /// GET or POST.
    pub method: &'a str,
    /// The query, URL-encoded.
    pub params: &'a str,
    /// The authenticated caller's DID.
    pub caller: Option<&'a str>,
    /// The answer's HTTP status (xrpc.after only).
    pub status: Option<u16>,
}

impl<'a> XrpcEvent<'a> {
    /// Decodes an xrpc middleware hook's input.
    pub fn decode(input: &'a [u8]) -> Self {
        let m = Message::new(input);
        XrpcEvent {
            nsid: m.get_str(tag::NSID),
            method: m.get_str(tag::METHOD),
            params: m.get_str(tag::PARAMS),
            caller: opt(m.get_str(tag::CALLER)),
            status: m
                .get(tag::STATUS)
                .map(|v| wire::uint(v).min(u64::from(u16::MAX)) as u16),
        }
    }
}

/// A call to an XRPC method the plugin registered (`xrpc.handle`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct XrpcRequest<'a> {
    /// The method's NSID.
    pub nsid: &'a str,
    /// GET or POST.
    pub method: &'a str,
    /// The query, URL-encoded.
    pub params: &'a str,
    /// The request body.
    pub body: &'a [u8],
    /// The authenticated caller's DID, if any.
    pub auth: Option<&'a str>,
}

impl<'a> XrpcRequest<'a> {
    /// Decodes an `xrpc.handle` input.
    pub fn decode(input: &'a [u8]) -> Self {
        let m = Message::new(input);
        XrpcRequest {
            nsid: m.get_str(tag::NSID),
            method: m.get_str(tag::METHOD),
            params: m.get_str(tag::PARAMS),
            body: m.get(tag::BODY).unwrap_or(&[]),
            auth: opt(m.get_str(tag::CALLER)),
        }
    }
}

/// The plugin's answer to an [`XrpcRequest`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct XrpcResponse {
    /// HTTP status (100..=599; anything else becomes 500).
    pub status: u16,
    /// Content type of the body.
    pub encoding: Cow<'static, str>,
    /// The body.
    pub body: Vec<u8>,
}

impl XrpcResponse {
    /// An answer with any content type.
    pub fn new(status: u16, encoding: impl Into<Cow<'static, str>>, body: Vec<u8>) -> Self {
        XrpcResponse {
            status,
            encoding: encoding.into(),
            body,
        }
    }

    /// An application/json answer.
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::new(status, "application/json", body.into())
    }

    /// Appends the wire encoding.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        wire::put_uint(out, tag::STATUS, u64::from(self.status));
        wire::put_field(out, tag::ENCODING, self.encoding.as_bytes());
        wire::put_field(out, tag::BODY, &self.body);
    }
}

/// One operation of a firehose commit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommitOp<'a> {
    /// create, update or delete.
    pub action: &'a str,
    /// collection/rkey.
    pub path: &'a str,
    /// The new record's CID (None on delete).
    pub cid: Option<&'a str>,
}

/// The input of `firehose.on_commit`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommitEvent<'a> {
    /// The event's sequence number.
    pub seq: u64,
    /// The repository's DID.
    pub repo: &'a str,
    /// The commit's revision.
    pub rev: &'a str,
    /// The operations.
    pub ops: Vec<CommitOp<'a>>,
}

impl<'a> CommitEvent<'a> {
    /// Decodes a `firehose.on_commit` input.
    pub fn decode(input: &'a [u8]) -> Self {
        let m = Message::new(input);
        let ops = m
            .fields()
            .filter(|&(t, _)| t == tag::OP)
            .map(|(_, v)| {
                let op = Message::new(v);
                CommitOp {
                    action: op.get_str(tag::ACTION),
                    path: op.get_str(tag::PATH),
                    cid: opt(op.get_str(tag::CID)),
                }
            })
            .collect();
        CommitEvent {
            seq: m.get_uint(tag::SEQ),
            repo: m.get_str(tag::REPO),
            rev: m.get_str(tag::REV),
            ops,
        }
    }
}

/// The input of the `privacy.*` hooks (never plaintext or keys).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GrantEvent<'a> {
    /// The owner of the private collection.
    pub owner: &'a str,
    /// The collection.
    pub collection: &'a str,
    /// Who is granted (or was) access.
    pub grantee: &'a str,
    /// The key epoch.
    pub epoch: u64,
}

impl<'a> GrantEvent<'a> {
    /// Decodes a privacy hook's input.
    pub fn decode(input: &'a [u8]) -> Self {
        let m = Message::new(input);
        GrantEvent {
            owner: m.get_str(tag::REPO),
            collection: m.get_str(tag::COLLECTION),
            grantee: m.get_str(tag::CALLER),
            epoch: m.get_uint(tag::SEQ),
        }
    }
}

/// A before-hook's answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Decision {
    /// Let the operation through unchanged.
    #[default]
    Allow,
    /// Refuse it: the client gets an XRPC 400 with `error` (e.g.
    /// "ContentRejected") and `message`, naming the plugin.
    Reject {
        /// XRPC error name.
        error: Cow<'static, str>,
        /// Human-readable reason.
        message: Cow<'static, str>,
    },
    /// Substitute this DAG-CBOR record (record hooks; the host validates it again).
    Replace(Vec<u8>),
}

impl Decision {
    /// Let the operation through.
    pub fn allow() -> Self {
        Decision::Allow
    }

    /// Refuse the operation with an XRPC error name and a message.
    pub fn reject(error: impl Into<Cow<'static, str>>, message: impl Into<Cow<'static, str>>) -> Self {
        Decision::Reject {
            error: error.into(),
            message: message.into(),
        }
    }

    /// Substitute a record given as DAG-CBOR bytes.
    pub fn replace(cbor: Vec<u8>) -> Self {
        Decision::Replace(cbor)
    }

    /// Substitute a record given as a value (encoded as DAG-CBOR).
    pub fn replace_value(record: &Value) -> Result<Self, CborError> {
        Ok(Decision::Replace(record.encode()?))
    }

    /// Whether the decision refuses the operation.
    pub fn is_reject(&self) -> bool {
        matches!(self, Decision::Reject { .. })
    }

    /// Appends the wire encoding (nothing for Allow).
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            Decision::Allow => {}
            Decision::Reject { error, message } => {
                out.push(wire::VERDICT_REJECT);
                wire::put_field(out, tag::ERROR, error.as_bytes());
                wire::put_field(out, tag::MESSAGE, message.as_bytes());
            }
            Decision::Replace(cbor) => {
                out.push(wire::VERDICT_REPLACE);
                wire::put_field(out, tag::RECORD, cbor);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Builder;

    #[test]
    fn record_event() {
        let rec = Value::Map(vec![("text".into(), "hello".into())]).encode().unwrap();
        let input = Builder::new()
            .str(tag::REPO, "did:plc:alice")
            .str(tag::COLLECTION, "app.bsky.feed.post")
            .str(tag::RKEY, "3k")
            .str(tag::ACTOR, "did:plc:bob")
            .bytes(tag::RECORD, &rec)
            .str(77, "ignored")
            .into_vec();
        let ev = RecordEvent::decode(Action::Update, &input);
        assert_eq!(ev.action.as_str(), "update");
        assert_eq!(
            (ev.repo, ev.collection, ev.rkey),
            ("did:plc:alice", "app.bsky.feed.post", "3k")
        );
        assert_eq!((ev.cid, ev.actor), (None, Some("did:plc:bob")));
        assert_eq!(ev.text("text"), "hello");
        assert_eq!(ev.prev, None);
        assert_eq!(RecordEvent::decode(Action::Delete, &[]).text("text"), "");
    }

    #[test]
    fn other_events() {
        let b = Builder::new()
            .str(tag::REPO, "did:plc:a")
            .str(tag::MIME, "image/png")
            .str(tag::CID, "bafy")
            .uint(tag::SIZE, 1 << 20);
        assert_eq!(
            BlobEvent::decode(b.as_bytes()),
            BlobEvent {
                repo: "did:plc:a",
                mime: "image/png",
                cid: "bafy",
                size: 1 << 20
            }
        );
        let x = Builder::new()
            .str(tag::NSID, "a.b.c")
            .str(tag::METHOD, "GET")
            .str(tag::PARAMS, "x=1")
            .str(tag::CALLER, "");
        let ev = XrpcEvent::decode(x.as_bytes());
        assert_eq!(
            (ev.nsid, ev.method, ev.params, ev.caller, ev.status),
            ("a.b.c", "GET", "x=1", None, None)
        );
        let x = x.uint(tag::STATUS, 404);
        assert_eq!(XrpcEvent::decode(x.as_bytes()).status, Some(404));
        let r = Builder::new()
            .str(tag::NSID, "a.b.c")
            .str(tag::CALLER, "did:plc:c")
            .bytes(tag::BODY, b"{}");
        let req = XrpcRequest::decode(r.as_bytes());
        assert_eq!((req.auth, req.body), (Some("did:plc:c"), &b"{}"[..]));
        let op = |a: &str, p: &str, c: &str| {
            Builder::new()
                .str(tag::ACTION, a)
                .str(tag::PATH, p)
                .str(tag::CID, c)
                .into_vec()
        };
        let c = Builder::new()
            .uint(tag::SEQ, 42)
            .str(tag::REPO, "did:plc:a")
            .str(tag::REV, "3kr")
            .bytes(tag::OP, &op("create", "app.bsky.feed.post/1", "bafy1"))
            .bytes(tag::OP, &op("delete", "app.bsky.feed.post/2", ""));
        let ev = CommitEvent::decode(c.as_bytes());
        assert_eq!((ev.seq, ev.repo, ev.rev, ev.ops.len()), (42, "did:plc:a", "3kr", 2));
        assert_eq!(
            ev.ops[1],
            CommitOp {
                action: "delete",
                path: "app.bsky.feed.post/2",
                cid: None
            }
        );
        let g = Builder::new()
            .str(tag::REPO, "did:plc:o")
            .str(tag::COLLECTION, "x.y")
            .str(tag::CALLER, "did:plc:g")
            .uint(tag::SEQ, 3);
        assert_eq!(
            GrantEvent::decode(g.as_bytes()),
            GrantEvent {
                owner: "did:plc:o",
                collection: "x.y",
                grantee: "did:plc:g",
                epoch: 3
            }
        );
    }

    #[test]
    fn decisions_on_the_wire() {
        let mut out = Vec::new();
        Decision::allow().encode_into(&mut out);
        assert!(out.is_empty());
        Decision::reject("ContentRejected", String::from("no")).encode_into(&mut out);
        assert_eq!(out[0], wire::VERDICT_REJECT);
        let m = Message::new(&out[1..]);
        assert_eq!(
            (m.get_str(tag::ERROR), m.get_str(tag::MESSAGE)),
            ("ContentRejected", "no")
        );
        out.clear();
        let d = Decision::replace_value(&Value::Map(vec![("text".into(), "x".into())])).unwrap();
        d.encode_into(&mut out);
        assert_eq!(out[0], wire::VERDICT_REPLACE);
        let rec = Message::new(&out[1..]).get(tag::RECORD).unwrap();
        assert_eq!(Record::new(rec).text("text"), Some("x"));
        out.clear();
        XrpcResponse::json(201, "{}").encode_into(&mut out);
        let m = Message::new(&out);
        assert_eq!(
            (m.get_uint(tag::STATUS), m.get_str(tag::ENCODING), m.get(tag::BODY)),
            (201, "application/json", Some(&b"{}"[..]))
        );
    }
}
