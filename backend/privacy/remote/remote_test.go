package remote

import (
	"errors"
	"net/http"
	"testing"

	"github.com/hearthpds/hearth/backend/privacy/crypt"
)

// TestErrorMatches: XRPC answers match the sentinels callers test.
func TestErrorMatches(t *testing.T) {
	for _, c := range []struct {
		e    *Error
		want error
	}{
		{&Error{Status: http.StatusForbidden, Name: "Forbidden"}, ErrForbidden},
		{&Error{Status: http.StatusNotFound, Name: "NotFound"}, ErrNotFound},
		{&Error{Status: http.StatusConflict, Name: "StaleEpoch"}, ErrStaleEpoch},
	} {
		if !errors.Is(c.e, c.want) {
			t.Errorf("%v does not match %v", c.e, c.want)
		}
	}
	if errors.Is(&Error{Status: http.StatusConflict, Name: "KeyChanged"}, ErrStaleEpoch) || errors.Is(&Error{Status: 400}, ErrForbidden) {
		t.Error("an unrelated answer matched a sentinel")
	}
}

// TestPublishedKeyChecked: a published key decodes only when its key ID
// matches it and its KEM is supported.
func TestPublishedKeyChecked(t *testing.T) {
	id, err := crypt.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	pub := id.Public()
	ok := PublishedKey{DID: "did:plc:x", KEMID: int(pub.KEMID), PublicKey: B64.EncodeToString(pub.Key), KeyID: pub.KeyID()}
	if k, err := ok.Key(); err != nil || k.KeyID() != pub.KeyID() {
		t.Fatalf("a good key: %v", err)
	}
	other, _ := crypt.NewIdentity()
	for name, p := range map[string]PublishedKey{
		"another key's ID": {DID: ok.DID, KEMID: ok.KEMID, PublicKey: ok.PublicKey, KeyID: other.Public().KeyID()},
		"an unknown KEM":   {DID: ok.DID, KEMID: 0x647a, PublicKey: ok.PublicKey, KeyID: ok.KeyID},
		"a KEM id too big": {DID: ok.DID, KEMID: 1 << 20, PublicKey: ok.PublicKey, KeyID: ok.KeyID},
		"a short key":      {DID: ok.DID, KEMID: ok.KEMID, PublicKey: B64.EncodeToString(pub.Key[:31]), KeyID: ok.KeyID},
		"not base64url":    {DID: ok.DID, KEMID: ok.KEMID, PublicKey: "+/=", KeyID: ok.KeyID},
	} {
		if _, err := p.Key(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
