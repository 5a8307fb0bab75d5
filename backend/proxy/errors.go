package proxy

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/hearthpds/hearth/backend/xrpcerr"
)

// Error is a failure reported to the client as an XRPC error; it is the
// HTTP layer's own type (package xrpcerr), so it needs no conversion there.
type Error = xrpcerr.Error

// Errorf builds an Error.
func Errorf(status int, name, format string, args ...any) *Error {
	return xrpcerr.Errorf(status, name, format, args...)
}

func invalidRequest(format string, args ...any) *Error {
	return Errorf(http.StatusBadRequest, "InvalidRequest", format, args...)
}

// badTokenMethod is the reference PDS's answer to a method the caller's
// token may not be used for through the proxy.
func badTokenMethod() *Error {
	return Errorf(http.StatusBadRequest, "InvalidToken", "Bad token method")
}

func upstreamFailure(cause error, format string, args ...any) *Error {
	e := Errorf(http.StatusBadGateway, "UpstreamFailure", format, args...)
	e.Cause = cause
	return e
}

// responseNames are the XRPC error names of the statuses the protocol
// knows (@atproto/xrpc ResponseType).
var responseNames = map[int]string{
	400: "InvalidRequest", 401: "AuthenticationRequired", 403: "Forbidden",
	404: "XRPCNotSupported", 406: "NotAcceptable", 413: "PayloadTooLarge",
	415: "UnsupportedMediaType", 429: "RateLimitExceeded",
	500: "InternalServerError", 501: "MethodNotImplemented", 502: "UpstreamFailure",
	503: "NotEnoughResources", 504: "UpstreamTimeout",
}

// normalizeStatus maps an upstream error status to one the protocol knows,
// as @atproto/xrpc does: other 4xx become 400, other 5xx 500.
func normalizeStatus(status int) int {
	if _, ok := responseNames[status]; ok {
		return status
	}
	if status >= 400 && status < 500 {
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// WriteError sends err as an XRPC error response. Errors other than *Error
// become a bare 500 InternalServerError; the caller logs their cause.
func WriteError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = Errorf(http.StatusInternalServerError, "InternalServerError", "Internal Server Error")
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="hearth"`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": e.Name, "message": e.Message})
}
