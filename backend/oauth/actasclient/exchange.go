package actasclient

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/auth/oauth"
)

// Exchange trades the controller's actor token (a service-auth JWT for
// t.ServiceDID and ExchangeMethod, fresh: at most a minute old) for an
// act-as token of t.DID, bound to a new DPoP key. scope "" asks for
// everything the grant allows. The actor token is single-use: mint a new
// one for each exchange.
func (c *Client) Exchange(ctx context.Context, t Target, actorToken, scope string) (*Session, error) {
	key, err := atcrypto.GeneratePrivateKeyP256()
	if err != nil {
		return nil, fmt.Errorf("actasclient: DPoP key: %w", err)
	}
	form := url.Values{
		"grant_type": {GrantTokenExchange}, "client_id": {c.clientID},
		"subject_token": {t.DID.String()}, "subject_token_type": {TokenTypeDID},
		"actor_token": {actorToken}, "actor_token_type": {TokenTypeJWT},
	}
	if scope != "" {
		form.Set("scope", scope)
	}
	nonce := ""
	// The first answer may ask for a server nonce (use_dpop_nonce); the
	// proof is checked before the actor token, so the retry can reuse it.
	for range 2 {
		out, next, err := c.postToken(ctx, t.TokenEndpoint, form, nonce, key)
		if e, ok := err.(*ExchangeError); ok && e.Code == "use_dpop_nonce" && next != "" && next != nonce {
			nonce = next
			continue
		}
		if err != nil {
			return nil, err
		}
		if !strings.EqualFold(out.TokenType, "DPoP") || out.AccessToken == "" {
			return nil, fmt.Errorf("%w: the token endpoint answered a %q token", ErrUnsupported, out.TokenType)
		}
		life := time.Duration(out.ExpiresIn) * time.Second
		if life <= 0 {
			life = time.Minute
		}
		return &Session{
			Target: t, Scope: out.Scope, ExpiresAt: time.Now().Add(life),
			hc: c.hc, clientID: c.clientID, token: out.AccessToken, key: key, nonce: next,
		}, nil
	}
	return nil, fmt.Errorf("%w: the token endpoint gave no usable DPoP nonce", ErrUnreachable)
}

type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// postToken makes one token request with a DPoP proof for nonce; it
// returns the answer and the server's next nonce.
func (c *Client) postToken(ctx context.Context, endpoint string, form url.Values, nonce string, key atcrypto.PrivateKey) (tokenAnswer, string, error) {
	var out tokenAnswer
	proof, err := oauth.NewAuthDPoP(http.MethodPost, endpoint, nonce, key)
	if err != nil {
		return out, "", fmt.Errorf("actasclient: DPoP proof: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return out, "", fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("DPoP", proof)
	resp, err := c.hc.Do(req)
	if err != nil {
		return out, "", fmt.Errorf("%w: the token endpoint: %w", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	next := resp.Header.Get("DPoP-Nonce")
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDoc))
	if err != nil {
		return out, next, fmt.Errorf("%w: the token endpoint: %w", ErrUnreachable, err)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return out, next, fmt.Errorf("%w: the token endpoint answered HTTP %d without JSON", ErrUnreachable, resp.StatusCode)
	}
	if resp.StatusCode != http.StatusOK || out.Error != "" {
		if out.Error == "" {
			out.Error = "server_error"
		}
		return out, next, &ExchangeError{Status: resp.StatusCode, Code: out.Error, Description: out.Description}
	}
	return out, next, nil
}
