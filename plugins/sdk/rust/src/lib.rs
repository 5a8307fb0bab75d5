//! # pds-plugin-api: Hearth plugins in Rust
//!
//! A Hearth plugin is a core WebAssembly module (WASI preview 1) that the
//! server loads with wazero. This crate is its Rust side of the contract
//! (`docs/plugins.md`, `plugins/wit/hearth-plugin.wit`), with no
//! dependencies:
//!
//! * [`Plugin`], a trait with one method per hook, each defaulting to
//!   "allow" or "do nothing", and [`register_plugin!`], which exports
//!   `pds_alloc` and every hook under its contract name;
//! * [`host`], typed wrappers of the host imports (module `pds`), each
//!   returning `Result<_, HostError>`;
//! * the event types ([`RecordEvent`], [`BlobEvent`], [`XrpcEvent`],
//!   [`XrpcRequest`]/[`XrpcResponse`], [`CommitEvent`], [`GrantEvent`]) and
//!   [`Decision`];
//! * [`wire`], the message format; [`cbor`], a DAG-CBOR reader that finds
//!   one field without decoding the record, a decoder and an encoder;
//!   [`json`], enough JSON for configuration values;
//! * [`fake`] (outside WebAssembly), an in-memory host for unit tests.
//!
//! ```
//! use pds_plugin_api::{register_plugin, Decision, Plugin, RecordEvent};
//!
//! #[derive(Default)]
//! struct NoSpam;
//!
//! impl Plugin for NoSpam {
//!     fn before_create(&mut self, ev: &RecordEvent) -> Decision {
//!         if ev.text("text").contains("spam") {
//!             return Decision::reject("ContentRejected", "no spam, please");
//!         }
//!         Decision::Allow
//!     }
//! }
//!
//! register_plugin!(NoSpam);
//! ```

#![warn(missing_docs)]

pub mod cbor;
pub mod events;
#[cfg(not(target_arch = "wasm32"))]
pub mod fake;
pub mod host;
pub mod json;
mod sys;
pub mod wire;

pub use cbor::{Record, Value};
pub use events::{
    Action, BlobEvent, CommitEvent, CommitOp, Decision, GrantEvent, RecordEvent, XrpcEvent, XrpcRequest, XrpcResponse,
};
pub use host::HostError;

/// A plugin: implement the hooks you declare in `plugin.toml`; the host
/// calls no others. Every method has a default: before-hooks allow, other
/// hooks do nothing, `xrpc_handle` answers 501. The record hooks default
/// to [`Plugin::before_record`] and [`Plugin::after_record`], so one method
/// can cover create, update and delete (see `ev.action`).
///
/// [`register_plugin!`] builds the plugin with `Default::default()` on the
/// first hook call of a fresh instance: read configuration there or lazily.
/// The host starts a fresh instance after a configuration change, a reload
/// or a failure (trap, timeout, out of memory).
pub trait Plugin {
    /// Every record before-hook unless overridden (default: allow).
    fn before_record(&mut self, ev: &RecordEvent<'_>) -> Decision {
        let _ = ev;
        Decision::Allow
    }
    /// `record.before_create`.
    fn before_create(&mut self, ev: &RecordEvent<'_>) -> Decision {
        self.before_record(ev)
    }
    /// `record.before_update`.
    fn before_update(&mut self, ev: &RecordEvent<'_>) -> Decision {
        self.before_record(ev)
    }
    /// `record.before_delete`.
    fn before_delete(&mut self, ev: &RecordEvent<'_>) -> Decision {
        self.before_record(ev)
    }
    /// Every record after-hook unless overridden (default: nothing).
    fn after_record(&mut self, ev: &RecordEvent<'_>) {
        let _ = ev;
    }
    /// `record.after_create` (off the request path).
    fn after_create(&mut self, ev: &RecordEvent<'_>) {
        self.after_record(ev)
    }
    /// `record.after_update`.
    fn after_update(&mut self, ev: &RecordEvent<'_>) {
        self.after_record(ev)
    }
    /// `record.after_delete`.
    fn after_delete(&mut self, ev: &RecordEvent<'_>) {
        self.after_record(ev)
    }
    /// `blob.before_upload`: the upload is received and hashed, not stored.
    fn before_blob_upload(&mut self, ev: &BlobEvent<'_>) -> Decision {
        let _ = ev;
        Decision::Allow
    }
    /// `blob.validate`.
    fn validate_blob(&mut self, ev: &BlobEvent<'_>) -> Decision {
        let _ = ev;
        Decision::Allow
    }
    /// `blob.after_upload`.
    fn after_blob_upload(&mut self, ev: &BlobEvent<'_>) {
        let _ = ev;
    }
    /// `xrpc.before`: after authentication, before the method runs.
    fn xrpc_before(&mut self, ev: &XrpcEvent<'_>) -> Decision {
        let _ = ev;
        Decision::Allow
    }
    /// `xrpc.after`, with the answer's status.
    fn xrpc_after(&mut self, ev: &XrpcEvent<'_>) {
        let _ = ev;
    }
    /// `xrpc.handle`: a call to an NSID the plugin registered (capability
    /// `xrpc:register`).
    fn xrpc_handle(&mut self, req: &XrpcRequest<'_>) -> XrpcResponse {
        let _ = req;
        XrpcResponse::json(501, &br#"{"error":"MethodNotImplemented"}"#[..])
    }
    /// `firehose.on_commit` (capability `firehose:subscribe`).
    fn on_commit(&mut self, ev: &CommitEvent<'_>) {
        let _ = ev;
    }
    /// `privacy.on_access_grant_request`: may refuse a grant.
    fn on_access_grant_request(&mut self, ev: &GrantEvent<'_>) -> Decision {
        let _ = ev;
        Decision::Allow
    }
    /// `privacy.on_key_rotation`.
    fn on_key_rotation(&mut self, ev: &GrantEvent<'_>) {
        let _ = ev;
    }
}

/// The glue [`register_plugin!`] expands to; not a stable API.
#[doc(hidden)]
pub mod __private;

/// Exports a [`Plugin`] type (which must implement `Default`) as the
/// module's plugin: `pds_alloc` and every hook of the contract, under their
/// exact export names. Use it once, at the top level of a `cdylib` crate.
/// It expands to nothing outside WebAssembly, so the crate still builds and
/// tests natively.
#[macro_export]
macro_rules! register_plugin {
    ($plugin:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            use $crate::__private as p;
            use $crate::Action;

            static mut PLUGIN: ::core::option::Option<$plugin> = ::core::option::Option::None;

            fn plugin() -> &'static mut $plugin {
                // Safety: a wasm instance is single-threaded and the host
                // never calls a hook while another runs.
                unsafe { PLUGIN.get_or_insert_with(<$plugin as ::core::default::Default>::default) }
            }

            #[export_name = "pds_alloc"]
            extern "C" fn pds_alloc(size: u32) -> u32 {
                p::alloc(size)
            }
            #[export_name = "record.before_create"]
            extern "C" fn record_before_create(ptr: u32, len: u32) -> u64 {
                p::call(ptr, len, |i, o| p::before_record(plugin(), Action::Create, i, o))
            }
            #[export_name = "record.before_update"]
            extern "C" fn record_before_update(ptr: u32, len: u32) -> u64 {
                p::call(ptr, len, |i, o| p::before_record(plugin(), Action::Update, i, o))
            }
            #[export_name = "record.before_delete"]
            extern "C" fn record_before_delete(ptr: u32, len: u32) -> u64 {
                p::call(ptr, len, |i, o| p::before_record(plugin(), Action::Delete, i, o))
            }
            #[export_name = "record.after_create"]
            extern "C" fn record_after_create(ptr: u32, len: u32) -> u64 {
                p::call(ptr, len, |i, o| p::after_record(plugin(), Action::Create, i, o))
            }
            #[export_name = "record.after_update"]
            extern "C" fn record_after_update(ptr: u32, len: u32) -> u64 {
                p::call(ptr, len, |i, o| p::after_record(plugin(), Action::Update, i, o))
            }
            #[export_name = "record.after_delete"]
            extern "C" fn record_after_delete(ptr: u32, len: u32) -> u64 {
                p::call(ptr, len, |i, o| p::after_record(plugin(), Action::Delete, i, o))
            }
            #[export_name = "blob.before_upload"]
            extern "C" fn blob_before_upload(ptr: u32, len: u32) -> u64 {
                p::call(ptr, len, |i, o| p::before_blob_upload(plugin(), i, o))
            }
            #[export_name = "blob.validate"]
            extern "C" fn blob_validate(ptr: u32, len: u32) -> u64 {
                p::call(ptr, len, |i, o| p::validate_blob(plugin(), i, o))
            }
            #[export_name = "blob.after_upload"]
            extern "C" fn blob_after_upload(ptr: u32, len: u32) -> u64 {
                p::call(ptr, len, |i, o| p::after_blob_upload(plugin(), i, o))
            }
            #[export_name = "xrpc.before"]
            extern "C" fn xrpc_before(ptr: u32, len: u32) -> u64 {
                p::call(ptr, len, |i, o| p::xrpc_before(plugin(), i, o))
            }
            #[export_name = "xrpc.after"]
            extern "C" fn xrpc_after(ptr: u32, len: u32) -> u64 {
                p::call(ptr, len, |i, o| p::xrpc_after(plugin(), i, o))
            }
            #[export_name = "xrpc.handle"]
            extern "C" fn xrpc_handle(ptr: u32, len: u32) -> u64 {
                p::call(ptr, len, |i, o| p::xrpc_handle(plugin(), i, o))
            }
            #[export_name = "firehose.on_commit"]
            extern "C" fn firehose_on_commit(ptr: u32, len: u32) -> u64 {
                p::call(ptr, len, |i, o| p::on_commit(plugin(), i, o))
            }
            #[export_name = "privacy.on_access_grant_request"]
            extern "C" fn privacy_on_access_grant_request(ptr: u32, len: u32) -> u64 {
                p::call(ptr, len, |i, o| p::on_access_grant_request(plugin(), i, o))
            }
            #[export_name = "privacy.on_key_rotation"]
            extern "C" fn privacy_on_key_rotation(ptr: u32, len: u32) -> u64 {
                p::call(ptr, len, |i, o| p::on_key_rotation(plugin(), i, o))
            }
        };
    };
}
