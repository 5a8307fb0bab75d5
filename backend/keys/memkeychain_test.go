package keys

import (
	"errors"
	"testing"
)

func TestMemKeychain(t *testing.T) {
	var kc Keychain = NewMemKeychain()
	if _, err := kc.Get("hearth", "master"); !errors.Is(err, ErrKeychainNotFound) {
		t.Fatalf("Get on empty: %v", err)
	}
	if err := kc.Set("hearth", "master", "one"); err != nil {
		t.Fatal(err)
	}
	if err := kc.Set("hearth", "master", "two"); err != nil {
		t.Fatal(err)
	}
	if err := kc.Set("hearth", "other", "three"); err != nil {
		t.Fatal(err)
	}
	if got, err := kc.Get("hearth", "master"); err != nil || got != "two" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if err := kc.Delete("hearth", "master"); err != nil {
		t.Fatal(err)
	}
	if err := kc.Delete("hearth", "master"); !errors.Is(err, ErrKeychainNotFound) {
		t.Fatalf("second Delete: %v", err)
	}
	if got, err := kc.Get("hearth", "other"); err != nil || got != "three" {
		t.Fatalf("other entry: %q, %v", got, err)
	}
	var zero MemKeychain
	if err := zero.Set("s", "u", "v"); err != nil {
		t.Fatal(err)
	}
	assertPrintsNoSecret(t, &zero)
}
