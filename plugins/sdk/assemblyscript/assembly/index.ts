// @hearth/plugin-api: AssemblyScript bindings of the Hearth plugin contract
// (docs/plugins.md, plugins/wit/hearth-plugin.wit). A plugin's entry file
// imports what it needs from here and exports its hooks under their
// contract names with `_` for `.` (record_before_create, xrpc_handle…);
// the package's transform (transform.mjs) turns them into the exports the
// host calls. See README.md.

export { Level, log, nowMillis } from "./env";
export { Tag, Verdict, Fields, Message, Writer, readUvarint } from "./wire";
export { Major, Record, CborWriter, cborText, cborInt, cborBool, utf8Equals } from "./cbor";
export { parseStringArray, parseString } from "./json";
export { indexOf, contains, containsAny, toLower, decodeUTF8 } from "./text";
export {
  RecordEvent, BlobEvent, XrpcEvent, XrpcRequest, XrpcResponse, CommitOp, CommitEvent, GrantEvent,
  Decision, allow, reject, replace,
} from "./events";
export {
  ErrorKind, HostError, Result, configGet, kvGet, kvGetString, kvPut, kvPutString, kvDelete, kvList,
  HttpRequest, HttpResponse, httpFetch, RecordEntry, recordGet, recordList, blobRead, repoExport,
  firehoseCursorGet, firehoseCursorSet,
} from "./host";
