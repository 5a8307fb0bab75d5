package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestHashPasswordFormatAndVerify(t *testing.T) {
	ctx := context.Background()
	phc, err := HashPassword(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("PHC string %q lacks the expected prefix", phc)
	}
	h, err := parsePHC(phc)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.salt) != 16 || len(h.key) != 32 {
		t.Fatalf("salt %d bytes, key %d bytes", len(h.salt), len(h.key))
	}
	if ok, err := VerifyPassword(ctx, "correct horse battery staple", phc); err != nil || !ok {
		t.Fatalf("right password: %v, %v", ok, err)
	}
	for _, wrong := range []string{"correct horse battery stapl", "Correct horse battery staple", "x"} {
		if ok, err := VerifyPassword(ctx, wrong, phc); err != nil || ok {
			t.Fatalf("wrong password %q: %v, %v", wrong, ok, err)
		}
	}
	if NeedsRehash(phc) {
		t.Fatal("a fresh hash needs rehashing")
	}
}

func TestHashPasswordSaltsEachHash(t *testing.T) {
	ctx := context.Background()
	a, _ := HashPassword(ctx, "same")
	b, _ := HashPassword(ctx, "same")
	if a == b {
		t.Fatal("two hashes of one password are equal")
	}
}

func TestHashPasswordRejectsBadPasswords(t *testing.T) {
	ctx := context.Background()
	if _, err := HashPassword(ctx, ""); !errors.Is(err, ErrPasswordEmpty) {
		t.Fatalf("empty: %v", err)
	}
	if _, err := HashPassword(ctx, strings.Repeat("a", MaxPasswordLen+1)); !errors.Is(err, ErrPasswordTooLong) {
		t.Fatalf("too long: %v", err)
	}
	if err := ValidatePassword(strings.Repeat("é", MaxPasswordLen/2)); err != nil {
		t.Fatalf("exactly %d bytes: %v", MaxPasswordLen, err)
	}
	if err := ValidatePassword(strings.Repeat("é", MaxPasswordLen/2) + "a"); !errors.Is(err, ErrPasswordTooLong) {
		t.Fatalf("limit counts bytes, not characters: %v", err)
	}
}

func TestVerifyPasswordBadCandidateIsMismatch(t *testing.T) {
	ctx := context.Background()
	phc, _ := HashPassword(ctx, "pw")
	for _, pw := range []string{"", strings.Repeat("a", MaxPasswordLen+1)} {
		if ok, err := VerifyPassword(ctx, pw, phc); ok || err != nil {
			t.Fatalf("candidate of %d bytes: %v, %v; want false, nil", len(pw), ok, err)
		}
	}
}

func TestVerifyPasswordOlderParameters(t *testing.T) {
	ctx := context.Background()
	salt := []byte("0123456789abcdef")
	p := argon2Params{memoryKiB: 8 * 1024, time: 1, threads: 1}
	key, err := computeArgon2(ctx, "old", salt, p, 32)
	if err != nil {
		t.Fatal(err)
	}
	phc := encodePHC(phcHash{params: p, salt: salt, key: key})
	if ok, err := VerifyPassword(ctx, "old", phc); err != nil || !ok {
		t.Fatalf("hash with older parameters: %v, %v", ok, err)
	}
	if !NeedsRehash(phc) {
		t.Fatal("older parameters do not need rehashing")
	}
}

func TestVerifyPasswordMalformedHashes(t *testing.T) {
	ctx := context.Background()
	good, _ := HashPassword(ctx, "pw")
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	cases := map[string]string{
		"empty":               "",
		"garbage":             "not a hash",
		"bcrypt":              "$2b$10$abcdefghijklmnopqrstuu5Z0Ls8I4KkbZfK2aA5M6yU1FJ2mDvkO",
		"argon2i":             "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
		"scrypt":              "$scrypt$ln=15,r=8,p=1$" + salt + "$" + key,
		"old version":         "$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key,
		"no version":          "$argon2id$m=19456,t=2,p=1$" + salt + "$" + key,
		"missing hash":        "$argon2id$v=19$m=19456,t=2,p=1$" + salt,
		"extra field":         good + "$x",
		"no leading dollar":   strings.TrimPrefix(good, "$"),
		"params out of order": "$argon2id$v=19$t=2,m=19456,p=1$" + salt + "$" + key,
		"two params":          "$argon2id$v=19$m=19456,t=2$" + salt + "$" + key,
		"zero time":           "$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key,
		"negative memory":     "$argon2id$v=19$m=-1,t=2,p=1$" + salt + "$" + key,
		"huge memory":         "$argon2id$v=19$m=4194304,t=2,p=1$" + salt + "$" + key,
		"huge time":           "$argon2id$v=19$m=19456,t=1000,p=1$" + salt + "$" + key,
		"too many lanes":      "$argon2id$v=19$m=19456,t=2,p=255$" + salt + "$" + key,
		"memory below lanes":  "$argon2id$v=19$m=8,t=2,p=2$" + salt + "$" + key,
		"not a number":        "$argon2id$v=19$m=lots,t=2,p=1$" + salt + "$" + key,
		"plus sign":           "$argon2id$v=19$m=+19456,t=2,p=1$" + salt + "$" + key,
		"padded salt":         "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "==$" + key,
		"bad base64":          "$argon2id$v=19$m=19456,t=2,p=1$!!!!$" + key,
		"short salt":          "$argon2id$v=19$m=19456,t=2,p=1$YWJj$" + key,
		"short hash":          "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$YWJj",
		"empty salt":          "$argon2id$v=19$m=19456,t=2,p=1$$" + key,
	}
	for name, phc := range cases {
		t.Run(name, func(t *testing.T) {
			ok, err := VerifyPassword(ctx, "pw", phc)
			if ok || !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("VerifyPassword = %v, %v; want false, ErrMalformedHash", ok, err)
			}
			if strings.Contains(err.Error(), key) {
				t.Fatal("error message contains the hash")
			}
		})
	}
}
