package main

import (
	"encoding/json"
	"fmt"
	"time"

	pds "github.com/hearthpds/hearth/plugins/sdk/go"
)

// snapState is what the plugin remembers of a repo's snapshots, in kv
// under "snap/<did>".
type snapState struct {
	At      int64  `json:"at"`      // unix seconds of the last snapshot; 0: none yet
	Rev     string `json:"rev"`     // the commit that triggered it
	Commits int    `json:"commits"` // commits seen since
}

func loadSnap(did string) snapState {
	var s snapState
	if raw, err := pds.KVGet("snap/" + did); err == nil {
		_ = json.Unmarshal(raw, &s) // a damaged entry counts as none: a snapshot is taken
	}
	return s
}

func saveSnap(did string, s snapState) {
	b, _ := json.Marshal(s)
	if err := pds.KVPut("snap/"+did, b); err != nil {
		pds.Log(pds.LevelError, "s3backup: saving the snapshot state of "+did+": "+err.Error())
	}
}

// due reports whether a snapshot is to be taken now: none was taken yet,
// or the interval has passed, or enough commits came since (a zero
// setting turns its trigger off).
func (s snapState) due(c config, now time.Time) bool {
	return s.At == 0 ||
		(c.IntervalMinutes > 0 && now.Sub(time.Unix(s.At, 0)) >= time.Duration(c.IntervalMinutes)*time.Minute) ||
		(c.EveryCommits > 0 && s.Commits >= c.EveryCommits)
}

func snapshotKey(c config, did, rev string) string {
	return c.Prefix + "repos/" + did + "/" + rev + ".car"
}

// maybeSnapshot counts ev's commit and, when a snapshot is due, exports
// the repo as a CAR by chunks to <prefix>repos/<did>/<rev>.car. A failed
// snapshot leaves the state as it was, so the next commit tries again; it
// reports false then.
func maybeSnapshot(c config, cl *client, ev pds.CommitEvent) bool {
	s := loadSnap(ev.Repo)
	s.Commits++
	now := time.Now()
	if !s.due(c, now) {
		saveSnap(ev.Repo, s)
		return true
	}
	src := func(off, n int) ([]byte, error) { return pds.ExportRepo(ev.Repo, "", off, n) }
	size, err := cl.upload(snapshotKey(c, ev.Repo, ev.Rev), "application/vnd.ipld.car", src, c.PartSize)
	if err != nil {
		saveSnap(ev.Repo, s)
		failed("snapshot of "+ev.Repo, err)
		return false
	}
	pds.Log(pds.LevelInfo, fmt.Sprintf("s3backup: snapshot of %s at %s (%d bytes)", ev.Repo, ev.Rev, size))
	saveSnap(ev.Repo, snapState{At: now.Unix(), Rev: ev.Rev})
	return true
}
