package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// App password format: four groups of four characters from the lowercase
// base32 alphabet, "xxxx-xxxx-xxxx-xxxx", as the reference PDS generates
// them. 16 characters of 5 bits each give AppPasswordEntropyBits.
const (
	AppPasswordEntropyBits = 80
	appPasswordAlphabet    = "abcdefghijklmnopqrstuvwxyz234567"
	appPasswordGroups      = 4
	appPasswordGroupLen    = 4
	appPasswordLen         = appPasswordGroups*appPasswordGroupLen + appPasswordGroups - 1
)

// MaxAppPasswordNameLen is the longest app password name, in characters.
const MaxAppPasswordNameLen = 64

// appPasswordHashDomain separates app password hashes from any other use of
// the pepper.
const appPasswordHashDomain = "hearth app password v1"

var appPasswordEncoding = base32.NewEncoding(appPasswordAlphabet).WithPadding(base32.NoPadding)

// GenerateAppPassword returns a new random app password in the reference
// format, "xxxx-xxxx-xxxx-xxxx" (AppPasswordEntropyBits bits of entropy).
// It is shown to the user once; only AppPasswordHash of it is stored.
func GenerateAppPassword() (string, error) {
	var raw [AppPasswordEntropyBits / 8]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("auth: generate app password: %w", err)
	}
	s := appPasswordEncoding.EncodeToString(raw[:])
	groups := make([]string, appPasswordGroups)
	for i := range groups {
		groups[i] = s[i*appPasswordGroupLen : (i+1)*appPasswordGroupLen]
	}
	return strings.Join(groups, "-"), nil
}

// IsAppPasswordFormat reports whether s has the shape of a generated app
// password, so a login can skip the app password lookup for anything else.
func IsAppPasswordFormat(s string) bool {
	if len(s) != appPasswordLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (i+1)%(appPasswordGroupLen+1) == 0 {
			if s[i] != '-' {
				return false
			}
		} else if strings.IndexByte(appPasswordAlphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}

// AppPasswordHash is the deterministic, keyed hash under which an app
// password is stored and looked up (store.Sessions.GetAppPasswordByHash):
// HMAC-SHA256 under pepper (derived from the master key, see
// keys.PurposeAppPasswordPepper) of the account's DID and the password.
// App passwords are server-generated with 80 bits of entropy, so a fast keyed
// hash is enough; binding the DID means the same password hashes differently
// for two accounts.
func AppPasswordHash(pepper []byte, did, password string) []byte {
	m := hmac.New(sha256.New, pepper)
	for _, part := range []string{appPasswordHashDomain, did, password} {
		m.Write([]byte(part))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

// ValidateAppPasswordName checks a name chosen for a new app password: valid
// UTF-8, not blank, at most MaxAppPasswordNameLen characters, no control
// characters, no leading or trailing white space. It returns an error
// matching ErrInvalidAppPasswordName.
func ValidateAppPasswordName(name string) error {
	switch {
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: not valid UTF-8", ErrInvalidAppPasswordName)
	case strings.TrimSpace(name) == "":
		return fmt.Errorf("%w: empty", ErrInvalidAppPasswordName)
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("%w: leading or trailing white space", ErrInvalidAppPasswordName)
	case utf8.RuneCountInString(name) > MaxAppPasswordNameLen:
		return fmt.Errorf("%w: longer than %d characters", ErrInvalidAppPasswordName, MaxAppPasswordNameLen)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return fmt.Errorf("%w: contains control characters", ErrInvalidAppPasswordName)
	}
	return nil
}
