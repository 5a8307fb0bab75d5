//! An in-memory host for native unit tests of plugins (everything outside
//! WebAssembly): the [`crate::host`] functions run against it. Each thread
//! has its own, so tests running in parallel do not see each other's.
//!
//! ```
//! use pds_plugin_api::{fake, host};
//! fake::reset();
//! fake::with(|h| h.config.insert("banned".into(), r#"["spam"]"#.into()));
//! assert_eq!(host::config_get("banned").unwrap(), r#"["spam"]"#);
//! ```

use crate::host::status;
use crate::wire::{self, tag, Message};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

/// Answers one message-based import ("http_fetch", "record_get",
/// "record_list", "blob_read", "repo_export"): its name and request
/// message in, a status and result bytes out.
pub type Handler = Box<dyn FnMut(&str, &[u8]) -> (u32, Vec<u8>)>;

/// The fake host's state; tests read and change it through [`with`].
#[derive(Default)]
pub struct FakeHost {
    /// Configuration values, as the host returns them (strings as text,
    /// anything else as JSON).
    pub config: HashMap<String, String>,
    /// The plugin's key-value store.
    pub kv: BTreeMap<String, Vec<u8>>,
    /// Bytes of kv keys and values allowed before kv_put answers Quota
    /// (None: no limit).
    pub kv_quota: Option<usize>,
    /// The firehose cursor.
    pub cursor: i64,
    /// Lines logged, with their level.
    pub logs: Vec<(u32, String)>,
    /// Imports to answer Denied, by name (e.g. "kv_put").
    pub denied: Vec<&'static str>,
    /// Answers the message-based imports; without one they fail.
    pub handler: Option<Handler>,
    pending: Vec<u8>,
}

thread_local! {
    static HOST: RefCell<FakeHost> = RefCell::new(FakeHost::default());
}

/// Runs f on this thread's fake host.
pub fn with<R>(f: impl FnOnce(&mut FakeHost) -> R) -> R {
    HOST.with(|h| f(&mut h.borrow_mut()))
}

/// Empties this thread's fake host.
pub fn reset() {
    with(|h| *h = FakeHost::default());
}

impl FakeHost {
    fn answer(&mut self, status: u32, res: Vec<u8>) -> u64 {
        let n = res.len() as u64;
        self.pending = res;
        u64::from(status) << 32 | n
    }

    fn refused(&mut self, import: &'static str) -> Option<u64> {
        if self.denied.contains(&import) {
            let msg = format!("{import} not granted").into_bytes();
            return Some(self.answer(status::DENIED, msg));
        }
        None
    }

    pub(crate) fn take_pending(&mut self, buf: &mut [u8]) {
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.clear();
    }

    pub(crate) fn config_get(&mut self, key: &[u8]) -> u64 {
        match self.config.get(wire::text(key)).cloned() {
            Some(v) => self.answer(status::OK, v.into_bytes()),
            None => self.answer(status::NOT_FOUND, Vec::new()),
        }
    }

    pub(crate) fn kv_get(&mut self, key: &[u8]) -> u64 {
        if let Some(a) = self.refused("kv_get") {
            return a;
        }
        match self.kv.get(wire::text(key)).cloned() {
            Some(v) => self.answer(status::OK, v),
            None => self.answer(status::NOT_FOUND, Vec::new()),
        }
    }

    pub(crate) fn kv_put(&mut self, key: &[u8], value: &[u8]) -> u64 {
        if let Some(a) = self.refused("kv_put") {
            return a;
        }
        let key = wire::text(key).to_string();
        let used: usize = self
            .kv
            .iter()
            .filter(|(k, _)| **k != key)
            .map(|(k, v)| k.len() + v.len())
            .sum();
        if matches!(self.kv_quota, Some(q) if used + key.len() + value.len() > q) {
            return self.answer(status::QUOTA, b"kv quota exceeded".to_vec());
        }
        self.kv.insert(key, value.to_vec());
        self.answer(status::OK, Vec::new())
    }

    pub(crate) fn kv_delete(&mut self, key: &[u8]) -> u64 {
        if let Some(a) = self.refused("kv_delete") {
            return a;
        }
        self.kv.remove(wire::text(key));
        self.answer(status::OK, Vec::new())
    }

    pub(crate) fn kv_list(&mut self, msg: &[u8]) -> u64 {
        if let Some(a) = self.refused("kv_list") {
            return a;
        }
        let m = Message::new(msg);
        let (prefix, after) = (m.get_str(tag::KEY), m.get_str(tag::CURSOR));
        let limit = match m.get_uint(tag::LIMIT) {
            0 => 100,
            n => n.min(1000) as usize,
        };
        let mut out = Vec::new();
        let keys = self
            .kv
            .keys()
            .filter(|k| k.starts_with(prefix) && k.as_str() > after)
            .take(limit);
        for k in keys {
            wire::put_field(&mut out, tag::KEY, k.as_bytes());
        }
        self.answer(status::OK, out)
    }

    pub(crate) fn handle(&mut self, import: &'static str, msg: &[u8]) -> u64 {
        if let Some(a) = self.refused(import) {
            return a;
        }
        let (st, res) = match self.handler.as_mut() {
            Some(h) => h(import, msg),
            None => (
                status::FAILED,
                format!("the fake host has no handler for {import}").into_bytes(),
            ),
        };
        self.answer(st, res)
    }

    pub(crate) fn cursor_get(&mut self) -> u64 {
        if let Some(a) = self.refused("firehose_cursor_get") {
            return a;
        }
        let v = self.cursor.to_string().into_bytes();
        self.answer(status::OK, v)
    }

    pub(crate) fn cursor_set(&mut self, seq: i64) -> u64 {
        if let Some(a) = self.refused("firehose_cursor_set") {
            return a;
        }
        self.cursor = seq;
        self.answer(status::OK, Vec::new())
    }
}
