package auth

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"
)

var appPasswordRE = regexp.MustCompile(`^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$`)

func TestGenerateAppPassword(t *testing.T) {
	seen := map[string]bool{}
	used := map[rune]bool{}
	for range 2000 {
		pw, err := GenerateAppPassword()
		if err != nil {
			t.Fatal(err)
		}
		if !appPasswordRE.MatchString(pw) {
			t.Fatalf("%q does not match xxxx-xxxx-xxxx-xxxx", pw)
		}
		if !IsAppPasswordFormat(pw) {
			t.Fatalf("IsAppPasswordFormat(%q) = false", pw)
		}
		if seen[pw] {
			t.Fatalf("duplicate app password %q", pw)
		}
		seen[pw] = true
		for _, r := range strings.ReplaceAll(pw, "-", "") {
			used[r] = true
		}
	}
	// 16 characters from a 32-letter alphabet carry 80 bits only if every
	// letter can occur; 32,000 draws make a missing letter vanishingly unlikely.
	if len(used) != len(appPasswordAlphabet) {
		t.Fatalf("only %d of %d alphabet characters ever appeared", len(used), len(appPasswordAlphabet))
	}
	if AppPasswordEntropyBits < 80 || 16*5 != AppPasswordEntropyBits {
		t.Fatalf("entropy constant %d inconsistent with the format", AppPasswordEntropyBits)
	}
}

func TestIsAppPasswordFormat(t *testing.T) {
	for _, s := range []string{
		"", "abcd-efgh-ijkl-mnop-", "abcd-efgh-ijkl-mno", "abcdefghijklmnopqrs",
		"ABCD-EFGH-IJKL-MNOP", "abcd-efgh-ijkl-mn0p", "abcd_efgh_ijkl_mnop", "abcd-efgh-ijklm-nop",
		"my ordinary password",
	} {
		if IsAppPasswordFormat(s) {
			t.Errorf("IsAppPasswordFormat(%q) = true", s)
		}
	}
	if !IsAppPasswordFormat("abcd-efgh-ijkl-2345") {
		t.Error("valid format rejected")
	}
}

func TestAppPasswordHash(t *testing.T) {
	pepper := bytes.Repeat([]byte{1}, 32)
	const did, pw = "did:plc:alice", "abcd-efgh-ijkl-mnop"
	h := AppPasswordHash(pepper, did, pw)
	if len(h) != 32 {
		t.Fatalf("hash is %d bytes", len(h))
	}
	if !bytes.Equal(h, AppPasswordHash(pepper, did, pw)) {
		t.Fatal("not deterministic")
	}
	others := [][]byte{
		AppPasswordHash(bytes.Repeat([]byte{2}, 32), did, pw),
		AppPasswordHash(pepper, "did:plc:bob", pw),
		AppPasswordHash(pepper, did, "abcd-efgh-ijkl-mnoq"),
		// Field boundaries are unambiguous.
		AppPasswordHash(pepper, did+"a", "bcd-efgh-ijkl-mnop"),
	}
	for i, o := range others {
		if bytes.Equal(h, o) {
			t.Fatalf("variant %d hashes the same", i)
		}
	}
}

func TestValidateAppPasswordName(t *testing.T) {
	for _, ok := range []string{"a", "Bluesky for iPhone", "graysky-2", "日本語のアプリ", strings.Repeat("x", MaxAppPasswordNameLen)} {
		if err := ValidateAppPasswordName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "   ", " lead", "trail ", "tab\there", "new\nline", "nul\x00", "bad\xffutf8",
		strings.Repeat("x", MaxAppPasswordNameLen+1)} {
		if err := ValidateAppPasswordName(bad); !errors.Is(err, ErrInvalidAppPasswordName) {
			t.Errorf("%q: err = %v, want ErrInvalidAppPasswordName", bad, err)
		}
	}
}
