//! DAG-CBOR, the encoding of atproto records: a reader that finds one
//! top-level field by skipping over the others (no allocation), a full
//! decoder into [`Value`] and an encoder for replacement records.

use std::fmt;

/// Malformed or unsupported CBOR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CborError(&'static str);

impl fmt::Display for CborError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cbor: {}", self.0)
    }
}

impl std::error::Error for CborError {}

const MAX_DEPTH: usize = 64;

/// Major types.
const UINT: u8 = 0;
const NINT: u8 = 1;
const BYTES: u8 = 2;
const TEXT: u8 = 3;
const ARRAY: u8 = 4;
const MAP: u8 = 5;
const TAG: u8 = 6;
const SIMPLE: u8 = 7;

/// The CID tag.
const TAG_CID: u64 = 42;

/// Reads an item head: major type, argument, bytes taken.
fn head(b: &[u8]) -> Result<(u8, u64, usize), CborError> {
    let first = *b.first().ok_or(CborError("truncated"))?;
    let (major, info) = (first >> 5, first & 0x1f);
    let size = match info {
        0..=23 => return Ok((major, u64::from(info), 1)),
        24 => 1,
        25 => 2,
        26 => 4,
        27 => 8,
        _ => return Err(CborError("indefinite or reserved length")),
    };
    if b.len() < 1 + size {
        return Err(CborError("truncated"));
    }
    let arg = b[1..=size].iter().fold(0u64, |acc, &x| acc << 8 | u64::from(x));
    Ok((major, arg, 1 + size))
}

/// The string or byte-string payload after a head of n bytes.
fn payload(b: &[u8], n: usize, len: u64) -> Result<&[u8], CborError> {
    if ((b.len() - n) as u64) < len {
        return Err(CborError("truncated"));
    }
    Ok(&b[n..n + len as usize])
}

/// The length of the item at the start of b.
fn skip(b: &[u8], depth: usize) -> Result<usize, CborError> {
    if depth > MAX_DEPTH {
        return Err(CborError("nested too deeply"));
    }
    let (major, arg, n) = head(b)?;
    match major {
        UINT | NINT | SIMPLE => Ok(n),
        BYTES | TEXT => Ok(n + payload(b, n, arg)?.len()),
        ARRAY | MAP => {
            let count = if major == MAP { arg.saturating_mul(2) } else { arg };
            let mut off = n;
            for _ in 0..count {
                off += skip(&b[off..], depth + 1)?;
            }
            Ok(off)
        }
        _ => Ok(n + skip(&b[n..], depth + 1)?),
    }
}

/// A record as the host passes it: DAG-CBOR bytes, read in place.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Record<'a>(&'a [u8]);

impl<'a> Record<'a> {
    /// Wraps DAG-CBOR bytes.
    pub fn new(cbor: &'a [u8]) -> Self {
        Record(cbor)
    }

    /// The DAG-CBOR bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// The raw CBOR of the top-level map entry `key`, found by skipping the
    /// entries before it (None if absent or the record is malformed).
    pub fn field(&self, key: &str) -> Option<&'a [u8]> {
        let b = self.0;
        let (major, count, mut off) = head(b).ok()?;
        if major != MAP {
            return None;
        }
        for _ in 0..count {
            let (km, kl, kn) = head(&b[off..]).ok()?;
            if km != TEXT {
                return None;
            }
            let k = payload(&b[off..], kn, kl).ok()?;
            off += kn + k.len();
            let vl = skip(&b[off..], 1).ok()?;
            if k == key.as_bytes() {
                return Some(&b[off..off + vl]);
            }
            off += vl;
        }
        None
    }

    /// The top-level text field `key` (None if absent, not text or not UTF-8).
    pub fn text(&self, key: &str) -> Option<&'a str> {
        let v = self.field(key)?;
        let (major, len, n) = head(v).ok()?;
        if major != TEXT {
            return None;
        }
        std::str::from_utf8(payload(v, n, len).ok()?).ok()
    }

    /// The record's `$type`.
    pub fn record_type(&self) -> Option<&'a str> {
        self.text("$type")
    }

    /// Decodes the whole record.
    pub fn decode(&self) -> Result<Value, CborError> {
        decode(self.0)
    }
}

/// A decoded DAG-CBOR value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// null
    Null,
    /// true or false
    Bool(bool),
    /// An integer (DAG-CBOR integers fit in 64 bits signed here).
    Int(i64),
    /// A float (atproto records should not carry any).
    Float(f64),
    /// A text string.
    Text(String),
    /// A byte string.
    Bytes(Vec<u8>),
    /// A CID link (tag 42), as the binary CID without the 0x00 multibase prefix.
    Link(Vec<u8>),
    /// An array.
    Array(Vec<Value>),
    /// A map with text keys, in the order read (encoding sorts them).
    Map(Vec<(String, Value)>),
}

impl Value {
    /// The entry `key` of a map.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Sets the entry `key` of a map (replacing it if present); a no-op on
    /// other values.
    pub fn set(&mut self, key: &str, v: Value) {
        if let Value::Map(entries) = self {
            match entries.iter_mut().find(|(k, _)| k == key) {
                Some(e) => e.1 = v,
                None => entries.push((key.to_string(), v)),
            }
        }
    }

    /// The text of a Text value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// Encodes the value as DAG-CBOR.
    pub fn encode(&self) -> Result<Vec<u8>, CborError> {
        let mut out = Vec::new();
        encode_into(&mut out, self, 0)?;
        Ok(out)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

/// Decodes one DAG-CBOR value that spans all of b.
pub fn decode(b: &[u8]) -> Result<Value, CborError> {
    let (v, n) = decode_item(b, 0)?;
    if n != b.len() {
        return Err(CborError("trailing bytes"));
    }
    Ok(v)
}

fn decode_item(b: &[u8], depth: usize) -> Result<(Value, usize), CborError> {
    if depth > MAX_DEPTH {
        return Err(CborError("nested too deeply"));
    }
    let (major, arg, n) = head(b)?;
    match major {
        UINT => Ok((
            Value::Int(i64::try_from(arg).map_err(|_| CborError("integer out of range"))?),
            n,
        )),
        NINT => {
            let m = i64::try_from(arg).map_err(|_| CborError("integer out of range"))?;
            Ok((Value::Int(-1 - m), n))
        }
        BYTES => {
            let p = payload(b, n, arg)?;
            Ok((Value::Bytes(p.to_vec()), n + p.len()))
        }
        TEXT => {
            let p = payload(b, n, arg)?;
            let s = std::str::from_utf8(p).map_err(|_| CborError("text is not UTF-8"))?;
            Ok((Value::Text(s.to_string()), n + p.len()))
        }
        ARRAY => decode_array(b, n, arg, depth),
        MAP => decode_map(b, n, arg, depth),
        TAG => decode_link(b, n, arg, depth),
        _ => decode_simple(arg, n),
    }
}

fn decode_array(b: &[u8], mut off: usize, count: u64, depth: usize) -> Result<(Value, usize), CborError> {
    let mut out = Vec::with_capacity(count.min(1024) as usize);
    for _ in 0..count {
        let (v, k) = decode_item(&b[off..], depth + 1)?;
        out.push(v);
        off += k;
    }
    Ok((Value::Array(out), off))
}

fn decode_map(b: &[u8], mut off: usize, count: u64, depth: usize) -> Result<(Value, usize), CborError> {
    let mut out = Vec::with_capacity(count.min(64) as usize);
    for _ in 0..count {
        let key = match decode_item(&b[off..], depth + 1)? {
            (Value::Text(k), kl) => {
                off += kl;
                k
            }
            _ => return Err(CborError("map key is not text")),
        };
        let (v, vl) = decode_item(&b[off..], depth + 1)?;
        out.push((key, v));
        off += vl;
    }
    Ok((Value::Map(out), off))
}

fn decode_link(b: &[u8], n: usize, tag: u64, depth: usize) -> Result<(Value, usize), CborError> {
    if tag != TAG_CID {
        return Err(CborError("tag other than 42"));
    }
    match decode_item(&b[n..], depth + 1)? {
        (Value::Bytes(cid), k) if cid.first() == Some(&0) => Ok((Value::Link(cid[1..].to_vec()), n + k)),
        _ => Err(CborError("CID link is not a prefixed byte string")),
    }
}

fn decode_simple(arg: u64, n: usize) -> Result<(Value, usize), CborError> {
    match (arg, n) {
        (20, 1) => Ok((Value::Bool(false), n)),
        (21, 1) => Ok((Value::Bool(true), n)),
        (22, 1) => Ok((Value::Null, n)),
        (_, 9) => Ok((Value::Float(f64::from_bits(arg)), n)),
        _ => Err(CborError("unsupported simple value or float width")),
    }
}

/// Appends an item head with the shortest argument encoding.
fn put_head(out: &mut Vec<u8>, major: u8, arg: u64) {
    let m = major << 5;
    if arg < 24 {
        out.push(m | arg as u8);
    } else if arg <= 0xff {
        out.extend_from_slice(&[m | 24, arg as u8]);
    } else if arg <= 0xffff {
        out.push(m | 25);
        out.extend_from_slice(&(arg as u16).to_be_bytes());
    } else if arg <= 0xffff_ffff {
        out.push(m | 26);
        out.extend_from_slice(&(arg as u32).to_be_bytes());
    } else {
        out.push(m | 27);
        out.extend_from_slice(&arg.to_be_bytes());
    }
}

fn put_text(out: &mut Vec<u8>, s: &str) {
    put_head(out, TEXT, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// Appends v as DAG-CBOR: shortest heads, map keys sorted by length then
/// bytes, 64-bit floats only (finite).
pub fn encode_into(out: &mut Vec<u8>, v: &Value, depth: usize) -> Result<(), CborError> {
    if depth > MAX_DEPTH {
        return Err(CborError("nested too deeply"));
    }
    match v {
        Value::Null => out.push(0xf6),
        Value::Bool(b) => out.push(if *b { 0xf5 } else { 0xf4 }),
        Value::Int(n) if *n < 0 => put_head(out, NINT, (-1 - *n) as u64),
        Value::Int(n) => put_head(out, UINT, *n as u64),
        Value::Float(f) if !f.is_finite() => return Err(CborError("DAG-CBOR has no NaN or infinity")),
        Value::Float(f) => {
            out.push(0xfb);
            out.extend_from_slice(&f.to_bits().to_be_bytes());
        }
        Value::Text(s) => put_text(out, s),
        Value::Bytes(b) => {
            put_head(out, BYTES, b.len() as u64);
            out.extend_from_slice(b);
        }
        Value::Link(cid) => {
            put_head(out, TAG, TAG_CID);
            put_head(out, BYTES, cid.len() as u64 + 1);
            out.push(0);
            out.extend_from_slice(cid);
        }
        Value::Array(items) => {
            put_head(out, ARRAY, items.len() as u64);
            for item in items {
                encode_into(out, item, depth + 1)?;
            }
        }
        Value::Map(entries) => encode_map(out, entries, depth)?,
    }
    Ok(())
}

fn encode_map(out: &mut Vec<u8>, entries: &[(String, Value)], depth: usize) -> Result<(), CborError> {
    let mut order: Vec<&(String, Value)> = entries.iter().collect();
    order.sort_by(|a, b| {
        a.0.len()
            .cmp(&b.0.len())
            .then_with(|| a.0.as_bytes().cmp(b.0.as_bytes()))
    });
    if order.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(CborError("duplicate map key"));
    }
    put_head(out, MAP, order.len() as u64);
    for (k, v) in order {
        put_text(out, k);
        encode_into(out, v, depth + 1)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// {"text": "hi", "$type": "app.bsky.feed.post", "langs": ["en"]} as
    /// DAG-CBOR written by hand (keys by length, then bytes).
    fn post() -> Vec<u8> {
        let mut b = vec![0xa3];
        b.extend_from_slice(&[0x64]);
        b.extend_from_slice(b"text");
        b.extend_from_slice(&[0x62]);
        b.extend_from_slice(b"hi");
        b.extend_from_slice(&[0x65]);
        b.extend_from_slice(b"$type");
        b.extend_from_slice(&[0x72]);
        b.extend_from_slice(b"app.bsky.feed.post");
        b.extend_from_slice(&[0x65]);
        b.extend_from_slice(b"langs");
        b.extend_from_slice(&[0x81, 0x62]);
        b.extend_from_slice(b"en");
        b
    }

    #[test]
    fn reads_one_field() {
        let b = post();
        let r = Record::new(&b);
        assert_eq!(r.text("text"), Some("hi"));
        assert_eq!(r.record_type(), Some("app.bsky.feed.post"));
        assert_eq!(r.text("langs"), None, "not text");
        assert_eq!(r.field("langs"), Some(&[0x81, 0x62, b'e', b'n'][..]));
        assert_eq!(r.text("missing"), None);
    }

    #[test]
    fn skips_every_kind_of_value() {
        let mut v = Value::Map(vec![
            ("a".into(), Value::Int(-1_000_000)),
            ("b".into(), Value::Bytes(vec![1; 300])),
            ("c".into(), Value::Link(vec![1, 0x71, 0x12, 0x20, 9, 9])),
            (
                "d".into(),
                Value::Array(vec![Value::Null, Value::Bool(true), Value::Float(1.5)]),
            ),
            (
                "e".into(),
                Value::Map(vec![("x".into(), Value::Int(u32::MAX as i64 + 1))]),
            ),
            ("zz".into(), Value::Text("found".into())),
        ]);
        v.set("f", Value::Int(i64::MIN));
        let b = v.encode().unwrap();
        assert_eq!(Record::new(&b).text("zz"), Some("found"));
        assert_eq!(decode(&b).unwrap().get("zz").and_then(Value::as_str), Some("found"));
    }

    #[test]
    fn malformed_input() {
        let b = post();
        for cut in 0..b.len() {
            assert_eq!(Record::new(&b[..cut]).text("langs"), None, "cut at {cut}");
            assert!(decode(&b[..cut]).is_err(), "cut at {cut}");
        }
        assert_eq!(Record::new(&[0x82, 0x01, 0x02]).text("text"), None, "not a map");
        assert_eq!(Record::new(&[0xa1, 0x01, 0x01]).text("text"), None, "integer key");
        assert_eq!(Record::new(&[0xbf, 0xff]).text("text"), None, "indefinite map");
        assert!(decode(&[0x01, 0x02]).is_err(), "trailing bytes");
        assert!(decode(&[0xd8, 0x2b, 0x40]).is_err(), "tag 43");
        let deep: Vec<u8> = std::iter::repeat(0x81).take(1000).chain([0x01]).collect();
        assert!(decode(&deep).is_err());
        let mut wrapped = vec![0xa1, 0x61, b'a'];
        wrapped.extend_from_slice(&deep);
        assert_eq!(Record::new(&wrapped).field("a"), None);
    }

    #[test]
    fn encodes_canonically() {
        let v = Value::Map(vec![
            ("text".into(), "hi".into()),
            ("$type".into(), "app.bsky.feed.post".into()),
            ("langs".into(), Value::Array(vec!["en".into()])),
        ]);
        assert_eq!(v.encode().unwrap(), post());
        assert_eq!(decode(&post()).unwrap().encode().unwrap(), post());
        let dup = Value::Map(vec![("a".into(), Value::Null), ("a".into(), Value::Null)]);
        assert!(dup.encode().is_err());
        assert!(Value::Float(f64::NAN).encode().is_err());
    }

    #[test]
    fn integer_heads() {
        let cases: &[(i64, &[u8])] = &[
            (0, &[0x00]),
            (23, &[0x17]),
            (24, &[0x18, 24]),
            (256, &[0x19, 1, 0]),
            (65_536, &[0x1a, 0, 1, 0, 0]),
            (1 << 32, &[0x1b, 0, 0, 0, 1, 0, 0, 0, 0]),
            (-1, &[0x20]),
            (-25, &[0x38, 24]),
        ];
        for (n, want) in cases {
            let b = Value::Int(*n).encode().unwrap();
            assert_eq!(&b[..], *want, "{n}");
            assert_eq!(decode(&b).unwrap(), Value::Int(*n));
        }
        assert!(decode(&[0x1b, 0xff, 0, 0, 0, 0, 0, 0, 0]).is_err(), "u64 past i64");
    }
}
