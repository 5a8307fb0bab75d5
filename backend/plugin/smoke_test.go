package plugin

import (
	"context"
	"testing"
)

func TestSmokeBuild(t *testing.T) {
	b := kitchenWasm(t)
	t.Logf("kitchen: %d bytes", len(b))
	_ = context.Background()
}
