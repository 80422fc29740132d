# The two commands the README names are `make demo` and `make test`; the other
# targets are their parts, handy while developing.
SHELL := /bin/bash

.PHONY: demo test bootstrap unit sanity lint integration package docs report versions awx host e2e bench clean

demo: bootstrap
	scripts/demo

test: bootstrap
	scripts/test

bootstrap:
	scripts/bootstrap

unit sanity lint integration package docs report versions awx host e2e: bootstrap
	scripts/test-$@

bench: bootstrap
	scripts/bench

clean:
	rm -rf tests/output .pytest_cache
