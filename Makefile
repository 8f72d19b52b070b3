# minipod — run `make help` for the targets.
SHELL := /bin/bash
GO ?= go
BIN := bin/minipod
export CGO_ENABLED := 0

.PHONY: help build install deps images demo test test-unit test-root test-e2e bench lint vagrant-validate clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

COMMIT := $(shell git rev-parse HEAD 2>/dev/null)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)

# minipod-init's entry point joins a pod's user namespace before Go's
# runtime starts (cmd/minipod-init/entry_amd64.s); elsewhere pods with
# hostUsers: false cannot start.
INIT_ENTRY := $(if $(filter amd64,$(shell $(GO) env GOARCH)),-E main.userNSEntry)

# Go's former collector, where the toolchain still offers it: Green Tea,
# Go 1.26's default, keeps a small-object span's mark bits in the span's
# last page, so each span a process starts touches a page more. A
# monitor at rest held ~95 kB (4%) more anonymous memory with it (10 pods,
# twice each way), and `minipod --help` faulted 19 pages more.
# A caller's own GOEXPERIMENT wins (GOEXPERIMENT=greenteagc to compare).
ifeq ($(strip $(GOEXPERIMENT)),)
GOEXPERIMENT := $(shell GOEXPERIMENT=nogreenteagc $(GO) env GOEXPERIMENT 2>/dev/null)
endif
export GOEXPERIMENT

build: ## build the static minipod, minipod-monitor, minipod-pause, minipod-init, minipod-pull and minipod-probe programs into bin/
	$(GO) build -trimpath -ldflags='-s -w -X github.com/minipod/minipod/pkg/pod.buildCommit=$(COMMIT)' -o bin/ ./cmd/minipod ./cmd/minipod-monitor ./cmd/minipod-pause ./cmd/minipod-pull ./cmd/minipod-probe
	$(GO) build -trimpath -ldflags='-s -w $(INIT_ENTRY)' -o bin/ ./cmd/minipod-init
	@# go build leaves an up-to-date program untouched; minipod uses its companions only when written with it
	touch bin/minipod bin/minipod-monitor bin/minipod-pause bin/minipod-init bin/minipod-pull bin/minipod-probe

PREFIX ?= /usr/local
install: build ## install minipod, minipod-monitor, minipod-pause, minipod-init, minipod-pull and minipod-probe into $(PREFIX)/bin (as root: pods only use companions that root alone can write)
	install -d $(PREFIX)/bin
	install -m 0755 -o root -g root bin/minipod bin/minipod-monitor bin/minipod-pause bin/minipod-init bin/minipod-pull bin/minipod-probe $(PREFIX)/bin/

deps: ## install the Debian packages minipod and its tests need (as root)
	scripts/install-deps.sh

images: deps ## build the local images (busybox, debian, nginx, seed stand-ins)
	scripts/build-images.sh

demo: images build ## run the seed's mc1 (shared volume) and mc3 (nginx proxy exposed as a NodePort Service)
	scripts/demo.sh

# The second run checks the trim of the binary's pages in a position-
# independent build, as some distributions build Go programs.
test: images build ## every test: unit, root (real namespaces) and end-to-end
	$(GO) test -count=1 -p 1 ./...
	$(GO) test -count=1 -buildmode=pie ./pkg/lean ./pkg/monitor

test-unit: ## unit tests only (no root needed)
	$(GO) test -count=1 ./pkg/podspec/... ./pkg/logs/... ./pkg/state/... ./pkg/specconv/... ./pkg/image/...

bench: images build ## benchmarks (medians): up/exec/down and where up's time goes, isolation and limits cost, top, network, images, memory, a table beside podman and crun; BENCH_ONLY=limits,top runs some
	scripts/bench.sh $(if $(BENCH_ONLY),-only $(BENCH_ONLY))

lint: ## gofmt, go vet, shellcheck
	test -z "$$(gofmt -l $$(git ls-files '*.go'))"
	$(GO) vet ./...
	shellcheck scripts/*.sh rootfs/*.sh .ci/run

vagrant-validate: ## check the Vagrantfile (installs Debian's vagrant if missing)
	scripts/vagrant-validate.sh

clean: ## remove build output
	rm -rf bin
