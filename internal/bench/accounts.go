package bench

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// account is an account the bench created on a target.
type account struct {
	DID    string
	Handle string
	auth   string // "Bearer <accessJwt>"
}

// serverInfo is the part of describeServer the bench needs.
type serverInfo struct {
	DID                  string   `json:"did"`
	AvailableUserDomains []string `json:"availableUserDomains"`
	InviteCodeRequired   bool     `json:"inviteCodeRequired"`
}

// createAccounts signs up n accounts through the public API: the handle
// domain comes from describeServer; when the server requires invites the
// code is t.InviteCode or, with t.AdminPassword, one code with n uses made
// by com.atproto.server.createInviteCodes.
func createAccounts(ctx context.Context, c *client, t Target, n int) ([]account, error) {
	var info serverInfo
	if err := c.callJSON(ctx, request{method: "GET", nsid: "com.atproto.server.describeServer"}, &info); err != nil {
		return nil, err
	}
	if len(info.AvailableUserDomains) == 0 {
		return nil, errors.New("describeServer lists no availableUserDomains: cannot pick a handle")
	}
	code, err := inviteCode(ctx, c, t, info.InviteCodeRequired, n)
	if err != nil {
		return nil, err
	}
	domain := info.AvailableUserDomains[0]
	if !strings.HasPrefix(domain, ".") {
		domain = "." + domain
	}
	prefix, err := randomName()
	if err != nil {
		return nil, err
	}
	accts := make([]account, 0, n)
	for i := range n {
		a, err := createAccount(ctx, c, fmt.Sprintf("%s%d%s", prefix, i, domain), code)
		if err != nil {
			return nil, fmt.Errorf("create account %d of %d: %w", i+1, n, err)
		}
		accts = append(accts, a)
	}
	return accts, nil
}

// inviteCode returns the invite code to sign up with ("" when none is
// required).
func inviteCode(ctx context.Context, c *client, t Target, required bool, uses int) (string, error) {
	switch {
	case !required:
		return t.InviteCode, nil
	case t.InviteCode != "":
		return t.InviteCode, nil
	case t.AdminPassword == "":
		return "", errors.New("the server requires an invite code: pass --invite-code or --admin-password")
	}
	var out struct {
		Codes []struct {
			Codes []string `json:"codes"`
		} `json:"codes"`
	}
	body, err := json.Marshal(map[string]any{"codeCount": 1, "useCount": uses})
	if err != nil {
		return "", fmt.Errorf("make an invite code: %w", err)
	}
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:"+t.AdminPassword))
	req := request{method: "POST", nsid: "com.atproto.server.createInviteCodes", body: body, auth: auth}
	if err := c.callJSON(ctx, req, &out); err != nil {
		return "", fmt.Errorf("make an invite code: %w", err)
	}
	if len(out.Codes) == 0 || len(out.Codes[0].Codes) == 0 {
		return "", errors.New("createInviteCodes returned no code")
	}
	return out.Codes[0].Codes[0], nil
}

func createAccount(ctx context.Context, c *client, handle, code string) (account, error) {
	password, err := randomName()
	if err != nil {
		return account{}, err
	}
	in := map[string]string{
		"handle":   handle,
		"email":    strings.ReplaceAll(handle, ".", "-") + "@example.com",
		"password": password + password,
	}
	if code != "" {
		in["inviteCode"] = code
	}
	var out struct {
		AccessJwt string `json:"accessJwt"`
		DID       string `json:"did"`
		Handle    string `json:"handle"`
	}
	body, err := json.Marshal(in)
	if err != nil {
		return account{}, fmt.Errorf("createAccount: %w", err)
	}
	req := request{method: "POST", nsid: "com.atproto.server.createAccount", body: body}
	if err := c.callJSON(ctx, req, &out); err != nil {
		return account{}, err
	}
	if out.DID == "" || out.AccessJwt == "" {
		return account{}, fmt.Errorf("createAccount for %s returned no did or accessJwt", handle)
	}
	return account{DID: out.DID, Handle: out.Handle, auth: "Bearer " + out.AccessJwt}, nil
}

// randomName returns 8 random lowercase letters and digits, starting with
// a letter (a valid handle segment prefix).
func randomName() (string, error) {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random name: %w", err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	b[0] = 'b'
	return string(b), nil
}
