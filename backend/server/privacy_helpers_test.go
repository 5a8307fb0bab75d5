package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/hearthpds/hearth/backend/identity"
	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/privacy/remote"
	"github.com/hearthpds/hearth/internal/testpds"
)

// prAccount is an account with an encryption identity, and its client's
// side of things: its session and its identity (from its recovery code).
type prAccount struct {
	pds *testpds.PDS
	c   *testpds.Client
	did string
	id  *crypt.Identity
}

// prNewAccount signs handle up on pds over HTTP and gives it an
// encryption identity (in-process, as the desktop app does: it publishes
// the key record); the client keeps the identity from the recovery code.
func prNewAccount(t testing.TB, pds *testpds.PDS, handle string) prAccount {
	t.Helper()
	c := pds.Account(t, handle)
	n, err := pds.Server.Privacy().CreateIdentity(context.Background(), c.DID)
	if err != nil {
		t.Fatalf("identity of %s: %v", handle, err)
	}
	id, err := crypt.ParseRecoveryCode(n.RecoveryCode)
	if err != nil {
		t.Fatal(err)
	}
	return prAccount{pds: pds, c: c, did: c.DID, id: id}
}

// prNet is the clients' view of the network: DID resolution through the
// shared PLC, and service-auth JWTs each grantee asks its own PDS for over
// HTTP (getServiceAuth with its session), as a grantee's app would.
type prNet struct {
	*remote.Network
	mu       sync.Mutex
	accounts map[string]prAccount
}

// prNewNet returns a network resolving DIDs through plcURL.
func prNewNet(plcURL string) *prNet {
	n := &prNet{accounts: map[string]prAccount{}}
	n.Network = &remote.Network{Dir: identity.NewDirectory(identity.DirectoryConfig{PLCURL: plcURL}), HTTP: http.DefaultClient, Mint: n.mint}
	return n
}

// add lets accounts mint service-auth JWTs through the network.
func (n *prNet) add(as ...prAccount) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, a := range as {
		n.accounts[a.did] = a
	}
}

// mint asks iss's PDS for a service-auth JWT over HTTP with iss's session.
func (n *prNet) mint(ctx context.Context, iss, aud, lxm string) (string, error) {
	n.mu.Lock()
	a, ok := n.accounts[iss]
	n.mu.Unlock()
	if !ok {
		return "", fmt.Errorf("no session for %s", iss)
	}
	q := url.Values{"aud": {aud}, "lxm": {lxm}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.pds.URL+"/xrpc/com.atproto.server.getServiceAuth?"+q.Encode(), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+a.c.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out struct{ Token string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &out) != nil || out.Token == "" {
		return "", fmt.Errorf("getServiceAuth for %s: %d %s", iss, resp.StatusCode, b)
	}
	return out.Token, nil
}

// owner is a's owner-side client over XRPC (its session, its identity).
func (n *prNet) owner(a prAccount) *remote.Owner {
	return &remote.Owner{Client: remote.NewClient(a.pds.URL, http.DefaultClient, remote.SessionToken(a.c.Token)),
		Identity: a.id, DID: a.did, Net: n.Network}
}

// reader is a's grantee-side client.
func (n *prNet) reader(a prAccount) remote.Reader {
	return remote.Reader{Net: n.Network, Identity: a.id, Grantee: a.did}
}

// prMust fails the test on an error.
func prMust(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
