// Command privacy is the server's test guest for the privacy hooks: it
// refuses grants to the DID its "refuse" setting names, and notes in kv
// every grant request and every key rotation it is told of, so the tests
// can check what plugins see (the owner, the collection, the grantee, the
// epoch — never a key).
package main

import (
	"strconv"

	pds "github.com/hearthpds/hearth/plugins/sdk/go"
)

func main() {}

func init() {
	pds.Register(pds.Plugin{
		OnAccessGrantRequest: func(ev pds.GrantEvent) pds.Decision {
			_ = pds.KVPut("grant/"+ev.Collection+"/"+ev.Grantee, []byte(ev.Owner+" "+strconv.FormatInt(ev.Epoch, 10)))
			if refuse, err := pds.Config("refuse"); err == nil && refuse != "" && refuse == ev.Grantee {
				return pds.Reject("GranteeRefused", "grants to "+ev.Grantee+" are not allowed here")
			}
			return pds.Allow()
		},
		OnKeyRotation: func(ev pds.GrantEvent) {
			_ = pds.KVPut("rotation/"+ev.Collection+"/"+strconv.FormatInt(ev.Epoch, 10), []byte(ev.Owner+" "+ev.Grantee))
		},
	})
}
