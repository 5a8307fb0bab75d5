package xrpc

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/proxy"
)

// Forwarder sends a call on to another service and streams its answer
// back (backend/proxy's *Proxy). A non-nil error means nothing was written.
type Forwarder interface {
	Forward(w http.ResponseWriter, r *http.Request, c proxy.Call) error
}

var _ Forwarder = (*proxy.Proxy)(nil)

// ModerationHandlers serves com.atproto.moderation.createReport: a report
// is checked here, then forwarded under the reporter's service auth to the
// service of the atproto-proxy header or else the configured report
// service.
type ModerationHandlers struct {
	Proxy Forwarder
	// Services picks the report service (Defaults.Reports) when the call
	// names none.
	Services proxy.Defaults
	Log      *slog.Logger // slog.Default when nil
}

const createReportNSID = "com.atproto.moderation.createReport"

// Methods returns the methods to register.
func (h *ModerationHandlers) Methods() []Method {
	return []Method{{NSID: createReportNSID, Kind: Procedure, Auth: AccessAuth, Raw: h.createReport}}
}

// createReportIn is what createReport checks of a report; the report goes
// on as the client sent it.
type createReportIn struct {
	ReasonType *string         `json:"reasonType"`
	Reason     *string         `json:"reason"`
	Subject    json.RawMessage `json:"subject"`
}

// maxReasonLength is the lexicon's maxLength of a report's reason.
const maxReasonLength = 20000

func (h *ModerationHandlers) createReport(w http.ResponseWriter, r *http.Request) {
	c := &Call{r: r, w: w, Viewer: ViewerFrom(r.Context())}
	body, err := checkReport(c)
	if err == nil {
		err = forwardCall(h.Proxy, h.Services, w, withJSONBody(r, body), c.Viewer, createReportNSID)
	}
	if err != nil && r.Context().Err() == nil {
		writeError(w, r, logOrDefault(h.Log), err)
	}
}

// checkReport reads a createReport body and checks its required fields and
// subject; it returns the body to forward.
func checkReport(c *Call) ([]byte, error) {
	var raw json.RawMessage
	if err := c.Decode(&raw); err != nil {
		return nil, err
	}
	var in createReportIn
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, invalidRequest("request body must be a JSON object: %v", err)
	}
	if in.ReasonType == nil || *in.ReasonType == "" {
		return nil, invalidRequest("Input must have the property \"reasonType\"")
	}
	if in.Reason != nil && len(*in.Reason) > maxReasonLength {
		return nil, invalidRequest("reason must not be longer than %d characters", maxReasonLength)
	}
	if err := checkReportSubject(in.Subject); err != nil {
		return nil, err
	}
	return raw, nil
}

// checkReportSubject accepts a repoRef or strongRef subject.
func checkReportSubject(raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return invalidRequest("Input must have the property \"subject\"")
	}
	var ref subjectRef
	if err := json.Unmarshal(raw, &ref); err != nil {
		return invalidRequest("subject must be an object with a $type")
	}
	switch ref.Type {
	case typeRepoRef, typeStrongRef:
		_, err := parseSubject(raw)
		return err
	}
	return invalidRequest("subject must be a %s or a %s, not %q", typeRepoRef, typeStrongRef, ref.Type)
}

// withJSONBody returns a copy of r that carries body as its JSON body.
func withJSONBody(r *http.Request, body []byte) *http.Request {
	out := r.Clone(r.Context())
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	out.Header.Set("Content-Type", "application/json")
	out.Header.Set("Content-Length", strconv.Itoa(len(body)))
	out.Header.Del("Content-Encoding")
	return out
}

// forwardCall sends a call of method nsid for the viewer to the service of its
// atproto-proxy header or else the method's default.
func forwardCall(fwd Forwarder, services proxy.Defaults, w http.ResponseWriter, r *http.Request, v *Viewer, nsid string) error {
	if fwd == nil {
		return Errorf(http.StatusNotImplemented, "MethodNotImplemented", "proxying is not configured on this server")
	}
	svc, err := services.Target(r, nsid)
	if err != nil {
		return err
	}
	if err := v.RequireRPC(w.Header(), nsid, svc.String()); err != nil {
		return err
	}
	call := proxy.Call{Caller: syntax.DID(v.DID), Service: svc, NSID: syntax.NSID(nsid)}
	return fwd.Forward(w, r, call)
}

func logOrDefault(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}
