package xrpc_test

import (
	"testing"

	"github.com/hearthpds/hearth/backend/lexicon"
	"github.com/hearthpds/hearth/backend/xrpc"
)

// TestPrivateMethodsHaveLexicons: every dev.hearthpds.private.* and
// dev.hearthpds.crypto.* method served has a lexicon of the same kind,
// and the methods are all there.
func TestPrivateMethodsHaveLexicons(t *testing.T) {
	served := map[string]bool{}
	for _, m := range (&xrpc.PrivateHandlers{}).Methods() {
		served[m.NSID] = true
		want := lexicon.KindQuery
		if m.Kind == xrpc.Procedure {
			want = lexicon.KindProcedure
		}
		if l, ok := lexicon.LookupMethod(m.NSID); !ok || l.Kind != want {
			t.Errorf("%s: lexicon %+v, %v; want a %s", m.NSID, l, ok, want)
		}
	}
	for _, nsid := range []string{
		"dev.hearthpds.crypto.getPublicKey", "dev.hearthpds.private.putRecord", "dev.hearthpds.private.deleteRecord",
		"dev.hearthpds.private.getEncryptedRecord", "dev.hearthpds.private.listEncryptedRecords", "dev.hearthpds.private.grantAccess",
		"dev.hearthpds.private.revokeAccess", "dev.hearthpds.private.listGrants", "dev.hearthpds.private.getGrantKeys",
		"dev.hearthpds.private.uploadBlob", "dev.hearthpds.private.getBlob", "dev.hearthpds.crypto.putKeyBackup",
		"dev.hearthpds.crypto.getKeyBackup",
	} {
		if !served[nsid] {
			t.Errorf("%s is not served", nsid)
		}
	}
	for _, old := range []string{"dev.hearthpds.private.getRecord", "dev.hearthpds.private.listRecords"} {
		if served[old] {
			t.Errorf("%s is still served under its old name", old)
		}
		if _, ok := lexicon.LookupMethod(old); ok {
			t.Errorf("%s still has a lexicon", old)
		}
	}
}
