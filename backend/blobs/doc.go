// Package blobs stores the bytes of uploaded blobs (images, video, any
// file a record points at) and decides when they may be thrown away.
//
// A blob is named by its CID: CIDv1, multicodec raw (0x55), SHA2-256, as the
// reference PDS computes it. Two accounts uploading the same file share one
// copy of the bytes; each account has its own metadata row in the database
// (store.Blobs: MIME type, size, upload time), and a committed record that
// references the blob makes it permanent for that account.
//
// The package has three parts:
//
//   - [BlobStore], the bytes behind an interface: put, open, delete and list
//     by CID, plus a small owner index recording which accounts uploaded
//     each CID. [Disk] implements it under <data dir>/blobs/ (temporary file,
//     fsync, atomic rename); an S3-compatible store can implement the same
//     interface later. Either database backend works with either blob store.
//   - [Service.Upload], which streams a request body through SHA-256 into a
//     temporary file, never holding it whole in memory, refuses it past a
//     size limit, sniffs its MIME type from the first 512 bytes, and records
//     the metadata.
//   - The garbage collector ([Service.Run], [Service.Collect],
//     [Service.Sweep]): a blob no record references is deleted once it is
//     older than the grace period. Deleting one account's blob removes its
//     metadata and its owner entry; the bytes go only when no other
//     account's metadata still names the CID.
//
// The owner index exists because the bytes are shared: the database can
// tell whether one account names a CID (store.Blobs.GetBlob), but not which
// accounts do, so the blob store remembers who uploaded each CID and the
// database confirms it. Entries are added before the metadata row and
// removed after it, so the index is always a superset of the truth; a stale
// entry costs one lookup and is dropped.
//
// Serialisation is in-process: a striped lock per CID orders an upload's
// "store bytes, add owner, write metadata" against the collector's "delete
// metadata, check owners, delete bytes". Several Hearth processes must
// therefore not share one disk blob store; instances sharing a PostgreSQL
// database need a shared blob store (the S3-compatible one, later).
//
// The package does not speak HTTP and does not check who may upload or
// read: the XRPC layer (backend/xrpc/handle_blobs.go) authorises first and
// checks account status. It does not verify that a record's blob
// references exist or satisfy the lexicon's constraints; that belongs to the
// write path.
package blobs
