#!/bin/sh
# Runs the compiled test suite (npm test) with a scratch TMPDIR that is removed afterwards,
# whatever happens: every temporary file a test makes (os.tmpdir(), mkdtemp) lives under it,
# so the suite leaves nothing behind even when a test fails before its own cleanup.
# Each test must still remove what it creates (t.after / finally): anything left in the
# scratch TMPDIR when the suite ends fails the run, with the leftover paths listed.
set -u
scratch=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-tests.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
TMPDIR="$scratch" node --test --test-concurrency=1 $(find dist/test -name '*.test.js' | sort) "$@"
status=$?
leftovers=$(ls -A "$scratch")
if [ -n "$leftovers" ]; then
  {
    echo
    echo "test/run.sh: the tests left these in their TMPDIR ($scratch); each test must remove what it creates (t.after / finally):"
    echo "$leftovers" | while IFS= read -r name; do printf '  %s/%s\n' "$scratch" "$name"; done
  } >&2
  [ "$status" -ne 0 ] || status=1
fi
exit $status
