package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

// The import's state is kept as a private preference of the account: a
// namespace no XRPC method reads, removed with the account.
const (
	markerNamespace = "dev.hearthpds.importer"
	markerType      = markerNamespace + ".state"
)

// Step is how far an import got, as kept with the account.
type Step string

// Steps of an import.
const (
	// StepRepo: the account was created; the repository is not imported
	// (an interrupted import: Discard it and start again).
	StepRepo Step = "repo"
	// StepBlobs: the repository is here; blobs were being copied.
	StepBlobs Step = "blobs"
	// StepPaused: the repository is here; some blobs are missing.
	StepPaused Step = "paused"
	// StepDone: everything is copied and verified.
	StepDone Step = "done"
)

// marker is the kept state.
type marker struct {
	Type      string    `json:"$type"`
	Step      Step      `json:"step"`
	Kind      string    `json:"kind"`
	PDS       string    `json:"pds,omitempty"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// putMarker records the import's step.
func putMarker(ctx context.Context, st store.Preferences, did string, m marker) error {
	m.Type, m.UpdatedAt = markerType, time.Now().UTC()
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := st.PutPreferences(ctx, did, markerNamespace, []store.Preference{{Type: markerType, Value: raw}}); err != nil {
		return fmt.Errorf("record import step %s of %s: %w", m.Step, did, err)
	}
	return nil
}

// getMarker reads the import's state; ok is false when the account has
// none (it was not imported, or is not here).
func getMarker(ctx context.Context, st store.Preferences, did string) (m marker, ok bool, err error) {
	prefs, err := st.GetPreferences(ctx, did, markerNamespace)
	if errors.Is(err, store.ErrNotFound) {
		return m, false, nil
	}
	if err != nil {
		return m, false, fmt.Errorf("import state of %s: %w", did, err)
	}
	for _, p := range prefs {
		if p.Type != markerType {
			continue
		}
		if err := json.Unmarshal(p.Value, &m); err != nil {
			return m, false, fmt.Errorf("import state of %s: %w", did, err)
		}
		return m, true, nil
	}
	return m, false, nil
}
