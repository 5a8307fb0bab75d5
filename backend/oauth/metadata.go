package oauth

import (
	"net/http"
)

// ScopesSupported are the scopes the metadata advertises: atproto, the
// transition scopes and the granular permission prefixes.
var ScopesSupported = []string{
	"atproto", "transition:generic", "transition:chat.bsky", "transition:email",
	"account", "blob", "identity", "include", "repo", "rpc",
}

// protectedResource serves /.well-known/oauth-protected-resource.
func (s *Server) protectedResource(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, map[string]any{
		"resource":                 s.cfg.Issuer,
		"authorization_servers":    []string{s.cfg.Issuer},
		"scopes_supported":         []string{},
		"bearer_methods_supported": []string{"header"},
		"resource_documentation":   "https://atproto.com",
	})
}

// authServerMetadata serves /.well-known/oauth-authorization-server.
func (s *Server) authServerMetadata(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                           s.cfg.Issuer,
		"authorization_endpoint":                           s.endpoint(pathAuthorize),
		"token_endpoint":                                   s.endpoint(pathToken),
		"pushed_authorization_request_endpoint":            s.endpoint(pathPAR),
		"revocation_endpoint":                              s.endpoint(pathRevoke),
		"require_pushed_authorization_requests":            true,
		"response_types_supported":                         []string{"code"},
		"response_modes_supported":                         []string{"query", "fragment"},
		"grant_types_supported":                            []string{"authorization_code", "refresh_token", grantTokenExchange},
		"code_challenge_methods_supported":                 []string{"S256"},
		"token_endpoint_auth_methods_supported":            []string{"none", "private_key_jwt"},
		"token_endpoint_auth_signing_alg_values_supported": []string{"ES256"},
		"revocation_endpoint_auth_methods_supported":       []string{"none", "private_key_jwt"},
		"dpop_signing_alg_values_supported":                []string{"ES256"},
		"scopes_supported":                                 ScopesSupported,
		"subject_types_supported":                          []string{"public"},
		"authorization_response_iss_parameter_supported":   true,
		"client_id_metadata_document_supported":            true,
		"request_parameter_supported":                      false,
		"request_uri_parameter_supported":                  true,
		"require_request_uri_registration":                 true,
		"prompt_values_supported":                          []string{"none", "login", "consent", "select_account"},
		"ui_locales_supported":                             []string{"en"},
		"protected_resources":                              []string{s.cfg.Issuer},
	})
}
