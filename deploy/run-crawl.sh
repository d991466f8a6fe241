#!/usr/bin/env bash
# One scheduled beltacrawl run: an incremental `scrapy crawl belta` into the archive, a
# fresh JSON Lines feed file for this run, and the log appended to a rotated log file.
# Called by deploy/cron/beltacrawl.cron and deploy/systemd/beltacrawl.service; see
# docs/operations.md.
#
# Configuration (environment; defaults in brackets):
#   BELTACRAWL_HOME         checkout with scrapy.cfg          [the folder above deploy/]
#   BELTACRAWL_VENV         its virtualenv                    [$BELTACRAWL_HOME/.venv]
#   BELTACRAWL_ARCHIVE      the SQLite archive                [$BELTACRAWL_HOME/data/belta.sqlite]
#   BELTACRAWL_LOG_DIR      log folder; empty = log to stderr [$BELTACRAWL_HOME/logs]
#   BELTACRAWL_FEED_DIR     one feed file per run; empty = no feed [$BELTACRAWL_HOME/feeds]
#   BELTACRAWL_FEED_GZIP    1 = gzip the feed (.jsonl.gz)    [0]
#   BELTACRAWL_SCRAPY_ARGS  extra `scrapy crawl` arguments, split like a shell would (quotes
#                           work, nothing is expanded), e.g. "-a mode=full -s DOWNLOAD_DELAY=2"
# Relative paths are relative to BELTACRAWL_HOME.
# Arguments given to this script are appended to the `scrapy crawl` command line as they are.
#
# Exit status: that of `scrapy crawl` (0 the run did its job, 1 it did not — including a
# refused run because another crawl holds the archive's lock —, 2 bad arguments), or 75
# when another run of this script for the same archive is still going (nothing started).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BELTACRAWL_HOME="${BELTACRAWL_HOME:-$(dirname "$here")}"
BELTACRAWL_VENV="${BELTACRAWL_VENV:-$BELTACRAWL_HOME/.venv}"
BELTACRAWL_ARCHIVE="${BELTACRAWL_ARCHIVE:-$BELTACRAWL_HOME/data/belta.sqlite}"
BELTACRAWL_LOG_DIR="${BELTACRAWL_LOG_DIR-$BELTACRAWL_HOME/logs}"
BELTACRAWL_FEED_DIR="${BELTACRAWL_FEED_DIR-$BELTACRAWL_HOME/feeds}"
BELTACRAWL_FEED_GZIP="${BELTACRAWL_FEED_GZIP:-0}"
BELTACRAWL_SCRAPY_ARGS="${BELTACRAWL_SCRAPY_ARGS:-}"

python="$BELTACRAWL_VENV/bin/python"
log_file=""

say() {
    # A status line: into the log file when there is one, on stderr when there is none
    # (journald) or when something went wrong (cron mails stderr).
    local line
    line="$(date -u +%Y-%m-%dT%H:%M:%SZ) run-crawl.sh: $*"
    if [[ -n "$log_file" ]]; then
        printf '%s\n' "$line" >>"$log_file"
    fi
    if [[ -z "$log_file" || "${loud:-0}" == 1 ]]; then
        printf '%s\n' "$line" >&2
    fi
}

fail() {
    loud=1 say "$*"
    exit "${status:-1}"
}

[[ -f "$BELTACRAWL_HOME/scrapy.cfg" ]] ||
    status=2 fail "no scrapy.cfg in $BELTACRAWL_HOME (set BELTACRAWL_HOME)"
# From here on, relative paths (archive, logs, feeds, venv) are relative to the checkout.
cd "$BELTACRAWL_HOME"
[[ -x "$python" ]] || status=2 fail "no Python at $python (set BELTACRAWL_VENV)"

mkdir -p "$(dirname "$BELTACRAWL_ARCHIVE")"
if [[ -n "$BELTACRAWL_LOG_DIR" ]]; then
    mkdir -p "$BELTACRAWL_LOG_DIR"
    log_file="$BELTACRAWL_LOG_DIR/beltacrawl.log"
fi

# Our own lock, taken before Python starts: a clear message and nothing started while an
# earlier run is still going. (The crawl takes the archive's lock, <archive>.lock, as well;
# that one also guards against a manual `scrapy crawl` or a Scrapyd job.)
lock_file="$BELTACRAWL_ARCHIVE.run-crawl.lock"
exec 9<>"$lock_file"
if ! flock -n 9; then
    holder="$(head -c 32 "$lock_file" 2>/dev/null | tr -dc 0-9 || true)"
    status=75 fail "another run against $BELTACRAWL_ARCHIVE is still going" \
        "(process ${holder:-?}, lock file $lock_file); not starting"
fi
printf '%s\n' "$$" >"$lock_file"

command=("$python" -m scrapy crawl belta -s "BELTA_ARCHIVE=$BELTACRAWL_ARCHIVE")
if [[ -n "$log_file" ]]; then
    command+=(-s "LOG_FILE=$log_file")
fi
feed=""
if [[ -n "$BELTACRAWL_FEED_DIR" ]]; then
    mkdir -p "$BELTACRAWL_FEED_DIR"
    # %(time)s is the run's start time (UTC), filled in by Scrapy: one file per run.
    feed="$BELTACRAWL_FEED_DIR/belta-%(time)s.jsonl"
    options='{"format": "jsonlines"}'
    if [[ "$BELTACRAWL_FEED_GZIP" == 1 ]]; then
        feed="$feed.gz"
        options='{"format": "jsonlines", "postprocessing": ["scrapy.extensions.postprocessing.GzipPlugin"]}'
    fi
    feeds="$("$python" -c 'import json, sys; print(json.dumps({sys.argv[1]: json.loads(sys.argv[2])}))' \
        "$feed" "$options")"
    command+=(-s "FEEDS=$feeds")
fi
extra=()
if [[ -n "$BELTACRAWL_SCRAPY_ARGS" ]]; then
    # shlex.split: shell-like quoting without eval (nothing in the value is executed).
    "$python" -c 'import shlex, sys; shlex.split(sys.argv[1])' "$BELTACRAWL_SCRAPY_ARGS" \
        2>/dev/null || status=2 fail "BELTACRAWL_SCRAPY_ARGS has unbalanced quotes"
    mapfile -d '' -t extra < <("$python" -c \
        'import shlex, sys; print("\0".join(shlex.split(sys.argv[1])), end="")' \
        "$BELTACRAWL_SCRAPY_ARGS")
fi
command+=("${extra[@]}" "$@")

say "starting: archive $BELTACRAWL_ARCHIVE, feed ${feed:-none}, log ${log_file:-stderr}"
status=0
"${command[@]}" || status=$?
case "$status" in
    0) say "finished: the run did its job (exit status 0)" ;;
    1) loud=1 say "the run did not do its job (exit status 1); see the run summary in" \
        "${log_file:-the log above}" ;;
    2) loud=1 say "bad arguments (exit status 2): ${extra[*]} $*" ;;
    *) loud=1 say "scrapy crawl exited with status $status; see ${log_file:-the log above}" ;;
esac
exit "$status"
