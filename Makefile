# Hearth developer targets. The README's two commands (scripts/run.sh and
# scripts/test.sh) need nothing but Go and Debian; these are shortcuts.
#
#   make build            bin/hearth: tagless (headless serve and ui), with the built frontend embedded
#   make frontend         npm ci + npm run build in frontend/ (always)
#   make desktop          build/bin/hearth: the window (Wails, WebKitGTK 4.1)
#   make bindings         regenerate frontend/wailsjs from app/ (wails generate module)
#   make check-bindings   ... and fail if that changed anything
#   make package-linux    dist/hearth_<version>_amd64.deb
#   make package-windows  build/bin/hearth.exe and its NSIS installer (cross-built), copied to dist/
#   make example-plugins  build/plugins/<name>/ and <name>.zip: the Go example plugins, built and packed
GO ?= go
WAILS := $(GO) tool wails
# wails generate writes frontend/wailsjs with mode 0755, wails build with
# 0644: keep them 0644 (as committed) so neither leaves the tree dirty.
FIX_WAILSJS_MODES := find frontend/wailsjs -type f -exec chmod 644 {} +
BIN := bin/hearth
DESKTOP_BIN := build/bin/hearth
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/hearthpds/hearth/internal/version.Version=$(VERSION)
# A Debian version starts with a digit and has no '-' (that would start a
# Debian revision): v1.2.3-4-gabc1234-dirty -> 1.2.3+4.gabc1234.dirty, and
# an untagged abc1234-dirty -> 0.0.0+gitabc1234+dirty.
DEB_VERSION := $(shell echo '$(VERSION)' | sed -E 's/^v//; /^[0-9]+\./!s/^/0.0.0+git/; s/-/+/; s/-/./g')
DEB := dist/hearth_$(DEB_VERSION)_amd64.deb
# wails build: -m no go mod tidy, -s the frontend is built by make,
# -skipbindings (make bindings), -nosyncgomod (go.mod pins the CLI's version).
WAILS_BUILD := $(WAILS) build -m -s -skipbindings -nosyncgomod -nocolour -ldflags '$(LDFLAGS)'
FRONTEND_SRC := $(shell find frontend -path frontend/node_modules -prune -o -path frontend/dist -prune -o -type f -print 2>/dev/null)

.PHONY: example-plugins build frontend desktop bindings check-bindings package-linux package-windows test vet fmt run lexicons clean

build: frontend/dist/index.html
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) .

# npm ci when package-lock.json changed (npm writes node_modules/.package-lock.json).
frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend/dist/index.html: frontend/node_modules/.package-lock.json $(FRONTEND_SRC)
	cd frontend && npm run build

frontend:
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build

# The window: the same as go build -tags desktop,production,webkit2_41
# -ldflags '... -w -s'; needs libgtk-3-dev libwebkit2gtk-4.1-dev pkg-config.
desktop: frontend/dist/index.html
	$(WAILS_BUILD) -tags webkit2_41
	@$(FIX_WAILSJS_MODES)
	@echo "built $(DESKTOP_BIN) ($(VERSION))"

bindings:
	$(WAILS) generate module
	@$(FIX_WAILSJS_MODES)

check-bindings: bindings
	@git diff --exit-code -- frontend/wailsjs || { echo "frontend/wailsjs is out of date: run make bindings and commit it" >&2; exit 1; }
	@if [ -n "$$(git status --porcelain -- frontend/wailsjs)" ]; then git status --porcelain -- frontend/wailsjs; echo "frontend/wailsjs has files git does not track: commit them" >&2; exit 1; fi
	@echo "frontend/wailsjs is up to date"

package-linux: desktop
	build/linux/make-deb.sh '$(DEB_VERSION)' $(DESKTOP_BIN) $(DEB)
	@dpkg-deb --info $(DEB) | sed -n 's/^ *\(Package\|Version\|Architecture\|Depends\):/&/p'
	@echo "built $(DEB)"

# Cross-built from Linux: needs nsis (makensis). Not run in CI.
package-windows: frontend/dist/index.html
	$(WAILS_BUILD) -platform windows/amd64 -nsis
	@$(FIX_WAILSJS_MODES)
	@for f in build/bin/hearth.exe build/bin/Hearth-amd64-installer.exe; do \
		file "$$f"; file -b "$$f" | grep -q '^PE32+ executable' || { echo "$$f is not a PE32+ executable" >&2; exit 1; }; \
	done
	mkdir -p dist
	cp build/bin/Hearth-amd64-installer.exe dist/hearth_$(DEB_VERSION)_amd64-installer.exe
	@echo "built dist/hearth_$(DEB_VERSION)_amd64-installer.exe"

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
	rm -rf bin build/bin build/plugins dist

# The Go example plugins (plugins/examples/*), each built as a WASI reactor
# and packed (plugin.toml's sha256 set, validated) into build/plugins/<name>/
# and build/plugins/<name>.zip, ready for `hearth plugin install`.
EXAMPLES := $(notdir $(patsubst %/plugin.toml,%,$(wildcard plugins/examples/*/plugin.toml)))
example-plugins: build
	@for ex in $(EXAMPLES); do \
		out=build/plugins/$$ex; rm -rf $$out; mkdir -p $$out; \
		cp plugins/examples/$$ex/plugin.toml $$out/; \
		[ -f plugins/examples/$$ex/README.md ] && cp plugins/examples/$$ex/README.md $$out/; \
		[ -d plugins/examples/$$ex/lexicons ] && cp -r plugins/examples/$$ex/lexicons $$out/; \
		(cd plugins/examples && GOOS=wasip1 GOARCH=wasm $(GO) build -buildmode=c-shared -trimpath -o ../../$$out/plugin.wasm ./$$ex) || exit 1; \
		$(BIN) plugin pack $$out --zip build/plugins/$$ex.zip || exit 1; \
	done
