package privacy

import (
	"encoding/json"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atdata"

	"github.com/hearthpds/hearth/backend/lexicon"
	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
)

// TestKeyRecordValidates: the record CreateIdentity returns conforms to
// the embedded dev.hearthpds.crypto.encryptionKey lexicon and parses back
// to the same key.
func TestKeyRecordValidates(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		e := newEnv(t, open(t))
		pub, rec, err := e.svc.PublicKey(t.Context(), alice)
		must(t, err)
		b, err := json.Marshal(rec)
		must(t, err)
		data, err := atdata.UnmarshalJSON(b)
		must(t, err)
		status, err := lexicon.ValidateRecord(crypt.KeyRecordNSID, data)
		if err != nil || status != lexicon.Valid {
			t.Fatalf("ValidateRecord = %v, %v (record %s)", status, err, b)
		}
		delete(data, "publicKey")
		if _, err := lexicon.ValidateRecord(crypt.KeyRecordNSID, data); err == nil {
			t.Fatal("a key record without publicKey validated")
		}
		parsed, err := crypt.ParseKeyRecord(b)
		must(t, err)
		if parsed.KeyID() != pub.KeyID() {
			t.Fatal("the record parses to another key")
		}
	})
}
