package xrpc

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/xrpcerr"
)

// Error is an XRPC error response: {"error": Name, "message": Message}.
// It is the type the proxy returns too (package xrpcerr).
type Error = xrpcerr.Error

// Errorf builds an Error.
func Errorf(status int, name, format string, args ...any) *Error {
	return xrpcerr.Errorf(status, name, format, args...)
}

// Common errors.
func invalidRequest(format string, args ...any) *Error {
	return Errorf(http.StatusBadRequest, "InvalidRequest", format, args...)
}

func authRequired(format string, args ...any) *Error {
	return Errorf(http.StatusUnauthorized, "AuthRequired", format, args...)
}

func forbidden(format string, args ...any) *Error {
	return Errorf(http.StatusForbidden, "Forbidden", format, args...)
}

// errorMap maps sentinel errors of the backend to XRPC errors. The first
// match wins; the message is the error's own text unless set here.
var errorMap = []struct {
	target error
	status int
	name   string
}{
	{repo.ErrRepoNotFound, http.StatusNotFound, "RepoNotFound"},
	{repo.ErrRecordNotFound, http.StatusBadRequest, "InvalidRequest"},
	{repo.ErrRecordExists, http.StatusConflict, "InvalidRequest"},
	{repo.ErrInvalidSwap, http.StatusBadRequest, "InvalidSwap"},
	{store.ErrInviteUnavailable, http.StatusBadRequest, "InvalidInviteCode"},
}

// toError maps err to the Error sent to the client. ok is false for
// unexpected errors, which become a 500 whose cause is logged, not sent.
func toError(err error) (e *Error, ok bool) {
	if errors.As(err, &e) {
		return e, true
	}
	var iw *repo.InvalidWriteError
	if errors.As(err, &iw) {
		// A plugin's refusal keeps the error name it chose.
		var rej *repo.HookRejectedError
		if errors.As(iw, &rej) && rej.Name != "" {
			return Errorf(http.StatusBadRequest, rej.Name, "%s", iw.Message), true
		}
		return invalidRequest("%s", iw.Message), true
	}
	for _, m := range errorMap {
		if errors.Is(err, m.target) {
			return &Error{Status: m.status, Name: m.name, Message: err.Error()}, true
		}
	}
	if errors.Is(err, errBodyTooLarge) {
		return Errorf(http.StatusRequestEntityTooLarge, "PayloadTooLarge", "request body is too large"), true
	}
	return Errorf(http.StatusInternalServerError, "InternalServerError", "Internal Server Error"), false
}

// writeError sends err as an XRPC error response.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		// The client closed the request (or half-closed its connection)
		// before it was answered: not a server failure.
		log.Debug("xrpc request canceled by the client", "path", r.URL.Path)
		err = invalidRequest("the client closed the request before it was answered")
	}
	e, ok := toError(err)
	if !ok {
		log.Error("xrpc handler failed", "path", r.URL.Path, "err", err)
	} else if e.Status >= 500 && e.Status != http.StatusNotImplemented {
		log.Warn("xrpc error", "path", r.URL.Path, "error", e.Name, "err", err)
	}
	if e.Status == http.StatusUnauthorized {
		setChallenge(w.Header(), err)
	}
	writeJSON(w, e.Status, map[string]string{"error": e.Name, "message": e.Message})
}

// writeJSON sends v as a JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ToError maps err to the XRPC error a client would receive for it, for
// callers outside the HTTP layer (the desktop app shows the same names).
// ok is false for unexpected errors (a 500 over HTTP).
func ToError(err error) (e *Error, ok bool) { return toError(err) }
