#!/bin/sh
# Debian's Chromium for the report tests (headless); nothing to do if a Chromium is there.
# Needs root or sudo (apt-get). Part of the README's test command and of .ci/run.
set -e
for b in "$CHROMIUM" chromium chromium-browser google-chrome; do
    [ -n "$b" ] && command -v "$b" >/dev/null 2>&1 && exit 0
done
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
