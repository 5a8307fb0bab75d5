package xrpc_test

import (
	"strings"
	"testing"
)

// TestBadInputEmail: the email and password-reset methods refuse malformed
// input with the right XRPC error, on a server with no mail server
// configured (newSession's), where sending a token answers
// EmailNotConfigured.
func TestBadInputEmail(t *testing.T) {
	s := newSession(t)
	const ns = "com.atproto.server."
	for _, m := range []struct{ nsid, auth string }{
		{"confirmEmail", "user"}, {"updateEmail", "user"}, {"requestPasswordReset", ""}, {"resetPassword", ""},
	} {
		runBadCases(t, s, commonBodyCases(ns+m.nsid, m.auth))
	}
	for _, nsid := range []string{"requestEmailConfirmation", "requestEmailUpdate", "confirmEmail", "updateEmail"} {
		runBadCases(t, s, []badCase{
			{name: "no auth", method: "POST", nsid: ns + nsid, body: "{}", status: 401, errName: "AuthRequired"},
			{name: "bad token", method: "POST", nsid: ns + nsid, body: "{}", auth: "bad", status: 401, errName: "InvalidToken"},
			{name: "refresh token as access", method: "POST", nsid: ns + nsid, body: "{}", auth: "refresh", status: 401, errName: "InvalidToken"},
			{name: "GET on a procedure", method: "GET", nsid: ns + nsid, auth: "user", status: 405, errName: "InvalidRequest"},
		})
	}
	longToken := strings.Repeat("A", 5000)
	runBadCases(t, s, []badCase{
		{name: "no mail server", method: "POST", nsid: ns + "requestEmailConfirmation", auth: "user", status: 501, errName: "EmailNotConfigured"},
		{name: "no mail server, with a body", method: "POST", nsid: ns + "requestEmailConfirmation", body: `{"x":1}`, auth: "user", status: 501, errName: "EmailNotConfigured"},

		{name: "confirm: missing token", method: "POST", nsid: ns + "confirmEmail", body: `{"email":"carol@example.com"}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "confirm: missing email", method: "POST", nsid: ns + "confirmEmail", body: `{"token":"AAAAA-AAAAA"}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "confirm: token wrong type", method: "POST", nsid: ns + "confirmEmail", body: `{"email":"carol@example.com","token":5}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "confirm: email wrong type", method: "POST", nsid: ns + "confirmEmail", body: `{"email":["carol@example.com"],"token":"AAAAA-AAAAA"}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "confirm: other email", method: "POST", nsid: ns + "confirmEmail", body: `{"email":"eve@example.com","token":"AAAAA-AAAAA"}`, auth: "user", status: 400, errName: "InvalidEmail"},
		{name: "confirm: no token issued", method: "POST", nsid: ns + "confirmEmail", body: `{"email":"carol@example.com","token":"AAAAA-AAAAA"}`, auth: "user", status: 400, errName: "InvalidToken"},
		{name: "confirm: junk token", method: "POST", nsid: ns + "confirmEmail", body: `{"email":"carol@example.com","token":"` + longToken + `"}`, auth: "user", status: 400, errName: "InvalidToken"},

		{name: "update: missing email", method: "POST", nsid: ns + "updateEmail", body: `{}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "update: invalid email", method: "POST", nsid: ns + "updateEmail", body: `{"email":"not-an-email"}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "update: email with header injection", method: "POST", nsid: ns + "updateEmail", body: `{"email":"a@example.com\r\nBcc: eve@example.com"}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "update: email wrong type", method: "POST", nsid: ns + "updateEmail", body: `{"email":5}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "update: token wrong type", method: "POST", nsid: ns + "updateEmail", body: `{"email":"a@example.com","token":{}}`, auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "update: emailAuthFactor wrong type", method: "POST", nsid: ns + "updateEmail", body: `{"email":"a@example.com","emailAuthFactor":"yes"}`, auth: "user", status: 400, errName: "InvalidRequest"},

		{name: "reset request: missing email", method: "POST", nsid: ns + "requestPasswordReset", body: `{}`, status: 400, errName: "InvalidRequest"},
		{name: "reset request: email wrong type", method: "POST", nsid: ns + "requestPasswordReset", body: `{"email":true}`, status: 400, errName: "InvalidRequest"},
		{name: "reset request: unknown email", method: "POST", nsid: ns + "requestPasswordReset", body: `{"email":"nobody@example.com"}`, status: 400, errName: "InvalidRequest"},
		{name: "reset request: no mail server", method: "POST", nsid: ns + "requestPasswordReset", body: `{"email":"carol@example.com"}`, status: 501, errName: "EmailNotConfigured"},
		{name: "reset request: bad token ignored", method: "POST", nsid: ns + "requestPasswordReset", body: `{"email":"nobody@example.com"}`, auth: "bad", status: 400, errName: "InvalidRequest"},

		{name: "reset: missing password", method: "POST", nsid: ns + "resetPassword", body: `{"token":"AAAAA-AAAAA"}`, status: 400, errName: "InvalidRequest"},
		{name: "reset: missing token", method: "POST", nsid: ns + "resetPassword", body: `{"password":"new password"}`, status: 400, errName: "InvalidRequest"},
		{name: "reset: token wrong type", method: "POST", nsid: ns + "resetPassword", body: `{"token":1,"password":"new password"}`, status: 400, errName: "InvalidRequest"},
		{name: "reset: unknown token", method: "POST", nsid: ns + "resetPassword", body: `{"token":"AAAAA-AAAAA","password":"new password"}`, status: 400, errName: "InvalidToken"},
		{name: "reset: malformed token", method: "POST", nsid: ns + "resetPassword", body: `{"token":"` + longToken + `","password":"new password"}`, status: 400, errName: "InvalidToken"},
		{name: "reset: password too long", method: "POST", nsid: ns + "resetPassword", body: `{"token":"AAAAA-AAAAA","password":"` + strings.Repeat("p", 300) + `"}`, status: 400, errName: "InvalidRequest"},
	})
}
