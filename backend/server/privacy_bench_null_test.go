//go:build hearth_nullcipher

package server_test

import "github.com/hearthpds/hearth/backend/privacy/crypt"

// setNullCipher switches record encryption off for the benchmark's
// null-cipher variants (only in builds with the hearth_nullcipher tag).
var setNullCipher = crypt.SetNullCipher
