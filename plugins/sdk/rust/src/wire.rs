//! The message format host and guest exchange (docs/plugins.md, "Wire
//! format"): a sequence of fields, each a tag byte, a uvarint length and the
//! bytes. Integers are uvarints. Unknown tags are skipped by readers, so
//! fields can be added within api 1.

/// Field tags (the same numbers as the Go SDK's `wire` package).
pub mod tag {
    /// Repository DID.
    pub const REPO: u8 = 1;
    /// Collection NSID.
    pub const COLLECTION: u8 = 2;
    /// Record key.
    pub const RKEY: u8 = 3;
    /// CID, as text.
    pub const CID: u8 = 4;
    /// DAG-CBOR record.
    pub const RECORD: u8 = 5;
    /// The previous DAG-CBOR record.
    pub const PREV: u8 = 6;
    /// The DID that asked for a write on the repo's behalf.
    pub const ACTOR: u8 = 7;
    /// A commit operation's action.
    pub const ACTION: u8 = 8;
    /// XRPC method NSID.
    pub const NSID: u8 = 10;
    /// HTTP method.
    pub const METHOD: u8 = 11;
    /// URL query parameters, URL-encoded.
    pub const PARAMS: u8 = 12;
    /// The authenticated caller's DID.
    pub const CALLER: u8 = 13;
    /// HTTP status (uvarint).
    pub const STATUS: u8 = 14;
    /// Request or response body.
    pub const BODY: u8 = 15;
    /// Content type of a body.
    pub const ENCODING: u8 = 16;
    /// Firehose sequence number or epoch (uvarint).
    pub const SEQ: u8 = 20;
    /// Repo revision.
    pub const REV: u8 = 21;
    /// A commit operation (nested message).
    pub const OP: u8 = 22;
    /// A commit operation's path (collection/rkey).
    pub const PATH: u8 = 23;
    /// MIME type.
    pub const MIME: u8 = 24;
    /// Size in bytes (uvarint).
    pub const SIZE: u8 = 25;
    /// XRPC error name of a rejection.
    pub const ERROR: u8 = 30;
    /// Human-readable message of a rejection.
    pub const MESSAGE: u8 = 31;
    /// kv key or prefix.
    pub const KEY: u8 = 40;
    /// URL of an HTTP request.
    pub const URL: u8 = 41;
    /// HTTP header, "Name: value".
    pub const HEADER: u8 = 42;
    /// A list entry (nested message).
    pub const ENTRY: u8 = 50;
    /// Pagination cursor.
    pub const CURSOR: u8 = 51;
    /// Byte offset (uvarint).
    pub const OFFSET: u8 = 52;
    /// Byte length (uvarint).
    pub const LENGTH: u8 = 53;
    /// A revision to export from.
    pub const SINCE: u8 = 54;
    /// Page size (uvarint).
    pub const LIMIT: u8 = 55;
}

/// First byte of a before-hook's answer: let the operation through.
pub const VERDICT_ALLOW: u8 = 0;
/// First byte of a before-hook's answer: refuse (fields error, message follow).
pub const VERDICT_REJECT: u8 = 1;
/// First byte of a before-hook's answer: substitute the record (field record follows).
pub const VERDICT_REPLACE: u8 = 2;

/// Appends `v` as an unsigned LEB128 varint.
pub fn put_uvarint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads a uvarint at the start of `b`: the value and the bytes it took, or
/// None if it is truncated or overflows 64 bits.
pub fn read_uvarint(b: &[u8]) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    for (i, &byte) in b.iter().enumerate().take(10) {
        if i == 9 && byte > 1 {
            return None;
        }
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte < 0x80 {
            return Some((v, i + 1));
        }
    }
    None
}

/// Appends one field.
pub fn put_field(out: &mut Vec<u8>, tag: u8, v: &[u8]) {
    out.push(tag);
    put_uvarint(out, v.len() as u64);
    out.extend_from_slice(v);
}

/// Appends an unsigned integer field.
pub fn put_uint(out: &mut Vec<u8>, tag: u8, v: u64) {
    let mut tmp = [0u8; 10];
    let mut n = 0;
    let mut x = v;
    while x >= 0x80 {
        tmp[n] = x as u8 | 0x80;
        x >>= 7;
        n += 1;
    }
    tmp[n] = x as u8;
    put_field(out, tag, &tmp[..=n]);
}

/// A message being built.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Builder(Vec<u8>);

impl Builder {
    /// An empty message.
    pub fn new() -> Self {
        Builder(Vec::new())
    }

    /// Adds a bytes field.
    pub fn bytes(mut self, tag: u8, v: &[u8]) -> Self {
        put_field(&mut self.0, tag, v);
        self
    }

    /// Adds a text field.
    pub fn str(self, tag: u8, v: &str) -> Self {
        self.bytes(tag, v.as_bytes())
    }

    /// Adds an unsigned integer field.
    pub fn uint(mut self, tag: u8, v: u64) -> Self {
        put_uint(&mut self.0, tag, v);
        self
    }

    /// The encoded message.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The encoded message, owned.
    pub fn into_vec(self) -> Vec<u8> {
        self.0
    }
}

/// A malformed message: a field's length runs past the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Truncated;

impl std::fmt::Display for Truncated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("wire: truncated message")
    }
}

impl std::error::Error for Truncated {}

/// An encoded message, read without copying.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Message<'a>(pub &'a [u8]);

impl<'a> Message<'a> {
    /// Wraps encoded bytes.
    pub fn new(b: &'a [u8]) -> Self {
        Message(b)
    }

    /// The fields in order; iteration stops at a malformed field (see
    /// [`Message::check`]).
    pub fn fields(&self) -> Fields<'a> {
        Fields { rest: self.0 }
    }

    /// Err if some field is malformed.
    pub fn check(&self) -> Result<(), Truncated> {
        let mut rest = self.0;
        while !rest.is_empty() {
            match split_field(rest) {
                Some((_, _, next)) => rest = next,
                None => return Err(Truncated),
            }
        }
        Ok(())
    }

    /// The first field with `tag`.
    pub fn get(&self, tag: u8) -> Option<&'a [u8]> {
        self.fields().find(|&(t, _)| t == tag).map(|(_, v)| v)
    }

    /// The first field with `tag` as text ("" if absent or not UTF-8).
    pub fn get_str(&self, tag: u8) -> &'a str {
        self.get(tag).map(text).unwrap_or("")
    }

    /// The first field with `tag` as an unsigned integer (0 if absent).
    pub fn get_uint(&self, tag: u8) -> u64 {
        self.get(tag).map(uint).unwrap_or(0)
    }
}

/// A field's bytes as text ("" if not UTF-8).
pub fn text(v: &[u8]) -> &str {
    std::str::from_utf8(v).unwrap_or("")
}

/// A field's bytes as an unsigned integer (0 if malformed).
pub fn uint(v: &[u8]) -> u64 {
    read_uvarint(v).map(|(n, _)| n).unwrap_or(0)
}

fn split_field(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = b.split_first()?;
    let (n, k) = read_uvarint(rest)?;
    let rest = &rest[k..];
    if (rest.len() as u64) < n {
        return None;
    }
    let (v, next) = rest.split_at(n as usize);
    Some((tag, v, next))
}

/// Iterator over a message's (tag, bytes) fields.
#[derive(Clone, Debug)]
pub struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Fields<'a> {
    type Item = (u8, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match split_field(self.rest) {
            Some((tag, v, next)) => {
                self.rest = next;
                Some((tag, v))
            }
            None => {
                self.rest = &[];
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uvarint_round_trip() {
        for &v in &[0u64, 1, 127, 128, 300, 16_383, 16_384, u32::MAX as u64, u64::MAX] {
            let mut b = Vec::new();
            put_uvarint(&mut b, v);
            assert_eq!(read_uvarint(&b), Some((v, b.len())), "{v}");
        }
        // The same bytes as Go's binary.AppendUvarint.
        let mut b = Vec::new();
        put_uvarint(&mut b, 300);
        assert_eq!(b, [0xac, 0x02]);
        assert_eq!(read_uvarint(&[0x80]), None);
        assert_eq!(read_uvarint(&[0xff; 10]), None);
        assert_eq!(read_uvarint(&[]), None);
    }

    #[test]
    fn builder_and_reader() {
        let long = "x".repeat(200);
        let m = Builder::new()
            .str(tag::REPO, "did:plc:alice")
            .uint(tag::SIZE, 1_000_000)
            .str(tag::COLLECTION, &long)
            .bytes(tag::BODY, &[])
            .into_vec();
        assert_eq!(&m[..2], &[tag::REPO, 13]);
        let msg = Message::new(&m);
        assert_eq!(msg.check(), Ok(()));
        assert_eq!(msg.get_str(tag::REPO), "did:plc:alice");
        assert_eq!(msg.get_uint(tag::SIZE), 1_000_000);
        assert_eq!(msg.get_str(tag::COLLECTION), long);
        assert_eq!(msg.get(tag::BODY), Some(&[][..]));
        assert_eq!(msg.get(tag::RKEY), None);
        assert_eq!(msg.get_str(tag::RKEY), "");
        assert_eq!(msg.fields().count(), 4);
    }

    #[test]
    fn unknown_tags_skipped_and_first_wins() {
        let m = Builder::new()
            .str(99, "future")
            .str(tag::KEY, "a")
            .str(tag::KEY, "b")
            .into_vec();
        let msg = Message::new(&m);
        assert_eq!(msg.get_str(tag::KEY), "a");
        let keys: Vec<&str> = msg.fields().filter(|f| f.0 == tag::KEY).map(|f| text(f.1)).collect();
        assert_eq!(keys, ["a", "b"]);
    }

    #[test]
    fn truncated_message() {
        let mut m = Builder::new().str(tag::REPO, "did:plc:alice").into_vec();
        m.extend_from_slice(&[tag::RKEY, 5, b'a']);
        let msg = Message::new(&m);
        assert_eq!(msg.check(), Err(Truncated));
        assert_eq!(msg.get_str(tag::REPO), "did:plc:alice");
        assert_eq!(msg.get(tag::RKEY), None);
        assert_eq!(msg.fields().count(), 1);
        assert_eq!(Message::new(&[tag::RKEY]).get(tag::RKEY), None);
    }

    #[test]
    fn invalid_utf8_reads_as_empty() {
        let m = Builder::new().bytes(tag::REPO, &[0xff, 0xfe]).into_vec();
        assert_eq!(Message::new(&m).get_str(tag::REPO), "");
    }
}
