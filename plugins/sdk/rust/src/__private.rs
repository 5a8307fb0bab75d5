//! The glue behind [`crate::register_plugin!`]: the guest's buffers and one
//! dispatcher per hook (input bytes in, answer bytes appended to `out`).
//! The dispatchers are plain functions, tested natively.

use crate::events::{Action, BlobEvent, CommitEvent, GrantEvent, RecordEvent, XrpcEvent, XrpcRequest};
use crate::Plugin;

/// Runs a record before-hook.
pub fn before_record<P: Plugin>(p: &mut P, action: Action, input: &[u8], out: &mut Vec<u8>) {
    let ev = RecordEvent::decode(action, input);
    let d = match action {
        Action::Create => p.before_create(&ev),
        Action::Update => p.before_update(&ev),
        Action::Delete => p.before_delete(&ev),
    };
    d.encode_into(out);
}

/// Runs a record after-hook.
pub fn after_record<P: Plugin>(p: &mut P, action: Action, input: &[u8], _out: &mut Vec<u8>) {
    let ev = RecordEvent::decode(action, input);
    match action {
        Action::Create => p.after_create(&ev),
        Action::Update => p.after_update(&ev),
        Action::Delete => p.after_delete(&ev),
    }
}

/// Runs `blob.before_upload`.
pub fn before_blob_upload<P: Plugin>(p: &mut P, input: &[u8], out: &mut Vec<u8>) {
    p.before_blob_upload(&BlobEvent::decode(input)).encode_into(out);
}

/// Runs `blob.validate`.
pub fn validate_blob<P: Plugin>(p: &mut P, input: &[u8], out: &mut Vec<u8>) {
    p.validate_blob(&BlobEvent::decode(input)).encode_into(out);
}

/// Runs `blob.after_upload`.
pub fn after_blob_upload<P: Plugin>(p: &mut P, input: &[u8], _out: &mut Vec<u8>) {
    p.after_blob_upload(&BlobEvent::decode(input));
}

/// Runs `xrpc.before`.
pub fn xrpc_before<P: Plugin>(p: &mut P, input: &[u8], out: &mut Vec<u8>) {
    p.xrpc_before(&XrpcEvent::decode(input)).encode_into(out);
}

/// Runs `xrpc.after`.
pub fn xrpc_after<P: Plugin>(p: &mut P, input: &[u8], _out: &mut Vec<u8>) {
    p.xrpc_after(&XrpcEvent::decode(input));
}

/// Runs `xrpc.handle`.
pub fn xrpc_handle<P: Plugin>(p: &mut P, input: &[u8], out: &mut Vec<u8>) {
    p.xrpc_handle(&XrpcRequest::decode(input)).encode_into(out);
}

/// Runs `firehose.on_commit`.
pub fn on_commit<P: Plugin>(p: &mut P, input: &[u8], _out: &mut Vec<u8>) {
    p.on_commit(&CommitEvent::decode(input));
}

/// Runs `privacy.on_access_grant_request`.
pub fn on_access_grant_request<P: Plugin>(p: &mut P, input: &[u8], out: &mut Vec<u8>) {
    p.on_access_grant_request(&GrantEvent::decode(input)).encode_into(out);
}

/// Runs `privacy.on_key_rotation`.
pub fn on_key_rotation<P: Plugin>(p: &mut P, input: &[u8], _out: &mut Vec<u8>) {
    p.on_key_rotation(&GrantEvent::decode(input));
}

#[cfg(target_arch = "wasm32")]
mod abi {
    /// The input buffer, reused by every call: pds_alloc grows it when an
    /// input is larger than any before, and otherwise allocates nothing.
    static mut INPUT: Vec<u8> = Vec::new();
    /// The answer buffer, reused likewise; the host copies an answer out
    /// before its next call.
    static mut OUTPUT: Vec<u8> = Vec::new();

    /// `pds_alloc`: a buffer of size bytes for the host to write an input to.
    pub fn alloc(size: u32) -> u32 {
        // Safety: single-threaded; the host never calls pds_alloc while a
        // hook still reads the previous input.
        let buf = unsafe { &mut INPUT };
        if buf.len() < size as usize {
            buf.resize(size as usize, 0);
        }
        buf.as_mut_ptr() as u32
    }

    /// Calls hook on the input at (ptr, len) and packs its answer for the
    /// host: ptr << 32 | len, or 0 for an empty answer.
    pub fn call(ptr: u32, len: u32, hook: impl FnOnce(&[u8], &mut Vec<u8>)) -> u64 {
        // Safety: (ptr, len) lies in the buffer pds_alloc returned, which
        // the host filled; nothing else touches INPUT or OUTPUT meanwhile.
        let input: &[u8] = if len == 0 {
            &[]
        } else {
            unsafe { std::slice::from_raw_parts(ptr as usize as *const u8, len as usize) }
        };
        let out = unsafe { &mut OUTPUT };
        out.clear();
        hook(input, out);
        if out.is_empty() {
            return 0;
        }
        (out.as_ptr() as u32 as u64) << 32 | out.len() as u64
    }
}

#[cfg(target_arch = "wasm32")]
pub use abi::{alloc, call};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cbor::Value;
    use crate::events::{Decision, XrpcResponse};
    use crate::wire::{self, tag, Builder, Message};

    #[derive(Default)]
    struct Probe {
        seen: Vec<String>,
    }

    impl Plugin for Probe {
        fn before_record(&mut self, ev: &RecordEvent<'_>) -> Decision {
            self.seen.push(format!("before {} {}", ev.action.as_str(), ev.rkey));
            match ev.text("text") {
                "bad" => Decision::reject("ContentRejected", "bad text"),
                "shout" => Decision::replace_value(&Value::Map(vec![("text".into(), "SHOUT".into())])).unwrap(),
                _ => Decision::Allow,
            }
        }
        fn after_delete(&mut self, ev: &RecordEvent<'_>) {
            self.seen.push(format!("deleted {}", ev.rkey));
        }
        fn validate_blob(&mut self, ev: &BlobEvent<'_>) -> Decision {
            if ev.size > 10 {
                return Decision::reject("BlobTooLarge", "too big");
            }
            Decision::Allow
        }
        fn xrpc_handle(&mut self, req: &XrpcRequest<'_>) -> XrpcResponse {
            XrpcResponse::json(200, format!("{{\"nsid\":\"{}\"}}", req.nsid))
        }
    }

    fn post(rkey: &str, text: &str) -> Vec<u8> {
        let rec = Value::Map(vec![("text".into(), text.into())]).encode().unwrap();
        Builder::new()
            .str(tag::REPO, "did:plc:a")
            .str(tag::RKEY, rkey)
            .bytes(tag::RECORD, &rec)
            .into_vec()
    }

    #[test]
    fn record_hooks_dispatch() {
        let mut p = Probe::default();
        let mut out = Vec::new();
        before_record(&mut p, Action::Create, &post("1", "fine"), &mut out);
        assert!(out.is_empty(), "allow is an empty answer");
        before_record(&mut p, Action::Update, &post("2", "bad"), &mut out);
        assert_eq!(out[0], wire::VERDICT_REJECT);
        assert_eq!(Message::new(&out[1..]).get_str(tag::ERROR), "ContentRejected");
        out.clear();
        before_record(&mut p, Action::Create, &post("3", "shout"), &mut out);
        assert_eq!(out[0], wire::VERDICT_REPLACE);
        let rec = Message::new(&out[1..]).get(tag::RECORD).unwrap();
        assert_eq!(crate::Record::new(rec).text("text"), Some("SHOUT"));
        out.clear();
        after_record(&mut p, Action::Delete, &post("4", ""), &mut out);
        after_record(&mut p, Action::Create, &post("5", ""), &mut out);
        assert!(out.is_empty());
        assert_eq!(
            p.seen,
            ["before create 1", "before update 2", "before create 3", "deleted 4"]
        );
    }

    #[test]
    fn other_hooks_dispatch() {
        let mut p = Probe::default();
        let mut out = Vec::new();
        let blob = |size| Builder::new().str(tag::CID, "bafy").uint(tag::SIZE, size).into_vec();
        validate_blob(&mut p, &blob(5), &mut out);
        before_blob_upload(&mut p, &blob(50), &mut out);
        assert!(out.is_empty(), "default before_blob_upload allows");
        validate_blob(&mut p, &blob(50), &mut out);
        assert_eq!(Message::new(&out[1..]).get_str(tag::ERROR), "BlobTooLarge");
        out.clear();
        xrpc_handle(&mut p, Builder::new().str(tag::NSID, "dev.x.ping").as_bytes(), &mut out);
        let m = Message::new(&out);
        assert_eq!(
            (m.get_uint(tag::STATUS), m.get_str(tag::BODY)),
            (200, r#"{"nsid":"dev.x.ping"}"#)
        );
        out.clear();
        struct Nothing;
        impl Plugin for Nothing {}
        xrpc_handle(&mut Nothing, &[], &mut out);
        assert_eq!(Message::new(&out).get_uint(tag::STATUS), 501);
        out.clear();
        xrpc_before(&mut Nothing, &[], &mut out);
        on_access_grant_request(&mut Nothing, &[], &mut out);
        before_record(&mut Nothing, Action::Delete, &[], &mut out);
        assert!(out.is_empty());
    }
}
