#!/bin/sh
# Runs the compiled test suite (npm test) with a scratch TMPDIR that is removed afterwards,
# whatever happens: every temporary file a test makes (os.tmpdir(), mkdtemp) lives under it,
# so the suite leaves nothing behind even when a test fails before its own cleanup.
set -u
scratch=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-tests.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
TMPDIR="$scratch" node --test --test-concurrency=1 $(find dist/test -name '*.test.js' | sort) "$@"
status=$?
exit $status
