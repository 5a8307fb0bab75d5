package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/bluesky-social/indigo/atproto/atdata"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
)

// maxPage bounds a page of the records table or blobs gallery.
const maxPage = 100

// ListCollections lists the owner's collections with record counts.
func (a *App) ListCollections() ([]Collection, error) {
	run, did, err := a.ownerRun()
	if err != nil {
		return nil, err
	}
	cols, err := run.srv.Store().ListCollections(context.Background(), did)
	if err != nil {
		return nil, uiError(err)
	}
	out := make([]Collection, len(cols))
	for i, c := range cols {
		out[i] = Collection{Name: c.Name, Count: c.Count}
	}
	return out, nil
}

// ListRecords pages a collection, newest first, after cursor; with
// rkeyPrefix it lists only the records whose rkey starts with it, in rkey
// order.
func (a *App) ListRecords(collection, cursor string, limit int, rkeyPrefix string) (RecordPage, error) {
	run, did, err := a.ownerRun()
	if err != nil {
		return RecordPage{}, err
	}
	if _, err := syntax.ParseNSID(collection); err != nil {
		return RecordPage{}, invalid("%q is not a collection name", collection)
	}
	limit = clampLimit(limit)
	opts := store.ListRecordsOptions{Limit: limit + 1, Cursor: cursor, Reverse: true}
	rkeyPrefix = strings.TrimSpace(rkeyPrefix)
	if rkeyPrefix != "" {
		opts.Reverse = false
		if cursor == "" {
			opts.Cursor = justBefore(rkeyPrefix)
		}
	}
	recs, err := run.srv.Store().ListRecords(context.Background(), did, collection, opts)
	if err != nil {
		return RecordPage{}, uiError(err)
	}
	page := RecordPage{Records: []RecordSummary{}}
	for i, r := range recs {
		if rkeyPrefix != "" && !strings.HasPrefix(r.RKey, rkeyPrefix) {
			return page, nil
		}
		if i == limit {
			page.Cursor = page.Records[len(page.Records)-1].RKey
			break
		}
		page.Records = append(page.Records, summarize(did, r))
	}
	return page, nil
}

// justBefore returns a cursor that sorts after every rkey smaller than
// prefix and before prefix itself: the last byte decremented, then 0x7f,
// which sorts above every character an rkey may hold.
func justBefore(prefix string) string {
	b := []byte(prefix)
	b[len(b)-1]--
	return string(b) + "\x7f"
}

func clampLimit(limit int) int {
	if limit <= 0 || limit > maxPage {
		return maxPage
	}
	return limit
}

func summarize(did string, r store.Record) RecordSummary {
	s := RecordSummary{URI: recordURI(did, r.Collection, r.RKey), Collection: r.Collection, RKey: r.RKey, CID: r.CID.String()}
	v, err := atdata.UnmarshalCBOR(r.Value)
	if err != nil {
		s.Preview = "(undecodable record)"
		return s
	}
	if c, ok := v["createdAt"].(string); ok {
		s.CreatedAt = c
	}
	s.Preview = preview(v)
	return s
}

// preview picks a short, human line from a record: its text, name or
// subject, else its $type.
func preview(v map[string]any) string {
	for _, k := range []string{"text", "displayName", "name", "title", "description", "subject"} {
		switch x := v[k].(type) {
		case string:
			return truncate(x, 120)
		case map[string]any:
			if uri, ok := x["uri"].(string); ok {
				return truncate(uri, 120)
			}
		}
	}
	if t, ok := v["$type"].(string); ok {
		return t
	}
	return ""
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func recordURI(did, collection, rkey string) string {
	return "at://" + did + "/" + collection + "/" + rkey
}

// GetRecord returns a record with its CID and the commit that wrote it.
func (a *App) GetRecord(collection, rkey string) (RecordDetail, error) {
	run, did, err := a.ownerRun()
	if err != nil {
		return RecordDetail{}, err
	}
	ctx := context.Background()
	r, err := run.srv.Store().GetRecord(ctx, did, collection, rkey)
	if errors.Is(err, store.ErrNotFound) {
		return RecordDetail{}, fmt.Errorf("there is no record %s/%s (RecordNotFound)", collection, rkey)
	}
	if err != nil {
		return RecordDetail{}, uiError(err)
	}
	v, err := atdata.UnmarshalCBOR(r.Value)
	if err != nil {
		return RecordDetail{}, uiError(fmt.Errorf("decode record: %w", err))
	}
	pretty, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return RecordDetail{}, uiError(err)
	}
	d := RecordDetail{
		URI: recordURI(did, collection, rkey), Collection: collection, RKey: rkey,
		CID: r.CID.String(), JSON: string(pretty), CommitRev: r.Rev,
	}
	d.CommitCID = a.commitCIDFor(run, did, r.Rev)
	return d, nil
}

// commitCIDFor finds the CID of the commit with rev: the head, or one of
// the recent commits the feed saw.
func (a *App) commitCIDFor(run *running, did, rev string) string {
	if root, err := run.srv.Store().GetRepoRoot(context.Background(), did); err == nil && root.Rev == rev {
		return root.Commit.String()
	}
	for _, c := range run.feed.recent(0) {
		if c.Rev == rev {
			return c.CID
		}
	}
	return ""
}

// CreateRecord creates a record from its JSON (rkey "" assigns a TID),
// validated against its lexicon.
func (a *App) CreateRecord(collection, rkey, recordJSON string) (RecordRef, error) {
	return a.write(repo.Create, collection, rkey, recordJSON)
}

// PutRecord creates or replaces a record from its JSON.
func (a *App) PutRecord(collection, rkey, recordJSON string) (RecordRef, error) {
	if rkey == "" {
		return RecordRef{}, invalid("a record key is required")
	}
	return a.write(repo.Put, collection, rkey, recordJSON)
}

// DeleteRecord deletes a record.
func (a *App) DeleteRecord(collection, rkey string) error {
	run, did, err := a.ownerRun()
	if err != nil {
		return err
	}
	if rkey == "" {
		return invalid("a record key is required")
	}
	w := repo.Write{Action: repo.Delete, Collection: collection, RKey: rkey}
	if _, err := run.srv.Engine().Apply(context.Background(), did, []repo.Write{w}, repo.ApplyOptions{}); err != nil {
		if errors.Is(err, repo.ErrRecordNotFound) {
			return fmt.Errorf("there is no record %s/%s (RecordNotFound)", collection, rkey)
		}
		return uiError(err)
	}
	return nil
}

func (a *App) write(action repo.Action, collection, rkey, recordJSON string) (RecordRef, error) {
	run, did, err := a.ownerRun()
	if err != nil {
		return RecordRef{}, err
	}
	if _, err := syntax.ParseNSID(collection); err != nil {
		return RecordRef{}, invalid("%q is not a collection name (like app.bsky.feed.post)", collection)
	}
	rec, err := atdata.UnmarshalJSON([]byte(recordJSON))
	if err != nil {
		return RecordRef{}, invalid("the record is not valid JSON for atproto: %v", err)
	}
	if _, ok := rec["$type"]; !ok {
		rec["$type"] = collection
	}
	w := repo.Write{Action: action, Collection: collection, RKey: rkey, Record: rec}
	res, err := run.srv.Engine().Apply(context.Background(), did, []repo.Write{w}, repo.ApplyOptions{Validate: repo.ValidateAuto})
	if err != nil {
		return RecordRef{}, uiError(err)
	}
	wr := res.Writes[0]
	ref := RecordRef{URI: wr.URI(did), RKey: wr.RKey, CID: wr.CID.String(), ValidationStatus: wr.ValidationStatus}
	if res.Commit != nil {
		ref.CommitCID, ref.CommitRev = res.Commit.CID.String(), res.Commit.Rev
	}
	return ref, nil
}

// ownerRun returns the running server and the owner's DID.
func (a *App) ownerRun() (*running, string, error) {
	run, err := a.current()
	if err != nil {
		return nil, "", err
	}
	did, err := a.ownerDID()
	if err != nil {
		return nil, "", err
	}
	return run, did, nil
}
