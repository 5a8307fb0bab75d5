//go:build hearth_nullcipher

package crypt

import (
	"crypto/cipher"
	"crypto/subtle"
	"errors"

	"golang.org/x/crypto/chacha20poly1305"
)

// SetNullCipher makes record envelopes copy their plaintext instead of
// encrypting it (on) or encrypt again (off), so that benchmarks can
// measure what encryption adds to the private path. It exists only in
// builds with the hearth_nullcipher tag, which releases never set; it is
// not safe to call while envelopes are being sealed or opened.
func SetNullCipher(on bool) {
	if on {
		recordAEAD = func([]byte) (cipher.AEAD, error) { return nullAEAD{}, nil }
		return
	}
	recordAEAD = chacha20poly1305.NewX
}

// nullAEAD copies bytes and appends a zero tag of the real one's size.
type nullAEAD struct{}

func (nullAEAD) NonceSize() int { return chacha20poly1305.NonceSizeX }
func (nullAEAD) Overhead() int  { return chacha20poly1305.Overhead }

func (nullAEAD) Seal(dst, _, plaintext, _ []byte) []byte {
	dst = append(dst, plaintext...)
	return append(dst, make([]byte, chacha20poly1305.Overhead)...)
}

func (nullAEAD) Open(dst, _, ciphertext, _ []byte) ([]byte, error) {
	n := len(ciphertext) - chacha20poly1305.Overhead
	if n < 0 || subtle.ConstantTimeCompare(ciphertext[n:], make([]byte, chacha20poly1305.Overhead)) != 1 {
		return nil, errors.New("crypt: null cipher: bad tag")
	}
	return append(dst, ciphertext[:n]...), nil
}
