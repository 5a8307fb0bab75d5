// @hearth/plugin-api
// The raw imports of the Hearth plugin contract (module "pds", see
// docs/plugins.md) and the runtime hooks AssemblyScript would otherwise
// import from "env": the host refuses any import module but "pds" and
// "wasi_snapshot_preview1", so abort, trace and seed are routed here by the
// package's transform (or by `--use abort=…` on the command line).
// Plugins use the typed wrappers of host.ts instead of these.

// @ts-ignore: decorator
@external("pds", "log")
export declare function pds_log(level: u32, ptr: usize, len: u32): void;

// @ts-ignore: decorator
@external("pds", "result")
export declare function pds_result(ptr: usize): void;

// @ts-ignore: decorator
@external("pds", "config_get")
export declare function pds_config_get(keyPtr: usize, keyLen: u32): u64;

// @ts-ignore: decorator
@external("pds", "kv_get")
export declare function pds_kv_get(keyPtr: usize, keyLen: u32): u64;

// @ts-ignore: decorator
@external("pds", "kv_put")
export declare function pds_kv_put(keyPtr: usize, keyLen: u32, valPtr: usize, valLen: u32): u64;

// @ts-ignore: decorator
@external("pds", "kv_delete")
export declare function pds_kv_delete(keyPtr: usize, keyLen: u32): u64;

// @ts-ignore: decorator
@external("pds", "kv_list")
export declare function pds_kv_list(msgPtr: usize, msgLen: u32): u64;

// @ts-ignore: decorator
@external("pds", "http_fetch")
export declare function pds_http_fetch(msgPtr: usize, msgLen: u32): u64;

// @ts-ignore: decorator
@external("pds", "record_get")
export declare function pds_record_get(msgPtr: usize, msgLen: u32): u64;

// @ts-ignore: decorator
@external("pds", "record_list")
export declare function pds_record_list(msgPtr: usize, msgLen: u32): u64;

// @ts-ignore: decorator
@external("pds", "blob_read")
export declare function pds_blob_read(msgPtr: usize, msgLen: u32): u64;

// @ts-ignore: decorator
@external("pds", "repo_export")
export declare function pds_repo_export(msgPtr: usize, msgLen: u32): u64;

// @ts-ignore: decorator
@external("pds", "firehose_cursor_get")
export declare function pds_firehose_cursor_get(): u64;

// @ts-ignore: decorator
@external("pds", "firehose_cursor_set")
export declare function pds_firehose_cursor_set(seq: i64): u64;

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "random_get")
declare function wasi_random_get(ptr: usize, len: usize): u16;

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "clock_time_get")
declare function wasi_clock_time_get(id: u32, precision: u64, out: usize): u16;

/** Log levels of `log`. */
export enum Level {
  Debug = 0,
  Info = 1,
  Warn = 2,
  Error = 3,
}

/** Writes a line to the host's log, attributed to the plugin. */
export function log(level: Level, message: string): void {
  const buf = String.UTF8.encode(message);
  pds_log(<u32>level, changetype<usize>(buf), <u32>buf.byteLength);
}

/**
 * Replaces AssemblyScript's `abort` (a failed assert, a bounds check, an
 * explicit throw): logs the message through pds.log at error level, then
 * traps. The host discards the instance and, for a before-hook, applies
 * the plugin's `on_error`.
 */
export function hearthAbort(message: string | null = null, fileName: string | null = null, line: u32 = 0, column: u32 = 0): void {
  let text = "abort: " + (message ? message : "(no message)");
  if (fileName) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  log(Level.Error, text);
  unreachable();
}

/** Replaces AssemblyScript's `trace`: a debug line in the host's log. */
export function hearthTrace(message: string, n: i32 = 0, a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0, a4: f64 = 0): void {
  let text = "trace: " + message;
  const args: f64[] = [a0, a1, a2, a3, a4];
  for (let i = 0; i < n && i < 5; i++) text += " " + args[i].toString();
  log(Level.Debug, text);
}

/** Replaces AssemblyScript's `seed` (Math.random): WASI random_get, which the host backs with crypto/rand. */
export function hearthSeed(): f64 {
  const out = memory.data(8);
  wasi_random_get(out, 8);
  return reinterpret<f64>((load<u64>(out) >> 12) | 0x3ff0000000000000) - 1.0;
}

/** Milliseconds since the Unix epoch from the host's real clock (Date.now imports from "env" and is refused). */
export function nowMillis(): i64 {
  const out = memory.data(8);
  if (wasi_clock_time_get(0, 1000, out) != 0) return 0;
  return <i64>(load<u64>(out) / 1000000);
}
