package oauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
)

// Error is an OAuth error response (RFC 6749 section 5.2, RFC 9449):
// {"error": Code, "error_description": Description} with HTTP Status.
type Error struct {
	Status      int
	Code        string
	Description string
}

// Error returns the code and description.
func (e *Error) Error() string { return e.Code + ": " + e.Description }

// errorf builds an *Error.
func errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Description: fmt.Sprintf(format, args...)}
}

// Error constructors for the codes the endpoints use.
func invalidRequest(format string, args ...any) *Error {
	return errorf(http.StatusBadRequest, "invalid_request", format, args...)
}

func invalidClient(format string, args ...any) *Error {
	return errorf(http.StatusBadRequest, "invalid_client", format, args...)
}

func invalidGrant(format string, args ...any) *Error {
	return errorf(http.StatusBadRequest, "invalid_grant", format, args...)
}

func invalidScope(format string, args ...any) *Error {
	return errorf(http.StatusBadRequest, "invalid_scope", format, args...)
}

func invalidDPoP(format string, args ...any) *Error {
	return errorf(http.StatusBadRequest, "invalid_dpop_proof", format, args...)
}

// errUseNonce asks the client to retry with the nonce in the DPoP-Nonce
// header.
func errUseNonce(format string, args ...any) *Error {
	return errorf(http.StatusBadRequest, "use_dpop_nonce", format, args...)
}

// writeError sends err as an OAuth error. Errors that are not *Error are
// server failures: logged, and answered as server_error without detail.
func writeError(w http.ResponseWriter, log *slog.Logger, r *http.Request, err error) {
	var e *Error
	if !errors.As(err, &e) {
		log.Error("oauth request failed", "path", r.URL.Path, "err", err)
		e = errorf(http.StatusInternalServerError, "server_error", "internal error")
	}
	writeJSON(w, e.Status, map[string]string{"error": e.Code, "error_description": e.Description})
}

// writeJSON sends v as an uncacheable JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// errorsAs is errors.As (kept short for call sites with many branches).
func errorsAs(err error, target any) bool { return errors.As(err, target) }
