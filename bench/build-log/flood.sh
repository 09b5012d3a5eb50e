#!/bin/sh
# A fixture build that prints LINES lines (default 200,000) of dagger-style progress as fast as it
# can: mostly on stderr like dagger's progress, every 50th line on stdout like mage's own prints.
exec awk -v n="${1:-200000}" 'BEGIN {
  for (i = 1; i <= n; i++) {
    v = int((i - 1) / 4) + 1
    k = (i - 1) % 4
    if (k == 0) line = v ": exec go build -o /usr/local/bin/dagger-engine ./cmd/engine (part " v ")"
    else if (k == 1) line = v ": > in engine > dev"
    else if (k == 2) line = v ": [" (v % 60) "." (i % 10) "s] github.com/dagger/dagger/core/schema compiling package " i
    else line = v ": exec go build -o /usr/local/bin/dagger-engine ./cmd/engine (part " v ") DONE"
    if (i % 50 == 0) print line
    else print line > "/dev/stderr"
  }
}'
