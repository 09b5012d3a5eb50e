import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import {afterEach, describe, expect, it} from 'vitest'

// The real up.sh, run with dpkg-query, apt-get and id replaced by stand-ins on PATH: the
// package step must ask apt-get for exactly what the stand-in dpkg database lacks.
const UP_SH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'up.sh')
const PACKAGES = (() => {
  const m = /^PACKAGES=\(([^)]*)\)$/m.exec(readFileSync(UP_SH, 'utf8'))
  if (!m?.[1]) throw new Error('up.sh has no PACKAGES=(...) line')
  return m[1].trim().split(/\s+/)
})()

const DPKG_QUERY = `#!/bin/bash
# Stand-in: answers like dpkg-query -W -f='\${Package} \${Status}\\n' from a list file.
db=$STANDIN_DIR/installed
rc=0
names=()
for a in "$@"; do case "$a" in -*) ;; *) names+=("$a") ;; esac; done
for p in "\${names[@]}"; do
  if grep -qxF -- "$p" "$db" 2>/dev/null; then printf '%s install ok installed\\n' "$p"
  else echo "dpkg-query: no packages found matching $p" >&2; rc=1; fi
done
exit $rc
`

const APT_GET = `#!/bin/bash
# Stand-in: records each call; "install" adds the named packages to the stand-in database.
printf '%s\\n' "$*" >>"$STANDIN_DIR/apt-calls"
if [ -x "$DAGGER_EXPLORE_LAB_POLICY_RC" ]; then echo present >>"$STANDIN_DIR/policy-seen"; fi
if [ "\${STANDIN_FAIL_INSTALL:-}" = 1 ] && [[ " $* " == *" install "* ]]; then echo 'E: Unable to locate package' >&2; exit 100; fi
if [[ " $* " == *" install "* ]]; then
  for a in "$@"; do case "$a" in -*|install) ;; *) printf '%s\\n' "$a" >>"$STANDIN_DIR/installed" ;; esac; done
fi
exit 0
`

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true})
})

function standins(installed: readonly string[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'dx-pkg-'))
  dirs.push(dir)
  const bin = path.join(dir, 'bin')
  mkdirSync(bin)
  for (const [name, body] of [['dpkg-query', DPKG_QUERY], ['apt-get', APT_GET], ['id', '#!/bin/sh\necho 0\n']] as const) {
    writeFileSync(path.join(bin, name), body)
    chmodSync(path.join(bin, name), 0o755)
  }
  writeFileSync(path.join(dir, 'installed'), installed.map((p) => `${p}\n`).join(''))
  return {dir, bin}
}

async function runPackagesStep(s: {dir: string; bin: string}, env: Record<string, string> = {}) {
  const run = await execa('bash', [UP_SH, '--packages-only'], {
    reject: false,
    timeout: 60_000,
    stdin: 'ignore',
    env: {
      PATH: `${s.bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      STANDIN_DIR: s.dir,
      DAGGER_EXPLORE_LAB_STATE: path.join(s.dir, 'state'),
      DAGGER_EXPLORE_LAB_POLICY_RC: path.join(s.dir, 'policy-rc.d'),
      CI: 'true',
      ...env,
    },
    extendEnv: false,
  })
  const callsFile = path.join(s.dir, 'apt-calls')
  const calls = existsSync(callsFile) ? readFileSync(callsFile, 'utf8').trim().split('\n').filter(Boolean) : []
  return {run, calls}
}

function installArgs(calls: string[]): string[] {
  const install = calls.filter((c) => / install /.test(` ${c} `))
  expect(install).toHaveLength(1)
  return install[0]!.split(/\s+/).filter((a) => !a.startsWith('-') && a !== 'install')
}

// The stand-ins need a Debian-like host (up.sh installs only where /etc/debian_version exists).
const debian = existsSync('/etc/debian_version')
const ci = process.env.CI === 'true' || process.env.CI === '1'

describe.skipIf(!debian && !ci)('up.sh package step (stand-in dpkg-query and apt-get)', () => {
  it('installs every package when dpkg knows none of them, after one apt-get update', async () => {
    const {run, calls} = await runPackagesStep(standins([]))
    expect(run.exitCode, run.stderr).toBe(0)
    expect(calls.filter((c) => / update( |$)/.test(` ${c}`))).toHaveLength(1)
    expect(calls[0]).toMatch(/\bupdate\b/)
    expect(installArgs(calls)).toEqual(PACKAGES)
    expect(run.stderr).toContain(`installing Debian packages: ${PACKAGES.join(' ')}`)
  })

  it('installs exactly the packages dpkg lacks when it knows some', async () => {
    const known = PACKAGES.filter((_, i) => i % 2 === 0)
    const {run, calls} = await runPackagesStep(standins(known))
    expect(run.exitCode, run.stderr).toBe(0)
    expect(installArgs(calls)).toEqual(PACKAGES.filter((_, i) => i % 2 === 1))
  })

  it('asks apt-get for nothing, not even an update, when every package is installed', async () => {
    const {run, calls} = await runPackagesStep(standins(PACKAGES))
    expect(run.exitCode, run.stderr).toBe(0)
    expect(calls).toEqual([])
  })

  it('fails with a lab: FAILED line naming the packages when apt-get cannot install them', async () => {
    const {run} = await runPackagesStep(standins(PACKAGES.slice(1)), {STANDIN_FAIL_INSTALL: '1'})
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain(`lab: FAILED: apt-get could not install ${PACKAGES[0]}`)
  })

  it('removes the policy-rc.d it added so package scripts stop starting daemons only while it installs', async () => {
    const s = standins([])
    const {run, calls} = await runPackagesStep(s)
    expect(run.exitCode, run.stderr).toBe(0)
    expect(readFileSync(path.join(s.dir, 'policy-seen'), 'utf8').trim().split('\n')).toHaveLength(calls.length)
    expect(existsSync(path.join(s.dir, 'policy-rc.d'))).toBe(false)
  })

  it('names the command and its Debian package when a command the lab needs is missing', async () => {
    const {run} = await runPackagesStep(standins(PACKAGES), {DAGGER_EXPLORE_LAB_EXTRA_REQUIRED: 'dx-no-such-command:dx-some-package'})
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toMatch(/^lab: FAILED: .*dx-no-such-command \(Debian package dx-some-package\)/m)
  })
})
