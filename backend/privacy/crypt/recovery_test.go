package crypt

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// testTime is a fixed instant.
var testTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestRecoveryCodeRoundTrip(t *testing.T) {
	id := mustIdentity(t)
	code := id.RecoveryCode()
	if len(code) != 64+15 || strings.Count(code, "-") != 15 {
		t.Fatalf("code %q is not 16 groups of 4", code)
	}
	for _, typed := range []string{code, strings.ToLower(code), strings.ReplaceAll(code, "-", " "), strings.ReplaceAll(code, "-", "")} {
		got, err := ParseRecoveryCode(typed)
		if err != nil {
			t.Fatalf("parse %q: %v", typed, err)
		}
		if !bytes.Equal(got.Public().Key, id.Public().Key) || !bytes.Equal(got.Seed(), id.Seed()) {
			t.Fatal("recovered another identity")
		}
	}
}

// TestRecoveryCodeMistyped changes each character in turn: every change is
// caught by the checksum (or the format).
func TestRecoveryCodeMistyped(t *testing.T) {
	code := mustIdentity(t).RecoveryCode()
	for i, r := range code {
		if r == '-' {
			continue
		}
		repl := byte('A')
		if r == 'A' {
			repl = 'B'
		}
		typo := code[:i] + string(repl) + code[i+1:]
		_, err := ParseRecoveryCode(typo)
		if err == nil {
			t.Fatalf("typo at %d accepted", i)
		}
		isErr(t, "typo", err, ErrRecoveryChecksum)
	}
	// Two swapped neighbouring groups.
	groups := strings.Split(code, "-")
	groups[3], groups[4] = groups[4], groups[3]
	if groups[3] != groups[4] {
		_, err := ParseRecoveryCode(strings.Join(groups, "-"))
		isErr(t, "swapped groups", err, ErrRecoveryChecksum)
	}
	for _, bad := range []string{"", code[:len(code)-1], code + "A", strings.Replace(code, "A", "!", 1) + "!!"} {
		if _, err := ParseRecoveryCode(bad); err == nil {
			t.Fatalf("malformed code %q accepted", bad)
		}
	}
}

// cheap are Argon2id parameters fast enough for tests.
var cheap = BackupParams{MemoryKiB: 64, Passes: 1, Threads: 1}

func TestSeedBackup(t *testing.T) {
	id := mustIdentity(t)
	backup, err := id.WrapSeedBackup(alice, "correct horse battery", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if len(backup) != BackupSize || bytes.Contains(backup, id.Seed()) {
		t.Fatalf("backup is %d bytes or holds the seed in clear", len(backup))
	}
	got, err := OpenSeedBackup(backup, alice, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Public().Key, id.Public().Key) {
		t.Fatal("backup restored another identity")
	}
	_, err = OpenSeedBackup(backup, alice, "correct horse batterY")
	isErr(t, "wrong passphrase", err, ErrBackupOpen)
	_, err = OpenSeedBackup(backup, bob, "correct horse battery")
	isErr(t, "another account", err, ErrBackupOpen)
	for i := range backup {
		bad := bytes.Clone(backup)
		bad[i] ^= 1
		if _, err := OpenSeedBackup(bad, alice, "correct horse battery"); err == nil {
			t.Fatalf("backup with byte %d flipped opened", i)
		}
	}
	if _, err := id.WrapSeedBackup(alice, "x", BackupParams{}); err == nil {
		t.Fatal("zero Argon2id parameters accepted")
	}
}
