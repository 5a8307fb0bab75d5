package server

import (
	"context"

	"github.com/hearthpds/hearth/backend/account"
	"github.com/hearthpds/hearth/backend/privacy/remote"
)

// privacyNetwork lets the privacy service read, as a grantee hosted here,
// what owners on other PDSes granted it (privacy.Service.ReadGranted): an
// owner's PDS is found from its DID document, and each call carries a
// fresh service-auth JWT this server mints with the grantee's signing key,
// as getServiceAuth would (aud the owner's PDS, lxm the method).
func (s *Server) privacyNetwork() *remote.Network {
	return &remote.Network{Dir: s.dir, HTTP: s.hc, Mint: s.mintServiceAuth}
}

// mintServiceAuth returns a service-auth JWT issued by iss, an account
// hosted here, for aud and lxm, under getServiceAuth's rules.
func (s *Server) mintServiceAuth(ctx context.Context, iss, aud, lxm string) (string, error) {
	return s.lifecycle.ServiceAuthToken(ctx, account.ServiceAuthRequest{DID: iss, Audience: aud, Method: lxm})
}
