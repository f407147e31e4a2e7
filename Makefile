# Wegweiser — the two commands are `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO        ?= go
BUF       := $(GO) tool -modfile=scripts/tools/go.mod buf
GOLANGCI_LINT := $(GO) tool -modfile=scripts/tools/go.mod golangci-lint
ENT_FEATURES := privacy,entql,sql/versioned-migration,sql/upsert,sql/execquery
BIN       := bin/wegweiser
# One set of build flags everywhere, so the build cache is shared.
GOFLAGS_BUILD := -trimpath
SERVICES  := scripts/services.sh

.PHONY: help agent agents agent-host run build frontend node_modules gen gen-check lint breaking test test-go test-frontend test-e2e bench eval migration clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

node_modules: package.json package-lock.json
	@if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  npm ci --no-audit --no-fund; fi
	@touch node_modules

frontend: node_modules ## build the SPA into frontend/dist
	npm run build

build: frontend ## build bin/wegweiser with the SPA embedded
	$(GO) build $(GOFLAGS_BUILD) -o $(BIN) ./backend/cmd/wegweiser

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

agent: ## build the endpoint agent into bin/wegweiser-agent
	$(GO) build $(GOFLAGS_BUILD) -ldflags "-X github.com/wegweiser/wegweiser/agent/internal/version.Version=$(VERSION)" -o bin/wegweiser-agent ./agent/cmd/wegweiser-agent

# The agent builds the server offers for download (GET /agent/download/…,
# install.sh, install.ps1) live in AGENTS_DIR, named
# wegweiser-agent_<version>_<os>_<arch>[.exe|.deb|.rpm|.msi]
# (backend/internal/agentdist reads them; the server's -agent-dir, by
# default agents/ next to bin/wegweiser).
AGENTS_DIR      := bin/agents
AGENT_PLATFORMS := linux/amd64 linux/arm64 windows/amd64 darwin/amd64 darwin/arm64
AGENT_LDFLAGS    = -X github.com/wegweiser/wegweiser/agent/internal/version.Version=$(VERSION)
HOST_GOOS       := $(shell $(GO) env GOOS)
HOST_GOARCH     := $(shell $(GO) env GOARCH)

agents: ## cross-compile the agent for Linux, Windows and macOS and build its .deb, .rpm and .msi into bin/agents (the .msi needs wixl: scripts/services.sh packaging)
	@mkdir -p $(AGENTS_DIR)
	for p in $(AGENT_PLATFORMS); do os=$${p%/*}; arch=$${p#*/}; ext=; if [ $$os = windows ]; then ext=.exe; fi; \
	  echo "agent $$os/$$arch"; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build $(GOFLAGS_BUILD) -ldflags "$(AGENT_LDFLAGS)" \
	    -o $(AGENTS_DIR)/wegweiser-agent_$(VERSION)_$${os}_$${arch}$$ext ./agent/cmd/wegweiser-agent; done
	$(GO) build $(GOFLAGS_BUILD) -o bin/wegweiser-package ./agent/cmd/wegweiser-package
	for arch in amd64 arm64; do for f in deb rpm; do \
	  bin/wegweiser-package -format $$f -arch $$arch -version $(VERSION) \
	    -binary $(AGENTS_DIR)/wegweiser-agent_$(VERSION)_linux_$$arch -out $(AGENTS_DIR)/wegweiser-agent_$(VERSION)_linux_$$arch.$$f; done; done
	bin/wegweiser-package -format msi -arch amd64 -version $(VERSION) \
	  -binary $(AGENTS_DIR)/wegweiser-agent_$(VERSION)_windows_amd64.exe -out $(AGENTS_DIR)/wegweiser-agent_$(VERSION)_windows_amd64.msi

agent-host: ## build the agent for this machine into bin/agents, for download from a local server
	@mkdir -p $(AGENTS_DIR)
	$(GO) build $(GOFLAGS_BUILD) -ldflags "$(AGENT_LDFLAGS)" \
	  -o $(AGENTS_DIR)/wegweiser-agent_$(VERSION)_$(HOST_GOOS)_$(HOST_GOARCH)$(if $(filter windows,$(HOST_GOOS)),.exe) ./agent/cmd/wegweiser-agent

run: build agent-host ## start Wegweiser on the embedded default (SQLite in ./data) with demo data
	./$(BIN) serve --demo

gen: node_modules ## regenerate protobuf (Go, TypeScript) and ent code
	$(BUF) generate
	$(GO) tool ent generate --feature $(ENT_FEATURES) ./ent/schema

gen-check: gen ## fail if generated code is not what is committed
	@if [ -n "$$(git status --porcelain -- backend/gen frontend/src/gen ent)" ]; then \
	  echo "generated code is out of date; run 'make gen' and commit:"; \
	  git status --porcelain -- backend/gen frontend/src/gen ent; git diff --stat -- backend/gen frontend/src/gen ent; exit 1; fi
	@echo "generated code is up to date"

lint: node_modules ## buf lint, go vet, gofmt, golangci-lint (.golangci.yml), TypeScript check, ESLint
	$(BUF) lint
	$(GO) vet ./...
	@out=$$(gofmt -l $$(ls -d backend agent ent scripts 2>/dev/null) frontend/embed.go); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GOLANGCI_LINT) run
	npm run typecheck
	npm run lint

breaking: ## buf breaking against the main branch
	@if git rev-parse --verify -q main >/dev/null; then $(BUF) breaking --against '.git#branch=main'; \
	else echo "no main branch to compare against; skipped"; fi

migration: ## write a new versioned migration: make migration NAME=what_changed
	@test -n "$(NAME)" || { echo "usage: make migration NAME=what_changed"; exit 1; }
	eval "$$($(SERVICES) postgres)"; $(GO) run ./backend/internal/store/migrategen -name $(NAME) -postgres "$$WEGWEISER_TEST_DATABASE_URL"

test: gen-check lint breaking build agent ## run every test: Go on PostgreSQL and SQLite, SPA unit tests, browser test
	eval "$$($(SERVICES))"; export WEGWEISER_TEST_REQUIRE_POSTGRES=1; \
	$(MAKE) --no-print-directory test-go test-frontend test-e2e

test-go: ## Go tests (set WEGWEISER_TEST_DATABASE_URL for PostgreSQL); store-backed tests run in parallel on databases of their own
	$(GO) test $(GOFLAGS_BUILD) -count=1 -parallel 6 -timeout 40m ./...

test-frontend: node_modules ## SPA unit tests (vitest)
	npm test

test-e2e: ## browser tests: Debian chromium drives the SPA served by bin/wegweiser (with a real agent), on SQLite and PostgreSQL
	WEGWEISER_BIN=$(CURDIR)/$(BIN) WEGWEISER_AGENT_BIN=$(CURDIR)/bin/wegweiser-agent npm run test:e2e
	@if [ -n "$${WEGWEISER_TEST_DATABASE_URL:-}" ]; then \
	  db=wwe2e_$$$$_$$(date +%s); \
	  psql "$$WEGWEISER_TEST_DATABASE_URL" -qc "CREATE DATABASE $$db"; \
	  trap 'psql "$$WEGWEISER_TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS $$db WITH (FORCE)"' EXIT; \
	  url=$$(echo "$$WEGWEISER_TEST_DATABASE_URL" | sed -E "s#/[^/?]+(\?|$$)#/$$db\1#"); \
	  WEGWEISER_DATABASE_URL=$$url WEGWEISER_BIN=$(CURDIR)/$(BIN) WEGWEISER_AGENT_BIN=$(CURDIR)/bin/wegweiser-agent npm run test:e2e; \
	fi

eval: ## assistant evaluation over the demo fleet: the built-in answerer, and the configured model when WEGWEISER_AI_BASE_URL is set
	$(GO) test -count=1 -run '^(TestBuiltinEval|TestModelEval)$$' -v ./backend/internal/ai/eval/

bench: ## benchmarks against bare baselines (docs/performance.md); results in bench/results
	eval "$$($(SERVICES) postgres)"; $(GO) run $(GOFLAGS_BUILD) ./backend/cmd/wegweiser-bench -out bench/results

clean: ## remove build output
	rm -rf bin frontend/dist/assets frontend/dist/index.html
