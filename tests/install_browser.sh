#!/bin/sh
# Debian's Chromium and its chromedriver for the report and ccsim serve tests (headless);
# nothing to do if both are there. Needs root or sudo (apt-get). Part of the README's test
# command and of .ci/run.
set -e
have_browser=""
for b in "$CHROMIUM" chromium chromium-browser google-chrome; do
    [ -n "$b" ] && command -v "$b" >/dev/null 2>&1 && have_browser=1 && break
done
have_driver=""
command -v chromedriver >/dev/null 2>&1 && have_driver=1
[ -n "$have_browser" ] && [ -n "$have_driver" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
# chromium-driver is built from the same source as chromium: the versions match
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
