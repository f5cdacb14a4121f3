# Two commands do everything on a fresh Debian machine:
#   make demo   install, start the simulated network, collect, evaluate, serve on 127.0.0.1:8470
#   make test   install what the tests need (Debian packages too) and run the whole suite
.PHONY: demo deps test test-deps lint bench clean

ATALAYA := .venv/bin/atalaya

deps:
	scripts/install-deps

demo: deps
	scripts/demo

test-deps:
	scripts/install-deps --test

test: test-deps
	$(MAKE) lint
	scripts/run-tests

# ruff, mypy and the layer contracts (import-linter, [tool.importlinter] in pyproject.toml)
lint:
	.venv/bin/ruff check atalaya collectors cmdb compliance web lab policies tests bench
	.venv/bin/mypy
	.venv/bin/lint-imports

bench: test-deps
	scripts/run-bench

clean:
	-$(ATALAYA) lab down
	rm -rf var
