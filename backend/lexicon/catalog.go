package lexicon

import (
	"fmt"
	"sync"

	"github.com/bluesky-social/indigo/atproto/lexicon"
)

// catalog loads every embedded schema into an indigo catalog, once.
var catalog = sync.OnceValues(func() (*lexicon.BaseCatalog, error) {
	cat := lexicon.NewBaseCatalog()
	for _, t := range trees {
		if err := cat.LoadEmbedFS(t.fs); err != nil {
			return nil, fmt.Errorf("lexicon: loading embedded schemas: %w", err)
		}
	}
	return cat, nil
})

// Catalog returns an indigo catalog holding every embedded lexicon. The first
// call parses all of them (25-50 ms; about 1.5 MiB stays live); later calls
// return the same catalog, which is safe for concurrent use because nothing
// adds to it after loading. Callers must not add schemas to it.
//
// The error is only ever non-nil if the embedded copy is broken, which the
// package's tests rule out for a committed copy.
func Catalog() (*lexicon.BaseCatalog, error) {
	return catalog()
}
