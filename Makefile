# risk-monitor: the README's two commands are `make demo` and `make test`; each works alone on a
# fresh clone (both depend on setup).
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM ?= npm
export ONNXRUNTIME_NODE_INSTALL := skip
export npm_config_loglevel := error
SERVICES := deploy/local/services.sh

.PHONY: help setup build deps system-deps demo test test-unit test-integration lint format \
        services-up services-down services-status bench quality train clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s "$$(printf '\t')"

node_modules/.package-lock.json: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

deps: node_modules/.package-lock.json

build: deps ## compile TypeScript to dist/
	$(NPM) run -s build

setup: deps build ## npm ci + build

system-deps: ## apt-get the real services the integration tests use (librdkafka, influxdb, prometheus)
	bash $(SERVICES) install

demo: setup ## the main job: the whole pipeline on the embedded bus over bundled real data
	node dist/services/cli/bin.js demo $(DEMO_ARGS)

lint: deps ## biome (lint + format check) and the type checker
	npx biome check .
	npx tsc -p tsconfig.json --noEmit

format: deps
	npx biome check --write .

test-unit: setup ## unit tests (no servers)
	npx vitest run --project unit

test-integration: setup system-deps ## integration tests against real local services (started and stopped by the tests)
	npx vitest run --project integration

test: setup system-deps ## everything CI runs: lint, unit, integration
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-unit
	$(MAKE) --no-print-directory test-integration

bench: setup system-deps ## benchmarks (< 15 min on 2 cores): table + bench/results/latest.json, dated copy, latest.md
	npx tsx bench/run-bench.ts

services-up: system-deps ## start local Kafka-protocol broker, InfluxDB 1.x and Prometheus on loopback
	bash $(SERVICES) up all
	@bash $(SERVICES) env

services-down: ## stop what services-up started (by PID)
	bash $(SERVICES) down all

services-status:
	bash $(SERVICES) status

DEMO_DATA := services/demo/data
TRAIN_ARGS ?= --holdout-symbols AMZN,BAC,CVX,KO,PFE,WMT --seed 42
train: setup ## retrain the committed bundles (risk + anomaly, one run, same scaler) on the demo data and promote them
	node dist/services/cli/bin.js train --prices $(DEMO_DATA)/market/daily --macro $(DEMO_DATA)/macro \
	  --news $(DEMO_DATA)/news/twitter-financial-news-train.csv $(DEMO_DATA)/news/twitter-financial-news-valid.csv \
	  --out deploy/models/registry --promote $(TRAIN_ARGS)

clean:
	rm -rf dist .run

quality: setup ## NAB + walk-forward risk evaluation + transfer comparison on ../shared/data; renders docs/quality.md (QUALITY_MODEL=bundle dir to pick a bundle)
	RISK_MONITOR="node dist/services/cli/bin.js" bash services/quality/quality.sh
