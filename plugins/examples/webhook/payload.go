package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	pds "github.com/hearthpds/hearth/plugins/sdk/go"
)

// Commit is the JSON body POSTed for each commit (see README.md).
type Commit struct {
	Seq  int64  `json:"seq"`
	Repo string `json:"repo"`
	Rev  string `json:"rev"`
	Ops  []Op   `json:"ops"`
}

// Op is one operation of a commit.
type Op struct {
	Action     string `json:"action"` // create, update, delete
	Path       string `json:"path"`   // collection/rkey
	Collection string `json:"collection"`
	RKey       string `json:"rkey"`
	CID        string `json:"cid,omitempty"` // absent on delete
}

// commitBody is the JSON summary of ev.
func commitBody(ev pds.CommitEvent) []byte {
	c := Commit{Seq: ev.Seq, Repo: ev.Repo, Rev: ev.Rev, Ops: make([]Op, 0, len(ev.Ops))}
	for _, o := range ev.Ops {
		coll, rkey, _ := strings.Cut(o.Path, "/")
		c.Ops = append(c.Ops, Op{Action: o.Action, Path: o.Path, Collection: coll, RKey: rkey, CID: o.CID})
	}
	b, err := json.Marshal(c)
	if err != nil { // strings and integers only: cannot happen
		panic("webhook: encoding a commit: " + err.Error())
	}
	return b
}

// signature is the X-Hearth-Signature value of body: "sha256=" and the hex
// HMAC-SHA256 of the body under secret.
func signature(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
