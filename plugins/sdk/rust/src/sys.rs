//! The raw host imports of module "pds". Each answer is `status << 32 |
//! len`; the pending result is then copied with `result`. In WebAssembly
//! these are the host's functions (an import the plugin never calls is
//! dropped by the linker, so it needs no capability); natively they run
//! against [`crate::fake`], the in-memory host for unit tests.

#[cfg(target_arch = "wasm32")]
mod imp {
    #[link(wasm_import_module = "pds")]
    extern "C" {
        #[link_name = "log"]
        fn pds_log(level: u32, ptr: *const u8, len: usize);
        #[link_name = "result"]
        fn pds_result(ptr: *mut u8);
        #[link_name = "config_get"]
        fn pds_config_get(ptr: *const u8, len: usize) -> u64;
        #[link_name = "kv_get"]
        fn pds_kv_get(ptr: *const u8, len: usize) -> u64;
        #[link_name = "kv_put"]
        fn pds_kv_put(kptr: *const u8, klen: usize, vptr: *const u8, vlen: usize) -> u64;
        #[link_name = "kv_delete"]
        fn pds_kv_delete(ptr: *const u8, len: usize) -> u64;
        #[link_name = "kv_list"]
        fn pds_kv_list(ptr: *const u8, len: usize) -> u64;
        #[link_name = "http_fetch"]
        fn pds_http_fetch(ptr: *const u8, len: usize) -> u64;
        #[link_name = "record_get"]
        fn pds_record_get(ptr: *const u8, len: usize) -> u64;
        #[link_name = "record_list"]
        fn pds_record_list(ptr: *const u8, len: usize) -> u64;
        #[link_name = "blob_read"]
        fn pds_blob_read(ptr: *const u8, len: usize) -> u64;
        #[link_name = "repo_export"]
        fn pds_repo_export(ptr: *const u8, len: usize) -> u64;
        #[link_name = "firehose_cursor_get"]
        fn pds_firehose_cursor_get() -> u64;
        #[link_name = "firehose_cursor_set"]
        fn pds_firehose_cursor_set(seq: i64) -> u64;
    }

    pub fn log(level: u32, msg: &[u8]) {
        unsafe { pds_log(level, msg.as_ptr(), msg.len()) }
    }
    pub fn result(buf: &mut [u8]) {
        unsafe { pds_result(buf.as_mut_ptr()) }
    }
    pub fn config_get(key: &[u8]) -> u64 {
        unsafe { pds_config_get(key.as_ptr(), key.len()) }
    }
    pub fn kv_get(key: &[u8]) -> u64 {
        unsafe { pds_kv_get(key.as_ptr(), key.len()) }
    }
    pub fn kv_put(key: &[u8], value: &[u8]) -> u64 {
        unsafe { pds_kv_put(key.as_ptr(), key.len(), value.as_ptr(), value.len()) }
    }
    pub fn kv_delete(key: &[u8]) -> u64 {
        unsafe { pds_kv_delete(key.as_ptr(), key.len()) }
    }
    pub fn kv_list(msg: &[u8]) -> u64 {
        unsafe { pds_kv_list(msg.as_ptr(), msg.len()) }
    }
    pub fn http_fetch(msg: &[u8]) -> u64 {
        unsafe { pds_http_fetch(msg.as_ptr(), msg.len()) }
    }
    pub fn record_get(msg: &[u8]) -> u64 {
        unsafe { pds_record_get(msg.as_ptr(), msg.len()) }
    }
    pub fn record_list(msg: &[u8]) -> u64 {
        unsafe { pds_record_list(msg.as_ptr(), msg.len()) }
    }
    pub fn blob_read(msg: &[u8]) -> u64 {
        unsafe { pds_blob_read(msg.as_ptr(), msg.len()) }
    }
    pub fn repo_export(msg: &[u8]) -> u64 {
        unsafe { pds_repo_export(msg.as_ptr(), msg.len()) }
    }
    pub fn firehose_cursor_get() -> u64 {
        unsafe { pds_firehose_cursor_get() }
    }
    pub fn firehose_cursor_set(seq: i64) -> u64 {
        unsafe { pds_firehose_cursor_set(seq) }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use crate::fake;

    pub fn log(level: u32, msg: &[u8]) {
        fake::with(|h| h.logs.push((level, String::from_utf8_lossy(msg).into_owned())));
    }
    pub fn result(buf: &mut [u8]) {
        fake::with(|h| h.take_pending(buf));
    }
    pub fn config_get(key: &[u8]) -> u64 {
        fake::with(|h| h.config_get(key))
    }
    pub fn kv_get(key: &[u8]) -> u64 {
        fake::with(|h| h.kv_get(key))
    }
    pub fn kv_put(key: &[u8], value: &[u8]) -> u64 {
        fake::with(|h| h.kv_put(key, value))
    }
    pub fn kv_delete(key: &[u8]) -> u64 {
        fake::with(|h| h.kv_delete(key))
    }
    pub fn kv_list(msg: &[u8]) -> u64 {
        fake::with(|h| h.kv_list(msg))
    }
    pub fn http_fetch(msg: &[u8]) -> u64 {
        fake::with(|h| h.handle("http_fetch", msg))
    }
    pub fn record_get(msg: &[u8]) -> u64 {
        fake::with(|h| h.handle("record_get", msg))
    }
    pub fn record_list(msg: &[u8]) -> u64 {
        fake::with(|h| h.handle("record_list", msg))
    }
    pub fn blob_read(msg: &[u8]) -> u64 {
        fake::with(|h| h.handle("blob_read", msg))
    }
    pub fn repo_export(msg: &[u8]) -> u64 {
        fake::with(|h| h.handle("repo_export", msg))
    }
    pub fn firehose_cursor_get() -> u64 {
        fake::with(|h| h.cursor_get())
    }
    pub fn firehose_cursor_set(seq: i64) -> u64 {
        fake::with(|h| h.cursor_set(seq))
    }
}

pub(crate) use imp::*;
