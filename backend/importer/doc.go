// Package importer brings an existing atproto account into this Hearth
// ("Bring my account here" in the desktop's first run) while its current
// PDS stays authoritative.
//
// An import copies the account's repository and blobs from one of two
// sources: the current PDS, logged in to with the account's password or an
// app password (com.atproto.sync.getRepo, then com.atproto.sync.getBlob for
// every blob the records reference), or a CAR file, whose blobs then come
// from the PDS the DID document names (public com.atproto.sync.getBlob).
//
// The steps are: create the local account for the DID (deactivated, with
// an empty repo), import the repo (verified against the key the DID
// document names), copy every blob the imported records reference (each
// verified against its CID), and record the import as complete. The DID
// document is not touched: the switch to Hearth happens later, when the
// owner goes public.
//
// # Why the account stays deactivated
//
// An imported account keeps the deactivated status the migration gave it,
// and nothing about it is appended to the firehose: neither the import
// (account.Lifecycle.ImportRepoQuietly lands it without a #sync event) nor
// a cancelled import's removal (account.Lifecycle.DiscardUnannounced). While
// the DID document points at the old PDS, that PDS is where the account
// lives for the network; announcing it here, even as a #sync, would tell
// relays about a second, competing host. Deactivated still lets the owner
// browse everything locally: the desktop reads records, collections,
// commits and blobs through the store and the blob service, which do not
// look at the status. Public reads (sync.getRepo, getRecord) and writes
// answer RepoDeactivated, which is right too: a local write would fork the
// repo from the one the old PDS keeps taking writes for. Going public
// (Lifecycle.Activate, after the DID document names this server) emits
// #account, #identity and #sync at once.
//
// # What is kept where
//
// The import's state (which step it reached: repo, blobs, paused, done)
// is kept with the account, in a private preference of the namespace
// dev.hearthpds.importer that app.bsky getPreferences never returns and
// account deletion removes with everything else. The blobs still missing
// are not kept: they are what store.ListMissingBlobs reports, so Resume
// fetches exactly those.
//
// # Cancelling and failing
//
// Cancelling an import (Job.Cancel, or Importer.Close) before it completes
// deletes the account it created, with its repo, records and blobs. An
// error before the blobs (the repo does not verify, the source breaks off)
// does the same. A blob that cannot be copied after a few tries does not
// abort: the job ends paused with the missing CIDs, and Resume fetches
// them later. Cancelling a Resume leaves the account as it was (paused).
//
// Passwords and session tokens are never logged nor kept: the source's
// session lives only as long as its job, and is ended afterwards.
package importer
