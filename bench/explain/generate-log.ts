/**
Writes a build log of about `megabytes` MB: dagger and buildkit progress, go and apk output, colour
codes, a few lines that merely contain the words (`github.com/pkg/errors`), and failures of every
category sprinkled in (one in about `every` lines), some wrapped over several lines, some as JSON.
*/
import {createWriteStream} from 'node:fs'
import {once} from 'node:events'

const DIGEST = '1b0dfc2f3a464bee155c6e863e879c5b6024610a49654d225ea46127e48ed7a7'

const NORMAL: readonly ((v: number, n: number) => string)[] = [
  (v) => `${v}: exec go build -o /bin/dagger -ldflags "-s -w" ./cmd/dagger`,
  (v) => `${v}: > in engine > dev > from golang:1.21.3-alpine3.18`,
  (v, n) => `${v}: [${(n % 600) / 10}s] go: downloading github.com/moby/buildkit v0.12.${n % 9}`,
  (v, n) => `${v}: sha256:${DIGEST} ${n % 16}.${n % 10}MiB / 15.8MiB`,
  (v, n) => `${v}: [${(n % 600) / 10}s] fetch https://dl-cdn.alpinelinux.org/alpine/v3.18/main/x86_64/APKINDEX.tar.gz`,
  (v) => `${v}: exec xx-apk add --no-cache gcc musl-dev \u001b[32mDONE\u001b[0m`,
  (v) => `#${v} [builder 3/7] RUN --mount=type=cache,target=/root/.cache/go-build go build ./...`,
  (v, n) => `${v}: [${(n % 600) / 10}s] (${n % 12}/12) Installing libgcc (12.2.1_git20220924-r10)`,
  (v) => `${v}: copy / /src DONE`,
  (v, n) => `#${v} ${(n % 900) / 10} github.com/dagger/dagger/core/schema`,
  (v) => `${v}: resolve image config for docker.io/library/alpine:3.18 DONE`,
  (v, n) => `${v}: [${(n % 600) / 10}s] ok  \tgithub.com/dagger/dagger/engine/buildkit\t${(n % 90) / 10}s`,
]

// Lines that hold a prefilter word but are no failure: they cost the explainer the most per line.
const DECOYS: readonly ((v: number) => string)[] = [
  (v) => `${v}: go: downloading github.com/pkg/errors v0.9.1`,
  (v) => `${v}: Tests: 214 passed, 0 failed`,
  (v) => `${v}: exec go test -run TestTimeout ./engine/...`,
]

const FAILURES: readonly ((v: number) => string)[] = [
  (v) => `${v}: resolve image config for docker.io/library/golang:1.21.3-alpine3.18 ERROR: failed to do request: Head "https://registry-1.docker.io/v2/library/golang/manifests/1.21.3-alpine3.18": EOF`,
  (v) => `${v}: [27.3s] error: failed to copy: httpReadSeeker: failed open: \n    failed to do request: \n        Get "https://registry-1.docker.io/v2/tonistiigi/xx/blobs/sha256:${DIGEST}": EOF`,
  () => `Error response from daemon: Head\n"https://registry-1.docker.io/v2/library/golang/manifests/1.21.3-alpine3.18":\nGet\n"https://auth.docker.io/token?scope=repository%3Alibrary%2Fgolang%3Apull&service=registry.docker.io":\nEOF`,
  () => `Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 127.0.0.53:53: no such host`,
  (v) => `#${v} ERROR: failed to do request: Head "https://127.0.0.1:5000/v2/app/manifests/1": dial tcp 127.0.0.1:5000: connect: connection refused`,
  () => `Error response from daemon: Get "https://registry-1.docker.io/v2/": net/http: TLS handshake timeout`,
  () => `{"log":"Error response from daemon: toomanyrequests: You have reached your pull rate limit.\\n","stream":"stderr"}`,
  (v) => `${v}: exec go build ./cmd/engine ERROR: process "/bin/sh -c go build ./cmd/engine" did not complete successfully: exit code: 1`,
  () => `\u001b[31mError: failed to connect to engine: dial unix /run/buildkit/buildkitd.sock: connect: no such file or directory\u001b[0m`,
]

export async function generateLog(path: string, megabytes: number, every = 20_000): Promise<{lines: number; failures: number}> {
  const out = createWriteStream(path)
  const target = megabytes * 1024 * 1024
  let size = 0
  let lines = 0
  let failures = 0
  let batch: string[] = []
  let batchBytes = 0
  while (size + batchBytes < target) {
    const v = 10 + (lines % 240)
    let line: string
    if (lines % every === every - 1) {
      line = (FAILURES[failures % FAILURES.length] as (v: number) => string)(v)
      failures++
    } else if (lines % 97 === 0) {
      line = (DECOYS[lines % DECOYS.length] as (v: number) => string)(v)
    } else {
      line = (NORMAL[lines % NORMAL.length] as (v: number, n: number) => string)(v, lines)
    }
    batch.push(line)
    batchBytes += line.length + 1
    lines += line.split('\n').length
    if (batchBytes > 1 << 20) {
      size += batchBytes
      if (!out.write(`${batch.join('\n')}\n`)) await once(out, 'drain')
      batch = []
      batchBytes = 0
    }
  }
  out.end(batch.length > 0 ? `${batch.join('\n')}\n` : '')
  await once(out, 'finish')
  return {lines, failures}
}
