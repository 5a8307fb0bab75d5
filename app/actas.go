package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bluesky-social/indigo/atproto/atdata"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/account"
	"github.com/hearthpds/hearth/backend/oauth/actasclient"
	"github.com/hearthpds/hearth/backend/scopes"
)

// Acting for another account from the window: the owner (C) obtains an
// act-as token for an account (D) at D's own PDS with the RFC 8693 token
// exchange (docs/oauth.md), its actor token minted here with the owner's
// signing key, then writes and reads D's repo with it. The token and its
// DPoP key stay in this process's memory; the window only sees who, where,
// what is allowed and until when. A token about to expire is exchanged
// again on the next call.

// ActAsSession is an account the owner is acting as.
type ActAsSession struct {
	DID string `json:"did"`
	// Handle is the handle D's DID document declares ("" when none);
	// HandleVerified says whether it resolves back to the DID.
	Handle         string `json:"handle"`
	HandleVerified bool   `json:"handleVerified"`
	// PDS is D's PDS URL.
	PDS string `json:"pds"`
	// Scope is the granted scope; Allows says it in plain words, one line
	// per permission.
	Scope  string   `json:"scope"`
	Allows []string `json:"allows"`
	// ExpiresAt is when the current token expires (RFC 3339); the next
	// call after that obtains a new one while the grant lasts.
	ExpiresAt string `json:"expiresAt"`
}

const (
	// actAsCall bounds one binding call (it may resolve a DID and talk
	// to D's PDS twice).
	actAsCall = 30 * time.Second
	// actAsRenewMargin: a token this close to its expiry is exchanged
	// again before use.
	actAsRenewMargin = 30 * time.Second
	// actAsPage is the page size of ActAsListRecords.
	actAsPage = 50
)

// actAsSessions are the act-as sessions by D's DID. The zero value is
// ready.
type actAsSessions struct {
	mu sync.Mutex
	m  map[string]*actAsEntry
}

// actAsEntry is one account acted as; mu serializes its renewals.
type actAsEntry struct {
	mu   sync.Mutex
	sess *actasclient.Session
}

func (s *actAsSessions) get(did string) *actAsEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[did]
}

func (s *actAsSessions) put(did string, e *actAsEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]*actAsEntry{}
	}
	s.m[did] = e
}

// drop removes did's session if it is still e (nil: whatever it is).
func (s *actAsSessions) drop(did string, e *actAsEntry) *actAsEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.m[did]
	if cur != nil && (e == nil || cur == e) {
		delete(s.m, did)
		return cur
	}
	return nil
}

func (s *actAsSessions) all() []*actAsEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*actAsEntry, 0, len(s.m))
	for _, e := range s.m {
		out = append(out, e)
	}
	return out
}

// ActAs starts acting for an account (a handle or DID, hosted here or on
// another PDS) that lets the owner act for it: it finds the account's PDS,
// exchanges a fresh actor token there and keeps the act-as token in
// memory. Acting again for the same account replaces the session.
func (a *App) ActAs(who string) (ActAsSession, error) {
	run, owner, err := a.ownerRun()
	if err != nil {
		return ActAsSession{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), actAsCall)
	defer cancel()
	did, err := actAsDID(ctx, run, who)
	if err != nil {
		return ActAsSession{}, err
	}
	if did.String() == owner {
		return ActAsSession{}, invalid("that is your own account: you act for it already")
	}
	client := actAsClient(run)
	target, err := client.Discover(ctx, did)
	if err != nil {
		return ActAsSession{}, actAsError(err)
	}
	sess, err := exchangeActAs(ctx, run, owner, client, target)
	if err != nil {
		return ActAsSession{}, actAsError(err)
	}
	if old := a.actAs.get(did.String()); old != nil {
		a.revokeActAs(old)
	}
	a.actAs.put(did.String(), &actAsEntry{sess: sess})
	a.log.Info("acting for an account", "did", did, "pds", target.PDS, "scope", sess.Scope)
	return sessionInfo(sess), nil
}

// ActingAs lists the accounts the owner is acting as now.
func (a *App) ActingAs() []ActAsSession {
	out := []ActAsSession{}
	for _, e := range a.actAs.all() {
		e.mu.Lock()
		out = append(out, sessionInfo(e.sess))
		e.mu.Unlock()
	}
	return out
}

// EndActAs stops acting for an account: the token is forgotten here and
// revoked at its server (best effort: it expires within minutes anyway).
func (a *App) EndActAs(did string) error {
	e := a.actAs.drop(strings.TrimSpace(did), nil)
	if e == nil {
		return nil
	}
	a.revokeActAs(e)
	a.log.Info("stopped acting for an account", "did", did)
	return nil
}

// revokeActAs revokes an entry's token in the background.
func (a *App) revokeActAs(e *actAsEntry) {
	e.mu.Lock()
	sess := e.sess
	e.mu.Unlock()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := sess.Revoke(ctx); err != nil {
			a.log.Warn("revoking an act-as token", "did", sess.Target.DID, "err", err)
		}
	}()
}

// ActAsCreateRecord creates a record in the account's repo from its JSON
// (rkey "" lets the PDS choose; $type defaults to the collection).
func (a *App) ActAsCreateRecord(did, collection, rkey, recordJSON string) (RecordRef, error) {
	if _, err := syntax.ParseNSID(collection); err != nil {
		return RecordRef{}, invalid("%q is not a collection name (like app.bsky.feed.post)", collection)
	}
	rkey = strings.TrimSpace(rkey)
	if rkey != "" {
		if _, err := syntax.ParseRecordKey(rkey); err != nil {
			return RecordRef{}, invalid("%q is not a record key", rkey)
		}
	}
	rec, err := recordInput(collection, recordJSON)
	if err != nil {
		return RecordRef{}, err
	}
	in := map[string]any{"repo": did, "collection": collection, "record": rec}
	if rkey != "" {
		in["rkey"] = rkey
	}
	var out struct {
		URI    string `json:"uri"`
		CID    string `json:"cid"`
		Commit struct {
			CID string `json:"cid"`
			Rev string `json:"rev"`
		} `json:"commit"`
		ValidationStatus string `json:"validationStatus"`
	}
	err = a.withActAs(did, func(ctx context.Context, s *actasclient.Session) error {
		return s.Call(ctx, "com.atproto.repo.createRecord", nil, in, &out)
	})
	if err != nil {
		return RecordRef{}, err
	}
	ref := RecordRef{URI: out.URI, CID: out.CID, CommitCID: out.Commit.CID, CommitRev: out.Commit.Rev, ValidationStatus: out.ValidationStatus}
	if i := strings.LastIndex(out.URI, "/"); i >= 0 {
		ref.RKey = out.URI[i+1:]
	}
	a.log.Info("record created for an account", "did", did, "collection", collection, "rkey", ref.RKey)
	return ref, nil
}

// ActAsDeleteRecord deletes a record of the account's repo.
func (a *App) ActAsDeleteRecord(did, collection, rkey string) error {
	if _, err := syntax.ParseNSID(collection); err != nil {
		return invalid("%q is not a collection name", collection)
	}
	if _, err := syntax.ParseRecordKey(rkey); err != nil {
		return invalid("a record key is required")
	}
	in := map[string]any{"repo": did, "collection": collection, "rkey": rkey}
	err := a.withActAs(did, func(ctx context.Context, s *actasclient.Session) error {
		return s.Call(ctx, "com.atproto.repo.deleteRecord", nil, in, nil)
	})
	if err == nil {
		a.log.Info("record deleted for an account", "did", did, "collection", collection, "rkey", rkey)
	}
	return err
}

// ActAsListRecords pages a collection of the account's repo, newest
// first (the PDS's public listRecords).
func (a *App) ActAsListRecords(did, collection, cursor string) (RecordPage, error) {
	if _, err := syntax.ParseNSID(collection); err != nil {
		return RecordPage{}, invalid("%q is not a collection name", collection)
	}
	params := url.Values{"repo": {did}, "collection": {collection}, "limit": {strconv.Itoa(actAsPage)}}
	if cursor != "" {
		params.Set("cursor", cursor)
	}
	var out struct {
		Cursor  string `json:"cursor"`
		Records []struct {
			URI   string         `json:"uri"`
			CID   string         `json:"cid"`
			Value map[string]any `json:"value"`
		} `json:"records"`
	}
	if err := a.publicActAs(did, "com.atproto.repo.listRecords", params, &out); err != nil {
		return RecordPage{}, err
	}
	page := RecordPage{Records: make([]RecordSummary, 0, len(out.Records)), Cursor: out.Cursor}
	for _, r := range out.Records {
		s := RecordSummary{URI: r.URI, Collection: collection, CID: r.CID, Preview: preview(r.Value)}
		if i := strings.LastIndex(r.URI, "/"); i >= 0 {
			s.RKey = r.URI[i+1:]
		}
		if c, ok := r.Value["createdAt"].(string); ok {
			s.CreatedAt = c
		}
		page.Records = append(page.Records, s)
	}
	return page, nil
}

// ActAsCollections lists the collections of the account's repo (the
// PDS's public describeRepo; it gives no counts).
func (a *App) ActAsCollections(did string) ([]Collection, error) {
	var out struct {
		Collections []string `json:"collections"`
	}
	if err := a.publicActAs(did, "com.atproto.repo.describeRepo", url.Values{"repo": {did}}, &out); err != nil {
		return nil, err
	}
	cols := make([]Collection, len(out.Collections))
	for i, c := range out.Collections {
		cols[i] = Collection{Name: c}
	}
	return cols, nil
}

// withActAs runs call with did's session, renewing the token first when
// it is about to expire, and once more when the PDS refused it (expired
// early, or the grant changed). When the grant is gone the session ends.
func (a *App) withActAs(did string, call func(context.Context, *actasclient.Session) error) error {
	did = strings.TrimSpace(did)
	e := a.actAs.get(did)
	if e == nil {
		return notActing(did)
	}
	run, owner, err := a.ownerRun()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), actAsCall)
	defer cancel()
	sess, err := a.renewActAs(ctx, run, owner, did, e, false)
	if err != nil {
		return err
	}
	err = call(ctx, sess)
	if errors.Is(err, actasclient.ErrTokenRejected) {
		if sess, err = a.renewActAs(ctx, run, owner, did, e, true); err != nil {
			return err
		}
		err = call(ctx, sess)
	}
	return actAsError(err)
}

// renewActAs returns e's session, exchanged again when it is about to
// expire or force is set. A refused exchange ends the session.
func (a *App) renewActAs(ctx context.Context, run *running, owner, did string, e *actAsEntry, force bool) (*actasclient.Session, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !force && !e.sess.Expired(time.Now(), actAsRenewMargin) {
		return e.sess, nil
	}
	sess, err := exchangeActAs(ctx, run, owner, actAsClient(run), e.sess.Target)
	var xe *actasclient.ExchangeError
	if errors.As(err, &xe) {
		a.actAs.drop(did, e)
		a.log.Info("acting for an account ended", "did", did, "reason", xe.Code)
	}
	if err != nil {
		return nil, actAsError(err)
	}
	e.sess = sess
	return sess, nil
}

// publicActAs makes a public query to the PDS of an account acted as.
func (a *App) publicActAs(did, nsid string, params url.Values, out any) error {
	e := a.actAs.get(strings.TrimSpace(did))
	if e == nil {
		return notActing(did)
	}
	run, err := a.current()
	if err != nil {
		return err
	}
	e.mu.Lock()
	pds := e.sess.Target.PDS
	e.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), actAsCall)
	defer cancel()
	return actAsError(actAsClient(run).Query(ctx, pds, nsid, params, out))
}

// actAsDID reads who (a handle or DID) as a DID.
func actAsDID(ctx context.Context, run *running, who string) (syntax.DID, error) {
	who = strings.TrimPrefix(strings.TrimSpace(who), "@")
	if who == "" {
		return "", invalid("say which account to act for: a handle or DID")
	}
	if d, err := syntax.ParseDID(who); err == nil {
		return d, nil
	}
	if _, err := syntax.ParseHandle(who); err != nil {
		return "", invalid("%q is neither a handle nor a DID", who)
	}
	did, err := run.srv.Delegation().ResolveAccount(ctx, who)
	if err != nil {
		return "", actAsError(err)
	}
	return syntax.DID(did), nil
}

// actAsClient is the act-as client of the running server: its identity
// directory resolves DIDs.
func actAsClient(run *running) *actasclient.Client {
	return actasclient.New(actasclient.Options{Directory: run.srv.Directory()})
}

// exchangeActAs mints the owner's actor token for target's PDS (the
// exchange method, a minute's life, single use) and exchanges it for an
// act-as token with everything the grant allows.
func exchangeActAs(ctx context.Context, run *running, owner string, client *actasclient.Client, target actasclient.Target) (*actasclient.Session, error) {
	actor, err := run.srv.Lifecycle().ServiceAuthToken(ctx, account.ServiceAuthRequest{
		DID: owner, Audience: target.ServiceDID, Method: actasclient.ExchangeMethod, Privileged: true,
	})
	if err != nil {
		return nil, err
	}
	return client.Exchange(ctx, target, actor, "")
}

// recordInput reads a record's JSON (checked as atproto data) as the
// createRecord input, with $type defaulting to the collection.
func recordInput(collection, recordJSON string) (map[string]any, error) {
	if _, err := atdata.UnmarshalJSON([]byte(recordJSON)); err != nil {
		return nil, invalid("the record is not valid JSON for atproto: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(recordJSON)))
	dec.UseNumber()
	var rec map[string]any
	if err := dec.Decode(&rec); err != nil || rec == nil {
		return nil, invalid("the record must be a JSON object")
	}
	if _, ok := rec["$type"]; !ok {
		rec["$type"] = collection
	}
	return rec, nil
}

func sessionInfo(s *actasclient.Session) ActAsSession {
	info := ActAsSession{
		DID: s.Target.DID.String(), Handle: s.Target.Handle, HandleVerified: s.Target.HandleVerified, PDS: s.Target.PDS, Scope: s.Scope,
		ExpiresAt: timeString(s.ExpiresAt), Allows: []string{},
	}
	if set, _, err := scopes.Parse(s.Scope); err == nil {
		info.Allows = nonNil(set.Describe())
	}
	return info
}
