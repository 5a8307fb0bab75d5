package postgres

import (
	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

// The statements of one landing commit. Each takes arrays, so a commit costs
// a handful of statements whatever its number of blocks and records; pgx
// prepares each once per connection.
const (
	// insertBlocksSQL stamps new blocks with the commit's rev; a block
	// already present keeps the rev of the commit that first wrote it.
	insertBlocksSQL = `INSERT INTO blocks (did, cid, data, rev)
		SELECT $1, c, d, $4 FROM unnest($2::bytea[], $3::bytea[]) AS t (c, d)
		ON CONFLICT DO NOTHING`
	clearRecordBlobsSQL = `DELETE FROM record_blobs WHERE did = $1
		AND (collection, rkey) IN (SELECT * FROM unnest($2::text[], $3::text[]))`
	deleteRecordsSQL = `DELETE FROM records WHERE did = $1
		AND (collection, rkey) IN (SELECT * FROM unnest($2::text[], $3::text[]))`
	upsertRecordsSQL = `INSERT INTO records (did, collection, rkey, cid, rev)
		SELECT $1, c, k, v, $5 FROM unnest($2::text[], $3::text[], $4::bytea[]) AS t (c, k, v)
		ON CONFLICT (did, collection, rkey) DO UPDATE SET cid = excluded.cid, rev = excluded.rev`
	// lockBlobsSQL takes a key-share lock on the uploaded blobs the records
	// reference, so a concurrent DeleteBlob (which locks the row before it
	// checks for references) cannot delete one this commit starts to use.
	lockBlobsSQL = `SELECT cid FROM blobs WHERE did = $1 AND cid = ANY($2::bytea[])
		ORDER BY cid FOR KEY SHARE`
	insertRecordBlobsSQL = `INSERT INTO record_blobs (did, collection, rkey, blob_cid, rev)
		SELECT $1, c, k, b, $5 FROM unnest($2::text[], $3::text[], $4::bytea[]) AS t (c, k, b)
		ON CONFLICT DO NOTHING`
	// releaseBlocksSQL runs after the commit's record changes: a released
	// block that a record of the repo still points at (identical records
	// share a block) stays.
	releaseBlocksSQL = `DELETE FROM blocks b WHERE b.did = $1 AND b.cid = ANY($2::bytea[])
		AND NOT EXISTS (SELECT 1 FROM records r WHERE r.did = $1 AND r.cid = b.cid)`
	// releaseBlockSQL releases one block. With a CID given as a value (not
	// an array, not a join column) both indexes are searched by DID and CID
	// whatever the planner believes about the DID: for a repo created since
	// the table was last analysed it believes the DID has one row, and then
	// chose, for releaseBlocksSQL, to read every block and record of the
	// repo for each released CID (a commit to a 5,000-record repo took
	// 3 ms, and writers to one new repo fell from ~1,400 to ~200/s).
	releaseBlockSQL = `DELETE FROM blocks WHERE did = $1 AND cid = $2
		AND NOT EXISTS (SELECT 1 FROM records WHERE did = $1 AND cid = $2)`
)

// maxSingleReleases is how many released blocks a commit deletes with one
// releaseBlockSQL each; a commit that releases more (a large applyWrites)
// uses releaseBlocksSQL once.
const maxSingleReleases = 32

// queueCommit queues the writes of a commit that lands: its blocks, its
// record changes, then the deletion of its released blocks.
func queueCommit(tx *writeTx, c *store.Commit) {
	queueBlocks(tx, c.DID, c.Root.Rev, c.Blocks)
	if len(c.Records) > 0 {
		newRecordWrites(c.Records).queue(tx, c.DID, c.Root.Rev)
	}
	switch n := len(c.Released); {
	case n > maxSingleReleases:
		tx.queue(releaseBlocksSQL, c.DID, cidList(c.Released))
	case n > 0:
		for _, r := range c.Released {
			tx.queue(releaseBlockSQL, c.DID, r.Bytes())
		}
	}
}

// blockChunk bounds the blocks one statement inserts, so that a whole-repo
// import does not become one huge message.
const blockChunk = 2000

// queueBlocks queues the insertion of blocks, stamped with rev.
func queueBlocks(tx *writeTx, did, rev string, blocks []store.Block) {
	for len(blocks) > 0 {
		n := min(len(blocks), blockChunk)
		cids := make([][]byte, n)
		data := make([][]byte, n)
		for i, b := range blocks[:n] {
			cids[i], data[i] = b.CID.Bytes(), b.Data
		}
		tx.queue(insertBlocksSQL, did, cids, data, rev)
		blocks = blocks[n:]
	}
}

// recordWrites are a commit's record changes as column arrays. Changes are
// applied in order, so only the last change of each record counts.
type recordWrites struct {
	keys  columns // every changed record: its blob references are replaced
	dels  columns // deleted records
	puts  columns // created or updated records, with their CIDs
	blobs columns // blob references of the puts
}

// columns is a list of (collection, rkey[, cid]) rows as parallel arrays.
type columns struct {
	coll, rkey []string
	cid        [][]byte
}

// add appends a row; a nil value adds no cid.
func (c *columns) add(coll, rkey string, value []byte) {
	c.coll, c.rkey = append(c.coll, coll), append(c.rkey, rkey)
	if value != nil {
		c.cid = append(c.cid, value)
	}
}

func newRecordWrites(changes []store.RecordChange) *recordWrites {
	type key struct{ coll, rkey string }
	last := make(map[key]int, len(changes))
	for i, rc := range changes {
		last[key{rc.Collection, rc.RKey}] = i
	}
	w := &recordWrites{}
	for i, rc := range changes {
		if last[key{rc.Collection, rc.RKey}] != i {
			continue
		}
		w.keys.add(rc.Collection, rc.RKey, nil)
		if rc.CID == nil {
			w.dels.add(rc.Collection, rc.RKey, nil)
			continue
		}
		w.puts.add(rc.Collection, rc.RKey, rc.CID.Bytes())
		for _, b := range uniqueCIDs(rc.Blobs) {
			w.blobs.add(rc.Collection, rc.RKey, b.Bytes())
		}
	}
	return w
}

// queue queues the statements that apply the changes.
func (w *recordWrites) queue(tx *writeTx, did, rev string) {
	tx.queue(clearRecordBlobsSQL, did, w.keys.coll, w.keys.rkey)
	if len(w.dels.coll) > 0 {
		tx.queue(deleteRecordsSQL, did, w.dels.coll, w.dels.rkey)
	}
	w.queuePuts(tx, did, rev)
}

// queuePuts queues the upserts and their blob references alone, for an
// index known to hold none of the records (an import).
func (w *recordWrites) queuePuts(tx *writeTx, did, rev string) {
	if len(w.puts.coll) > 0 {
		tx.queue(upsertRecordsSQL, did, w.puts.coll, w.puts.rkey, w.puts.cid, rev)
	}
	if len(w.blobs.coll) > 0 {
		tx.queue(lockBlobsSQL, did, w.blobs.cid)
		tx.queue(insertRecordBlobsSQL, did, w.blobs.coll, w.blobs.rkey, w.blobs.cid, rev)
	}
}

// uniqueCIDs drops repeated CIDs, keeping the first of each.
func uniqueCIDs(cids []cid.Cid) []cid.Cid {
	if len(cids) < 2 {
		return cids
	}
	seen := make(map[cid.Cid]bool, len(cids))
	out := make([]cid.Cid, 0, len(cids))
	for _, c := range cids {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}
