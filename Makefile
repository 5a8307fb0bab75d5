# Hearth developer targets. The README's two commands (scripts/run.sh and
# scripts/test.sh) need nothing but Go and Debian; these are shortcuts.
GO ?= go
BIN := bin/hearth
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/hearthpds/hearth/internal/version.Version=$(VERSION)

.PHONY: build test vet fmt run lexicons clean

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) .

test:
	scripts/test.sh

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

run: build
	$(BIN) serve

# Refresh the embedded lexicons from the indigo version in go.mod.
lexicons:
	$(GO) generate ./backend/lexicon

clean:
	rm -rf bin
