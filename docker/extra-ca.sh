#!/bin/sh
# Writes the PEM text of the EXTRA_CA_CERTS build argument to the file named
# in $1, and nothing at all when it is empty. A script, so that no RUN line
# names the variable: BuildKit prints each RUN line with the build arguments
# expanded, and a CA bundle would fill the `compose up --build` output.
set -eu
[ -n "${EXTRA_CA_CERTS:-}" ] || exit 0
printf '%s\n' "$EXTRA_CA_CERTS" >"$1"
