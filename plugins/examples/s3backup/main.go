// Command s3backup is an example Hearth plugin: it mirrors the PDS to an
// S3-compatible bucket — every uploaded blob as it arrives, and periodic
// CAR snapshots of each repo — signing its requests with AWS Signature
// Version 4 and sending large objects with multipart uploads, so its
// memory stays bounded whatever the size of a blob or a repo.
package main

import (
	"errors"
	"fmt"
	"strconv"

	pds "github.com/hearthpds/hearth/plugins/sdk/go"
)

func main() {}

func init() {
	pds.Register(pds.Plugin{AfterBlobUpload: onBlob, OnCommit: onCommit})
}

// Part sizes: S3's smallest (all but the last part of a multipart upload),
// and the largest that fits the manifest's memory_mib (about three parts
// are held at once while one is sent).
const (
	minPartMiB = 5
	maxPartMiB = 16
)

// config is the operator's configuration, read on every call.
type config struct {
	Endpoint, Bucket, Region, AccessKeyID, SecretAccessKey, Prefix string
	IntervalMinutes, EveryCommits, PartSize                        int
}

func loadConfig() (config, error) {
	c := config{Region: "us-east-1"}
	for key, dst := range map[string]*string{"endpoint": &c.Endpoint, "bucket": &c.Bucket, "region": &c.Region,
		"access_key_id": &c.AccessKeyID, "secret_access_key": &c.SecretAccessKey, "prefix": &c.Prefix} {
		if v, err := pds.Config(key); err == nil && v != "" {
			*dst = v
		}
	}
	if c.Endpoint == "" || c.Bucket == "" || c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return c, errors.New("endpoint, bucket, access_key_id and secret_access_key must be configured")
	}
	var err error
	if c.IntervalMinutes, err = intConfig("snapshot_interval_minutes", 60, 0); err != nil {
		return c, err
	}
	if c.EveryCommits, err = intConfig("snapshot_every_commits", 100, 0); err != nil {
		return c, err
	}
	mib, err := intConfig("part_size_mib", minPartMiB, minPartMiB)
	if err == nil && mib > maxPartMiB {
		err = fmt.Errorf("config part_size_mib: %d is over %d", mib, maxPartMiB)
	}
	c.PartSize = mib << 20
	return c, err
}

// intConfig reads an int setting (def when unset), refusing one below least.
func intConfig(key string, def, least int) (int, error) {
	raw, err := pds.Config(key)
	if err != nil || raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < least {
		return 0, fmt.Errorf("config %s: %q is not an integer ≥ %d", key, raw, least)
	}
	return n, nil
}

// setup loads the configuration and a client, logging why not.
func setup() (config, *client, bool) {
	c, err := loadConfig()
	if err != nil {
		pds.Log(pds.LevelWarn, "s3backup: "+err.Error()+"; nothing mirrored")
		return c, nil, false
	}
	cl, err := newClient(c)
	if err != nil {
		pds.Log(pds.LevelError, "s3backup: "+err.Error())
		return c, nil, false
	}
	return c, cl, true
}

// onBlob copies a new blob to <prefix>blobs/<did>/<cid>; if that went
// well, it retries one blob that failed before.
func onBlob(ev pds.BlobEvent) {
	c, cl, ok := setup()
	if ok && mirrorBlob(c, cl, ev.Repo, ev.CID, ev.Mime, 0) {
		retryOneBlob(c, cl)
	}
}

// onCommit takes a snapshot of the repo when one is due; if that went well
// (or none was due), it retries one blob that failed before.
func onCommit(ev pds.CommitEvent) {
	c, cl, ok := setup()
	if ok && maybeSnapshot(c, cl, ev) {
		retryOneBlob(c, cl)
	}
}

// failed logs a failed copy. A fetch the host refused (the endpoint's host
// was not granted, or its address is private and the operator did not
// allow it) is a configuration error: the hook fails, so it shows in
// `hearth plugin inspect`.
func failed(what string, err error) {
	msg := fmt.Sprintf("s3backup: %s: %v", what, err)
	pds.Log(pds.LevelError, msg)
	if errors.Is(err, pds.ErrDenied) {
		panic(msg)
	}
}
