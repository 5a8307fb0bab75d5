// Package storetest is the conformance suite every [store.Store] backend
// runs, plus fixtures other packages' tests may use to build commits,
// records and events without a real repository engine.
//
// A backend's test file calls [Run] with a function that opens a fresh,
// empty, migrated store; the suite opens one store per subtest and checks
// the behaviour the store package documents: uniqueness conflicts, invite
// consumption, token rotation, the compare-and-swap of repo roots, savepoint
// isolation of commits inside one batch, block garbage collection with
// shared blocks, blob references, and firehose sequence numbers that are
// unique, gap-free and assigned in commit order, also under concurrency.
//
// Where the interface comments leave a detail open, the suite pins it down,
// so both backends behave the same:
//   - updates and deletes of a missing account, token or app password
//     (UpdateHandle, UpdateEmail, ConfirmEmail, UpdatePassword,
//     SetAccountStatus, DeleteAccount, DeleteRefreshToken,
//     RevokeAppPassword) return store.ErrNotFound and append no events;
//   - "" as an email means none, and any number of accounts may have none;
//   - a CreateAccount that fails (a taken DID, handle or email, an unusable
//     invite, an existing repo, a failing Encode) leaves nothing behind: no
//     account, invite use, repo, block or event;
//   - ListBlobs with sinceRev keeps a blob only if every record that
//     currently references it was written after sinceRev (its earliest
//     current reference is newer);
//   - blob metadata, references and garbage collection are per account:
//     a blob that another account's record references is unreferenced
//     for this account;
//   - LatestSeq is the last seq handed out, even after retention emptied
//     the log, and seqs are never reused;
//   - DeleteAccount keeps the account's events (the network's history);
//     it removes the account's account tokens, preferences and the signing
//     keys reserved for its DID, and a new account under the same DID
//     starts without them.
//
// For the v2 interfaces (account lifecycle, moderation, imports):
//   - PutAccountToken and PutPreferences for an unknown account return
//     store.ErrNotFound; a token hash already held by another account's
//     token of the same purpose is store.ErrConflict;
//   - a preference type is in a namespace when it equals it or starts with
//     it and a dot, compared bytewise (no case folding, no wildcards); ""
//     holds every type; a namespace reads back in the order it was put;
//   - UseNonce treats a nonce whose expiry is not after the current time as
//     unused (it may be used again); DeleteExpiredNonces removes those that
//     expired strictly before its argument;
//   - GetReservedKeyForDID picks the newest CreatedAt, and "" finds nothing;
//     reserved keys need no account;
//   - CreateAccount stores InvitesDisabled, TakedownRef and DeactivatedAt as
//     given; SetAccountStatus sets DeactivatedAt when deactivating (keeping
//     it when already deactivated) and clears it for any other status, and
//     an account takedown or its lift clears it too;
//   - a record or blob takedown leaves the account's status alone; a blob
//     subject is the account's uploaded blob metadata (a blob referenced
//     but never uploaded is ErrNotFound);
//   - SearchAccounts matches prefixes literally and case-insensitively;
//     ListAllInviteCodes orders "recent" by created_at descending then
//     code, "usage" by uses descending, then created_at descending, then
//     code, and returns an empty cursor after a page shorter than limit;
//   - ImportRepo needs no account, leaves blob metadata alone, gives every
//     record and block the import's rev (even a block the old repo held),
//     and with ReplaceEmpty replaces a repo only while it has no records;
//   - ForEachBlockSince reports a block by the rev of the commit that first
//     inserted it: a block a later commit writes again keeps its rev, and
//     one released and written again later gets the later rev.
//
// The suite asserts outcomes, never timing: times it passes in are fixed
// values used as inputs (expiry, retention), and it does not compare times
// it reads back. It is not a benchmark and not a test of any one backend's
// configuration; those live beside each driver.
//
// The fixtures ([NewCommit], [PutRecord], [NewEvent], ...) produce
// valid-looking but meaningless data: CIDs are real CIDv1 dag-cbor sha2-256
// hashes of random bytes, revs are TID-shaped and increasing, and blocks are
// not DAG-CBOR. They are for exercising storage, not for building
// repositories a relay would accept.
package storetest
