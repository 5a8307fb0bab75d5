package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/account"
)

// ownerFile records which account is the install's owner.
type ownerFile struct {
	DID      string `json:"did"`
	Imported bool   `json:"imported,omitempty"`
	// Importing: the import has not completed (running or paused).
	Importing bool `json:"importing,omitempty"`
}

func (a *App) ownerPath() string { return filepath.Join(a.opts.DataDir, "owner.json") }

func (a *App) owner() (ownerFile, error) {
	var o ownerFile
	raw, err := os.ReadFile(a.ownerPath())
	if err != nil {
		return o, err
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return o, fmt.Errorf("%s: %w", a.ownerPath(), err)
	}
	return o, nil
}

func (a *App) setOwner(o ownerFile) error {
	raw, err := json.Marshal(o)
	if err != nil {
		return err
	}
	tmp := a.ownerPath() + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return fmt.Errorf("record the owner: %w", err)
	}
	return os.Rename(tmp, a.ownerPath())
}

// ownerDID returns the owner's DID, or an error when there is no account yet.
func (a *App) ownerDID() (string, error) {
	o, err := a.owner()
	if errors.Is(err, os.ErrNotExist) {
		return "", errors.New("there is no account yet (AccountNotFound)")
	}
	return o.DID, err
}

// Account returns the owner's account.
func (a *App) Account() (AccountInfo, error) {
	run, err := a.current()
	if err != nil {
		return AccountInfo{}, err
	}
	o, err := a.owner()
	if err != nil {
		return AccountInfo{}, errors.New("there is no account yet (AccountNotFound)")
	}
	ctx := context.Background()
	acct, err := run.srv.Store().GetAccount(ctx, o.DID)
	if err != nil {
		return AccountInfo{}, uiError(err)
	}
	_, pendErr := run.srv.Accounts().PendingGenesis(ctx, o.DID)
	return AccountInfo{
		DID: acct.DID, Handle: acct.Handle, Email: acct.Email, Status: string(acct.Status),
		Published: errors.Is(pendErr, account.ErrNotPending) && !o.Imported, Imported: o.Imported,
	}, nil
}

// CreateAccount creates the owner's account (first run). Its did:plc
// genesis operation is signed here and kept until the user goes public;
// in dev mode the local PLC stand-in takes it at once. Registration is
// closed for everyone else.
func (a *App) CreateAccount(in CreateAccountInput) (AccountInfo, error) {
	run, err := a.current()
	if err != nil {
		return AccountInfo{}, err
	}
	if _, err := a.owner(); err == nil {
		return AccountInfo{}, invalid("this install already has its account")
	}
	handle := strings.ToLower(strings.TrimSpace(in.Handle))
	if handle != "" && !strings.Contains(handle, ".") && len(run.cfg.HandleDomains) > 0 {
		handle += run.cfg.HandleDomains[0]
	}
	created, err := run.srv.Accounts().Create(context.Background(), account.CreateInput{
		Handle: handle, Email: strings.TrimSpace(in.Email), Password: in.Password, Owner: true,
	})
	if err != nil {
		return AccountInfo{}, uiError(err)
	}
	if err := a.setOwner(ownerFile{DID: created.Account.DID}); err != nil {
		return AccountInfo{}, uiError(err)
	}
	a.log.Info("owner account created", "did", created.Account.DID, "handle", created.Account.Handle)
	return a.Account()
}

// didDocTTL bounds how often the Home page's polling reads the DID
// document from the directory.
const didDocTTL = 30 * time.Second

// didDocStatus says whether the owner's DID document names this server,
// read at most once per didDocTTL.
func (a *App) didDocStatus(run *running, info AccountInfo) (bool, string) {
	run.mu.Lock()
	defer run.mu.Unlock()
	if c := run.didDoc; c.did == info.DID && c.published == info.Published && time.Since(c.at) < didDocTTL {
		return c.here, c.note
	}
	here, note := a.readDIDDocStatus(run, info)
	run.didDoc = didDocCache{did: info.DID, published: info.Published, at: time.Now(), here: here, note: note}
	return here, note
}

// didDocCache is the last DID document status read.
type didDocCache struct {
	did             string
	published, here bool
	note            string
	at              time.Time
}

func (a *App) readDIDDocStatus(run *running, info AccountInfo) (bool, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if !info.Published && !info.Imported {
		return false, "Not published yet: the DID document is signed here and goes to the PLC directory when you go public."
	}
	did, err := syntax.ParseDID(info.DID)
	if err != nil {
		return false, err.Error()
	}
	endpoint, err := a.pdsEndpoint(ctx, run, did)
	if err != nil {
		return false, "The DID document could not be read: " + err.Error()
	}
	if endpoint == run.url {
		return true, "The DID document names this server."
	}
	return false, "The DID document still names " + endpoint + "; it switches to Hearth when you go public."
}

// pdsEndpoint reads the PDS the DID document names: from the PLC
// directory in use for did:plc, through the identity directory otherwise.
func (a *App) pdsEndpoint(ctx context.Context, run *running, did syntax.DID) (string, error) {
	if did.Method() == "plc" {
		data, err := run.srv.PLC().Data(ctx, did)
		if err != nil {
			return "", err
		}
		return data.PDSEndpoint(), nil
	}
	ident, err := run.srv.Directory().LookupDID(ctx, did)
	if err != nil {
		return "", err
	}
	return ident.PDSEndpoint(), nil
}

func (a *App) blobCount(run *running, did string) int {
	n, cursor := 0, ""
	for {
		page, err := run.srv.Store().ListBlobs(context.Background(), did, "", cursor, 1000)
		if err != nil || len(page) == 0 {
			return n
		}
		n += len(page)
		cursor = page[len(page)-1].String()
	}
}
