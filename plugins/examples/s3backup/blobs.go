package main

import (
	"fmt"
	"strconv"
	"strings"

	pds "github.com/hearthpds/hearth/plugins/sdk/go"
)

// A blob whose copy failed is kept in kv under retryPrefix<did>/<cid>
// ("<attempts> <mime>") and retried, one per hook call, up to maxAttempts.
const (
	retryPrefix = "retry/blob/"
	maxAttempts = 5
)

func blobKey(c config, did, cid string) string { return c.Prefix + "blobs/" + did + "/" + cid }

// mirrorBlob copies one blob and reports whether it went up; attempts is
// how many tries failed before.
func mirrorBlob(c config, cl *client, did, cid, mime string, attempts int) bool {
	src := func(off, n int) ([]byte, error) { return pds.ReadBlob(did, cid, off, n) }
	size, err := cl.upload(blobKey(c, did, cid), mime, src, c.PartSize)
	kvKey := retryPrefix + did + "/" + cid
	if err == nil {
		pds.Log(pds.LevelDebug, fmt.Sprintf("s3backup: blob %s/%s copied (%d bytes)", did, cid, size))
		if attempts > 0 {
			_ = pds.KVDelete(kvKey)
		}
		return true
	}
	attempts++
	if attempts >= maxAttempts {
		_ = pds.KVDelete(kvKey)
		failed(fmt.Sprintf("blob %s/%s dropped after %d attempts", did, cid, attempts), err)
		return false
	}
	if perr := pds.KVPut(kvKey, []byte(strconv.Itoa(attempts)+" "+mime)); perr != nil {
		pds.Log(pds.LevelError, "s3backup: keeping "+kvKey+" for a retry: "+perr.Error())
	}
	failed(fmt.Sprintf("blob %s/%s (attempt %d; will retry)", did, cid, attempts), err)
	return false
}

// retryOneBlob retries the oldest-listed failed blob, if any.
func retryOneBlob(c config, cl *client) {
	keys, err := pds.KVList(retryPrefix, "", 1)
	if err != nil || len(keys) == 0 {
		return
	}
	raw, err := pds.KVGet(keys[0])
	if err != nil {
		return
	}
	n, mime, _ := strings.Cut(string(raw), " ")
	attempts, _ := strconv.Atoi(n)
	did, cid, ok := strings.Cut(strings.TrimPrefix(keys[0], retryPrefix), "/")
	if !ok {
		_ = pds.KVDelete(keys[0])
		return
	}
	mirrorBlob(c, cl, did, cid, mime, attempts)
}
