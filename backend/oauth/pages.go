package oauth

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/hearthpds/hearth/backend/scopes"
)

//go:embed templates/authorize.html
var templateFiles embed.FS

var pageTemplate = template.Must(template.ParseFS(templateFiles, "templates/authorize.html"))

// page is what the authorization page shows.
type page struct {
	View       string // login, choose, consent, error
	Title      string
	Message    string // error view
	Error      string // a problem with the last submission
	Action     string
	ClientID   string
	RequestURI string
	CSRF       string
	Identifier string
	Accounts   []pageAccount
	Account    pageAccount
	Scopes     []pageScope

	// Signing in as a controller of Delegated (the login_hint account):
	// the controllers hosted here sign in with their password, the others
	// at their own PDS.
	Delegated         pageAccount
	LocalControllers  bool
	RemoteControllers []pageAccount
	Controller        string // the controller form's identifier

	// The consent page of a controller (Actor) acting as Account.
	Actor       pageAccount
	ActorTicket string
	Dropped     []string // requested scope tokens the grant does not allow
}

type pageAccount struct{ DID, Handle string }

// pageScope is one requested scope token with its plain-words lines.
type pageScope struct {
	ID       int
	Token    string
	Lines    []string
	Required bool
}

// render writes the page with a status.
func (s *Server) render(w http.ResponseWriter, status int, p page) {
	p.Action = pathAuthorize
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
		s.log.Error("oauth page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorPage shows a problem that cannot be sent back to the client.
func (s *Server) errorPage(w http.ResponseWriter, status int, title, msg string) {
	s.render(w, status, page{View: "error", Title: title, Message: msg})
}

// describeScopes lists the requested scope tokens in plain words; atproto
// is always granted.
func describeScopes(scope string) []pageScope {
	var out []pageScope
	for i, tok := range strings.Fields(scope) {
		ps := pageScope{ID: i, Token: tok, Required: tok == "atproto"}
		if ps.Required {
			ps.Lines = []string{"Know which account you are (your DID and handle)"}
		} else if set, invalid, err := scopes.Parse("atproto " + tok); err == nil && len(invalid) == 0 {
			lines := set.Describe()
			if len(lines) > 0 {
				lines = lines[1:] // the atproto line
			}
			ps.Lines = lines
		}
		if len(ps.Lines) == 0 {
			ps.Lines = []string{"A permission this server does not describe: " + strconv.Quote(tok)}
		}
		out = append(out, ps)
	}
	return out
}
