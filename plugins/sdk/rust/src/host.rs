//! Typed wrappers of the host imports. The host checks each call against
//! the capabilities the user granted: a call without its capability answers
//! [`HostError::Denied`]. A function the plugin never calls is not imported
//! at all, so the manifest only needs the capabilities of those it uses.

use crate::cbor::Record;
use crate::sys;
use crate::wire::{self, tag, Builder, Message};
use std::fmt;

/// Host call statuses: the high 32 bits of an import's answer.
pub mod status {
    /// Success.
    pub const OK: u32 = 0;
    /// Nothing there.
    pub const NOT_FOUND: u32 = 1;
    /// Capability not granted, or the target refused.
    pub const DENIED: u32 = 2;
    /// The host failed; the result is the message.
    pub const FAILED: u32 = 3;
    /// Over the plugin's quota.
    pub const QUOTA: u32 = 4;
}

/// Why a host call did not succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostError {
    /// Nothing there (a kv key, a record, a config key).
    NotFound,
    /// The capability was not granted, or the target was refused (an HTTP
    /// host outside the allowlist, a private address), with the host's reason.
    Denied(String),
    /// The host failed, with its message.
    Failed(String),
    /// The plugin's kv quota is used up.
    Quota,
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostError::NotFound => f.write_str("pds: not found"),
            HostError::Denied(m) => write!(f, "pds: denied: {m}"),
            HostError::Failed(m) => write!(f, "pds: host error: {m}"),
            HostError::Quota => f.write_str("pds: quota exceeded"),
        }
    }
}

impl std::error::Error for HostError {}

/// Turns an import's answer into its result bytes or an error.
fn take(answer: u64) -> Result<Vec<u8>, HostError> {
    let (st, n) = ((answer >> 32) as u32, answer as u32 as usize);
    let mut buf = Vec::new();
    if n > 0 {
        buf.resize(n, 0);
        sys::result(&mut buf);
    }
    match st {
        status::OK => Ok(buf),
        status::NOT_FOUND => Err(HostError::NotFound),
        status::DENIED => Err(HostError::Denied(into_string(buf))),
        status::QUOTA => Err(HostError::Quota),
        _ => Err(HostError::Failed(into_string(buf))),
    }
}

fn into_string(b: Vec<u8>) -> String {
    String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Log levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Debug.
    Debug = 0,
    /// Info.
    Info = 1,
    /// Warning.
    Warn = 2,
    /// Error.
    Error = 3,
}

/// Writes a line to the server's log, attributed to the plugin.
pub fn log(level: Level, msg: &str) {
    sys::log(level as u32, msg.as_bytes());
}

/// The operator's configuration value for `key` (or the manifest's
/// default): a string value as its text, any other as JSON (see
/// [`crate::json`]). NotFound if the manifest's `[config]` has no such key.
pub fn config_get(key: &str) -> Result<String, HostError> {
    take(sys::config_get(key.as_bytes())).map(into_string)
}

/// Reads `key` from the plugin's own store (capability `kv:read`).
pub fn kv_get(key: &str) -> Result<Vec<u8>, HostError> {
    take(sys::kv_get(key.as_bytes()))
}

/// Writes `key` (capability `kv:write`); Quota past `limits.kv_quota_kib`.
pub fn kv_put(key: &str, value: &[u8]) -> Result<(), HostError> {
    take(sys::kv_put(key.as_bytes(), value)).map(drop)
}

/// Removes `key` (capability `kv:write`).
pub fn kv_delete(key: &str) -> Result<(), HostError> {
    take(sys::kv_delete(key.as_bytes())).map(drop)
}

/// Up to `limit` keys (0: the host's default, 100) starting with `prefix`,
/// after the key `after` (capability `kv:read`).
pub fn kv_list(prefix: &str, after: &str, limit: u32) -> Result<Vec<String>, HostError> {
    let m = Builder::new()
        .str(tag::KEY, prefix)
        .str(tag::CURSOR, after)
        .uint(tag::LIMIT, u64::from(limit));
    let b = take(sys::kv_list(m.as_bytes()))?;
    let keys = Message::new(&b)
        .fields()
        .filter(|f| f.0 == tag::KEY)
        .map(|f| wire::text(f.1).to_string())
        .collect();
    Ok(keys)
}

/// An outgoing HTTP request (capability `http:fetch`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpRequest<'a> {
    /// GET, POST, …
    pub method: &'a str,
    /// An absolute http or https URL.
    pub url: &'a str,
    /// Header names and values.
    pub headers: Vec<(&'a str, &'a str)>,
    /// The body.
    pub body: &'a [u8],
}

impl<'a> HttpRequest<'a> {
    /// A request without headers or body.
    pub fn new(method: &'a str, url: &'a str) -> Self {
        HttpRequest {
            method,
            url,
            ..Default::default()
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: &'a [u8]) -> Self {
        self.body = body;
        self
    }

    fn encode(&self) -> Builder {
        let mut m = Builder::new()
            .str(tag::METHOD, self.method)
            .str(tag::URL, self.url)
            .bytes(tag::BODY, self.body);
        let mut line = String::new();
        for (name, value) in &self.headers {
            line.clear();
            line.push_str(name);
            line.push_str(": ");
            line.push_str(value);
            m = m.str(tag::HEADER, &line);
        }
        m
    }
}

/// The host's answer to an [`HttpRequest`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpResponse {
    /// HTTP status.
    pub status: u16,
    /// The response's header lines, `"Name: value"`, names in canonical
    /// form (`Etag`, `Content-Type`) and sorted.
    pub headers: Vec<String>,
    /// The body (capped by the host, 4 MiB by default).
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first value of the named header (matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find_map(|h| {
            let (k, v) = h.split_once(':')?;
            if k.trim().eq_ignore_ascii_case(name) {
                Some(v.trim())
            } else {
                None
            }
        })
    }
}

/// Makes an HTTP request through the host, which checks the plugin's host
/// and method allowlist on the request and on every redirect, refuses
/// private addresses unless the operator allowed them, and caps time and
/// size (capability `http:fetch`).
pub fn http_fetch(req: &HttpRequest<'_>) -> Result<HttpResponse, HostError> {
    let b = take(sys::http_fetch(req.encode().as_bytes()))?;
    let m = Message::new(&b);
    let status = m.get_uint(tag::STATUS).min(u64::from(u16::MAX)) as u16;
    let headers = m
        .fields()
        .filter(|(t, _)| *t == tag::HEADER)
        .map(|(_, v)| crate::wire::text(v).to_string())
        .collect();
    Ok(HttpResponse {
        status,
        headers,
        body: m.get(tag::BODY).unwrap_or(&[]).to_vec(),
    })
}

/// A record read through the host.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordEntry {
    /// Collection NSID.
    pub collection: String,
    /// Record key.
    pub rkey: String,
    /// The record's CID.
    pub cid: String,
    /// DAG-CBOR bytes.
    pub cbor: Vec<u8>,
}

impl RecordEntry {
    fn decode(m: Message<'_>) -> Self {
        RecordEntry {
            collection: m.get_str(tag::COLLECTION).to_string(),
            rkey: m.get_str(tag::RKEY).to_string(),
            cid: m.get_str(tag::CID).to_string(),
            cbor: m.get(tag::RECORD).unwrap_or(&[]).to_vec(),
        }
    }

    /// The record, for reading fields.
    pub fn record(&self) -> Record<'_> {
        Record::new(&self.cbor)
    }
}

/// Reads one record (capability `record:read` covering the collection;
/// private records are never returned).
pub fn record_get(repo: &str, collection: &str, rkey: &str) -> Result<RecordEntry, HostError> {
    let m = Builder::new()
        .str(tag::REPO, repo)
        .str(tag::COLLECTION, collection)
        .str(tag::RKEY, rkey);
    let b = take(sys::record_get(m.as_bytes()))?;
    Ok(RecordEntry::decode(Message::new(&b)))
}

/// Lists up to `limit` records of a collection after `cursor` (an rkey; ""
/// from the start) (capability `record:read`).
pub fn record_list(repo: &str, collection: &str, cursor: &str, limit: u32) -> Result<Vec<RecordEntry>, HostError> {
    let m = Builder::new()
        .str(tag::REPO, repo)
        .str(tag::COLLECTION, collection)
        .str(tag::CURSOR, cursor)
        .uint(tag::LIMIT, u64::from(limit));
    let b = take(sys::record_list(m.as_bytes()))?;
    let entries = Message::new(&b)
        .fields()
        .filter(|f| f.0 == tag::ENTRY)
        .map(|f| RecordEntry::decode(Message::new(f.1)))
        .collect();
    Ok(entries)
}

/// Reads up to `length` bytes (at most 1 MiB) of a blob from `offset`; a
/// short or empty answer is the end (capability `blob:read`).
pub fn blob_read(repo: &str, cid: &str, offset: u64, length: u32) -> Result<Vec<u8>, HostError> {
    let m = Builder::new()
        .str(tag::REPO, repo)
        .str(tag::CID, cid)
        .uint(tag::OFFSET, offset)
        .uint(tag::LENGTH, u64::from(length));
    take(sys::blob_read(m.as_bytes()))
}

/// Reads up to `length` bytes of the repo's CAR export (since the revision
/// `since`, or all of it when "") from `offset`; empty at the end
/// (capability `repo:export`).
pub fn repo_export(repo: &str, since: &str, offset: u64, length: u32) -> Result<Vec<u8>, HostError> {
    let m = Builder::new()
        .str(tag::REPO, repo)
        .str(tag::SINCE, since)
        .uint(tag::OFFSET, offset)
        .uint(tag::LENGTH, u64::from(length));
    take(sys::repo_export(m.as_bytes()))
}

/// The plugin's saved firehose cursor (capability `firehose:subscribe`).
pub fn firehose_cursor_get() -> Result<i64, HostError> {
    let b = take(sys::firehose_cursor_get())?;
    wire::text(&b)
        .parse()
        .map_err(|_| HostError::Failed(format!("bad cursor {:?}", into_string(b))))
}

/// Saves the plugin's firehose cursor (capability `firehose:subscribe`).
pub fn firehose_cursor_set(seq: i64) -> Result<(), HostError> {
    take(sys::firehose_cursor_set(seq)).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake;

    #[test]
    fn config_and_log() {
        fake::reset();
        fake::with(|h| h.config.insert("banned".into(), r#"["a"]"#.into()));
        assert_eq!(config_get("banned"), Ok(r#"["a"]"#.to_string()));
        assert_eq!(config_get("other"), Err(HostError::NotFound));
        log(Level::Warn, "careful");
        assert_eq!(fake::with(|h| h.logs.clone()), [(2, "careful".to_string())]);
    }

    #[test]
    fn kv() {
        fake::reset();
        fake::with(|h| h.kv_quota = Some(20));
        assert_eq!(kv_get("a"), Err(HostError::NotFound));
        kv_put("a/1", b"one").unwrap();
        kv_put("a/2", b"two").unwrap();
        kv_put("b/1", b"").unwrap();
        assert_eq!(kv_get("a/1").unwrap(), b"one");
        assert_eq!(kv_list("a/", "", 0).unwrap(), ["a/1", "a/2"]);
        assert_eq!(kv_list("a/", "a/1", 10).unwrap(), ["a/2"]);
        assert_eq!(kv_list("", "", 1).unwrap(), ["a/1"]);
        assert_eq!(kv_put("c", b"far too long a value"), Err(HostError::Quota));
        kv_delete("a/1").unwrap();
        assert_eq!(kv_get("a/1"), Err(HostError::NotFound));
        fake::with(|h| h.denied.push("kv_put"));
        assert_eq!(kv_put("x", b"y"), Err(HostError::Denied("kv_put not granted".into())));
        assert!(kv_put("x", b"y")
            .unwrap_err()
            .to_string()
            .contains("denied: kv_put not granted"));
    }

    #[test]
    fn message_imports() {
        fake::reset();
        assert!(matches!(
            record_get("did:plc:a", "app.bsky.feed.post", "1"),
            Err(HostError::Failed(_))
        ));
        fake::with(|h| {
            h.handler = Some(Box::new(|import, msg| {
                let m = Message::new(msg);
                match import {
                    "http_fetch" => {
                        let headers: Vec<&str> = m
                            .fields()
                            .filter(|f| f.0 == tag::HEADER)
                            .map(|f| wire::text(f.1))
                            .collect();
                        assert_eq!(headers, ["Content-Type: text/plain", "X-A: b"]);
                        let body = [
                            m.get_str(tag::METHOD),
                            m.get_str(tag::URL),
                            wire::text(m.get(tag::BODY).unwrap()),
                        ]
                        .join(" ");
                        (
                            status::OK,
                            Builder::new().uint(tag::STATUS, 202).str(tag::BODY, &body).into_vec(),
                        )
                    }
                    "record_get" => {
                        let e = Builder::new()
                            .str(tag::COLLECTION, m.get_str(tag::COLLECTION))
                            .str(tag::RKEY, m.get_str(tag::RKEY));
                        (
                            status::OK,
                            e.str(tag::CID, "bafy")
                                .bytes(tag::RECORD, &[0xa1, 0x61, b'a', 0x61, b'b'])
                                .into_vec(),
                        )
                    }
                    "record_list" => {
                        let e = |k: &str| Builder::new().str(tag::RKEY, k).into_vec();
                        (
                            status::OK,
                            Builder::new()
                                .bytes(tag::ENTRY, &e("1"))
                                .bytes(tag::ENTRY, &e("2"))
                                .into_vec(),
                        )
                    }
                    "blob_read" => {
                        let want = (m.get_str(tag::CID), m.get_uint(tag::OFFSET), m.get_uint(tag::LENGTH));
                        assert_eq!(want, ("bafyblob", 10, 4));
                        (status::OK, b"abcd".to_vec())
                    }
                    _ => (status::DENIED, b"no export for you".to_vec()),
                }
            }))
        });
        let req = HttpRequest::new("POST", "https://hooks.example.com/x")
            .header("Content-Type", "text/plain")
            .header("X-A", "b")
            .body(b"hi");
        let resp = http_fetch(&req).unwrap();
        assert_eq!(
            (resp.status, resp.body.as_slice()),
            (202, &b"POST https://hooks.example.com/x hi"[..])
        );
        let e = record_get("did:plc:a", "app.bsky.feed.post", "3k").unwrap();
        assert_eq!(
            (e.collection.as_str(), e.rkey.as_str(), e.cid.as_str()),
            ("app.bsky.feed.post", "3k", "bafy")
        );
        assert_eq!(e.record().text("a"), Some("b"));
        let list = record_list("did:plc:a", "app.bsky.feed.post", "", 2).unwrap();
        assert_eq!(list.iter().map(|e| e.rkey.as_str()).collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(blob_read("did:plc:a", "bafyblob", 10, 4).unwrap(), b"abcd");
        assert_eq!(
            repo_export("did:plc:a", "", 0, 1024),
            Err(HostError::Denied("no export for you".into()))
        );
    }

    #[test]
    fn cursor() {
        fake::reset();
        assert_eq!(firehose_cursor_get(), Ok(0));
        firehose_cursor_set(1234).unwrap();
        assert_eq!(firehose_cursor_get(), Ok(1234));
        fake::with(|h| h.denied.push("firehose_cursor_get"));
        assert!(matches!(firehose_cursor_get(), Err(HostError::Denied(_))));
    }
}
