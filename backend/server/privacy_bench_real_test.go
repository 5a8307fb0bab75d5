//go:build !hearth_nullcipher

package server_test

// setNullCipher is nil without the hearth_nullcipher tag: the benchmark
// then measures the real cipher only.
var setNullCipher func(bool)
