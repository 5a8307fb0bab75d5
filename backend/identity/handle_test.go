package identity

import (
	"errors"
	"testing"

	"github.com/bluesky-social/indigo/atproto/syntax"
)

func TestValidateHandle(t *testing.T) {
	domains := []string{".test", "example.com"}
	cases := []struct {
		in   string
		want string
		err  error
	}{
		{"alice.test", "alice.test", nil},
		{"  Alice.TEST ", "alice.test", nil},
		{"bob.example.com", "bob.example.com", nil},
		{"abc.test", "abc.test", nil},
		{"eighteen-chars-123.test", "eighteen-chars-123.test", nil},
		{"nineteen-chars-1234.test", "", ErrInvalidHandle},
		{"ab.test", "", ErrInvalidHandle},
		{"a.b.test", "", ErrInvalidHandle},
		{"sub.bob.example.com", "", ErrInvalidHandle},
		{"-bad.test", "", ErrInvalidHandle},
		{"bad_char.test", "", ErrInvalidHandle},
		{"", "", ErrInvalidHandle},
		{"test", "", ErrInvalidHandle},
		{"alice.local", "", ErrInvalidHandle},
		{"alice.example.org", "", ErrUnsupportedDomain},
		{"example.com", "", ErrUnsupportedDomain},
		{"alice.nottest", "", ErrUnsupportedDomain},
		{"admin.test", "", ErrHandleReserved},
		{"www.example.com", "", ErrHandleReserved},
	}
	for _, c := range cases {
		got, err := ValidateHandle(c.in, domains)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("ValidateHandle(%q) error = %v, want %v", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got.String() != c.want {
			t.Errorf("ValidateHandle(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestValidateHandleDisallowedServiceTLD(t *testing.T) {
	if _, err := ValidateHandle("alice.localhost", []string{".localhost"}); !errors.Is(err, ErrInvalidHandle) {
		t.Fatalf("service domain under .localhost accepted: %v", err)
	}
}

func TestValidateUserDomainHandle(t *testing.T) {
	domains := []string{".test"}
	cases := []struct {
		in  string
		err error
	}{
		{"alice.com", nil},
		{"Deep.Sub.Example.Org", nil},
		{"x.io", nil},
		{"alice.test", ErrInvalidHandle},
		{"alice.onion", ErrInvalidHandle},
		{"alice.internal", ErrInvalidHandle},
		{"handle.invalid", ErrInvalidHandle},
		{"com", ErrInvalidHandle},
		{"alice..com", ErrInvalidHandle},
	}
	for _, c := range cases {
		_, err := ValidateUserDomainHandle(c.in, domains)
		if c.err == nil && err != nil {
			t.Errorf("ValidateUserDomainHandle(%q) = %v, want ok", c.in, err)
		}
		if c.err != nil && !errors.Is(err, c.err) {
			t.Errorf("ValidateUserDomainHandle(%q) = %v, want %v", c.in, err, c.err)
		}
	}
}

func TestServiceDomain(t *testing.T) {
	cases := []struct {
		handle string
		want   string
		ok     bool
	}{
		{"alice.test", ".test", true},
		{"ALICE.Example.COM", ".example.com", true},
		{"alicetest", "", false},
		{"test", "", false},
		{".test", "", false},
	}
	for _, c := range cases {
		got, ok := ServiceDomain(c.handle, []string{"test", ".Example.com", ""})
		if got != c.want || ok != c.ok {
			t.Errorf("ServiceDomain(%q) = %q, %v; want %q, %v", c.handle, got, ok, c.want, c.ok)
		}
	}
}

func TestSetHandle(t *testing.T) {
	d := OpData{AlsoKnownAs: []string{"https://example.com/me", "at://old.test", "at://other.test"}}
	d.SetHandle(syntax.Handle("New.Test"))
	want := []string{"https://example.com/me", "at://new.test", "at://other.test"}
	if len(d.AlsoKnownAs) != 3 || d.AlsoKnownAs[0] != want[0] || d.AlsoKnownAs[1] != want[1] || d.AlsoKnownAs[2] != want[2] {
		t.Fatalf("AlsoKnownAs = %v, want %v", d.AlsoKnownAs, want)
	}
	e := OpData{AlsoKnownAs: []string{"https://example.com/me"}}
	e.SetHandle("alice.test")
	if h, ok := e.Handle(); !ok || h != "alice.test" || e.AlsoKnownAs[0] != "at://alice.test" {
		t.Fatalf("SetHandle without at:// entry: %v (%q, %v)", e.AlsoKnownAs, h, ok)
	}
}
