// @hearth/plugin-api
// The memory exchange of the contract. Before each hook call the host asks
// for a buffer (pds_alloc), writes the input there and calls the hook with
// (ptr, len); the hook returns its answer as ptr << 32 | len, which must
// stay valid until the next call. The package's transform generates the
// hook exports around these helpers; plugins do not call them.

import { BlobEvent, CommitEvent, Decision, GrantEvent, RecordEvent, XrpcEvent, XrpcRequest, XrpcResponse } from "./events";

// The last input and answer, kept reachable from globals so the garbage
// collector leaves them alone while the host reads them.
let input: ArrayBuffer = new ArrayBuffer(0);
let output: Uint8Array = new Uint8Array(0);

/**
 * Gives the host a buffer of size bytes for the next hook's input. It is
 * the first thing of every call, when no guest frame is on the stack: with
 * the minimal runtime (this package's default) it collects the garbage of
 * the previous call here, so the heap stays as small as the plugin's own
 * state.
 */
export function pds_alloc(size: u32): usize {
  if (ASC_RUNTIME == 1) __collect(); // Runtime.Minimal: nothing collects otherwise
  input = new ArrayBuffer(<i32>size);
  return changetype<usize>(input);
}

/** The input the host wrote at ptr, as a view (copied if it is not the buffer pds_alloc gave). */
export function inputAt(ptr: usize, len: u32): Uint8Array {
  const buf = input;
  if (ptr == changetype<usize>(buf) && <i32>len <= buf.byteLength) return Uint8Array.wrap(buf, 0, <i32>len);
  const copy = new Uint8Array(<i32>len);
  memory.copy(copy.dataStart, ptr, <usize>len);
  return copy;
}

/** Packs b as a hook's answer, keeping it alive until the next call. */
export function answer(b: Uint8Array): u64 {
  if (b.length == 0) return 0;
  output = b;
  return (<u64>b.dataStart << 32) | <u64>(<u32>b.length);
}

/** A record hook's input. */
export function recordEvent(action: string, ptr: usize, len: u32): RecordEvent {
  return RecordEvent.decode(action, inputAt(ptr, len));
}

/** A blob hook's input. */
export function blobEvent(ptr: usize, len: u32): BlobEvent {
  return BlobEvent.decode(inputAt(ptr, len));
}

/** An xrpc middleware hook's input. */
export function xrpcEvent(ptr: usize, len: u32): XrpcEvent {
  return XrpcEvent.decode(inputAt(ptr, len));
}

/** An xrpc.handle input. */
export function xrpcRequest(ptr: usize, len: u32): XrpcRequest {
  return XrpcRequest.decode(inputAt(ptr, len));
}

/** A firehose.on_commit input. */
export function commitEvent(ptr: usize, len: u32): CommitEvent {
  return CommitEvent.decode(inputAt(ptr, len));
}

/** A privacy hook's input. */
export function grantEvent(ptr: usize, len: u32): GrantEvent {
  return GrantEvent.decode(inputAt(ptr, len));
}

/** A before-hook's answer. */
export function decided(d: Decision): u64 {
  return answer(d.encode());
}

/** xrpc.handle's answer. */
export function responded(r: XrpcResponse): u64 {
  return answer(r.encode());
}
