package plcserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/identity"
)

// Version is what GET /_health reports.
const Version = "hearth-plc-standin"

// Options configure a Server. The zero value is an in-memory directory.
type Options struct {
	// Path, when not empty, names a JSON file holding the directory's
	// operations: loaded (and re-verified) by New if it exists, rewritten
	// atomically after every accepted operation.
	Path string
	// Now is the clock used for createdAt and the 72-hour recovery window;
	// nil means time.Now.
	Now func() time.Time
	// Logger receives the cause of 500 answers; nil means slog.Default().
	Logger *slog.Logger
}

// Server is a local did:plc directory. It implements http.Handler.
type Server struct {
	mux  *http.ServeMux
	now  func() time.Time
	log  *slog.Logger
	path string

	mu      sync.Mutex
	entries []identity.LogEntry  // every operation, in acceptance order
	byDID   map[syntax.DID][]int // indexes into entries, per DID, in order
}

var _ http.Handler = (*Server)(nil)

// New returns a Server configured by opts, with the operations of
// opts.Path loaded when that file exists. It fails if the file cannot be
// read or holds a log that does not verify.
func New(opts Options) (*Server, error) {
	s := &Server{
		mux:   http.NewServeMux(),
		now:   opts.Now,
		log:   opts.Logger,
		path:  opts.Path,
		byDID: map[syntax.DID][]int{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if err := s.load(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /_health", s.handleHealth)
	s.mux.HandleFunc("GET /export", s.handleExport)
	s.mux.HandleFunc("GET /{did}", s.handleDocument)
	s.mux.HandleFunc("POST /{did}", s.handleSubmit)
	s.mux.HandleFunc("GET /{did}/data", s.handleData)
	s.mux.HandleFunc("GET /{did}/log", s.handleLog)
	s.mux.HandleFunc("GET /{did}/log/audit", s.handleAuditLog)
	s.mux.HandleFunc("GET /{did}/log/last", s.handleLastOp)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path))
	})
}

// ServeHTTP answers the did:plc directory API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// apiError is an answer other than 200, with the directory's message.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError {
	return &apiError{status: http.StatusNotFound, msg: fmt.Sprintf(format, args...)}
}

// fail writes err: an *apiError as itself, anything else as a logged 500.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *apiError
	if errors.As(err, &e) {
		writeError(w, e.status, e.msg)
		return
	}
	s.log.Error("plc stand-in: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, "Internal Server Error")
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, "application/json", map[string]string{"message": msg})
}

func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"message":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
