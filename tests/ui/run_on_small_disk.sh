#!/bin/sh
# Runs `PROGRAM ARGS...` with HARMONIA_FAULT_DISK set to a fresh 64 MiB tmpfs mounted in a
# private mount namespace (root or user namespaces needed), so a test can fill a disk without
# touching the machine's. Exit 77 (ctest's skip) where that cannot be done.
program=$1
shift
dir=$(mktemp -d "${TMPDIR:-/tmp}/harmonia-small-disk.XXXXXX") || exit 77
if ! unshare --mount sh -c 'mount -t tmpfs -o size=1m tmpfs "$1"' sh "$dir" >/dev/null 2>&1; then
  echo "skipped: cannot mount a tmpfs in a private mount namespace (unshare --mount)"
  rmdir "$dir"
  exit 77
fi
unshare --mount sh -c 'd=$1; shift; mount -t tmpfs -o size=64m tmpfs "$d" && HARMONIA_FAULT_DISK="$d" exec "$0" "$@"' \
  "$program" "$dir" "$@"
status=$?
rmdir "$dir"
exit $status
