#!/usr/bin/env bash
# screenshot.sh renders a conformance report in headless Chromium and saves
# a PNG of it, for the README and docs/report-screenshot.png.
#
# Usage: docs/screenshot.sh REPORT.html[#FILTER] [OUT.png] [WIDTH,HEIGHT]
#   OUT.png defaults to docs/report-screenshot.png next to this script;
#   the window size defaults to 1280,1800. A #FILTER such as
#   #status=failed or #area=case-management&q=hetu opens the report with its
#   requirement filter set, as a click on a status tile does.
#
# The committed screenshot is of a real failing run:
#   go run ./cmd/yhteistestaus run --profile vaihe2-kasittely \
#     --fault missing-service-task --out /tmp/yt-shot
#   docs/screenshot.sh /tmp/yt-shot/report.html
# reports/browser_test.go checks in the same browser that the report
# renders and that its filter shows exactly the rows it selects.
# The browser is $CHROMIUM, or the first of chromium, chromium-browser,
# google-chrome on PATH (Debian: apt-get install chromium). It runs with a
# throwaway profile and no network services, so the report is shown exactly
# as a vendor opening the file would see it.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 3 ]]; then
	echo "usage: $0 REPORT.html [OUT.png] [WIDTH,HEIGHT]" >&2
	exit 2
fi
report=${1%%#*}
fragment=
if [[ $1 == *'#'* ]]; then
	fragment="#${1#*#}"
fi
out=${2:-$(dirname "$0")/report-screenshot.png}
size=${3:-1280,1800}
if [[ ! -f $report ]]; then
	echo "$0: $report: no such file" >&2
	exit 1
fi

browser=${CHROMIUM:-}
if [[ -z $browser ]]; then
	for b in chromium chromium-browser google-chrome; do
		if command -v "$b" >/dev/null 2>&1; then
			browser=$b
			break
		fi
	done
fi
if [[ -z $browser ]]; then
	echo "$0: no Chromium found; install it (apt-get install chromium) or set CHROMIUM" >&2
	exit 1
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
abs_report=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
abs_out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--hide-scrollbars --user-data-dir="$profile" --window-size="$size" \
	--screenshot="$abs_out" "file://$abs_report$fragment" >/dev/null 2>&1

if [[ ! -s $abs_out ]]; then
	echo "$0: $browser wrote no screenshot to $abs_out" >&2
	exit 1
fi
echo "$abs_out"
