import {PassThrough, Readable} from 'node:stream'
import {describe, expect, it} from 'vitest'
import {main} from '../../src/cli/commands/explain.js'
import {CATEGORY_ADVICE, JOURNEY_CATEGORIES} from '../../src/core/explain/categories.js'
import {classifyStatement} from '../../src/core/explain/classify.js'
import {explainText} from '../../src/core/explain/explain.js'
import {journeyLines, score} from './journey-set.js'

const LINES = journeyLines()

describe('the journey error set (fixtures/journey-errors.tsv)', () => {
  it('covers every journey category with several phrasings', () => {
    for (const category of [...JOURNEY_CATEGORIES, 'proxy'] as const) {
      expect(LINES.filter((l) => l.category === category).length, category).toBeGreaterThanOrEqual(4)
    }
    expect(LINES.length).toBeGreaterThanOrEqual(60)
  })

  it.each(LINES)('$category: $text', ({category, text}) => {
    expect(classifyStatement(text)?.category).toBe(category)
  })

  it.each(LINES)('explain (prefilter included) finds it alone in a log: $text', ({category, text}) => {
    const report = explainText(`#3 [builder 1/4] RUN make\n${text}\n#3 DONE 0.1s\n`)
    expect(report.failures.map((f) => f.category)).toEqual([category])
  })

  it('scores at least 90% (the held-out goal)', () => {
    const s = score(LINES)
    expect(s.misses).toEqual([])
    expect(s.right / s.total).toBeGreaterThanOrEqual(0.9)
  })
})

describe('innermost cause', () => {
  it.each([
    ['http do: Post "http://dagger/query": failed to write /var/lib/dagger/x: no space left on device', 'disk_full'],
    ['Error: failed to start engine: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?', 'docker_unavailable'],
    ["fatal: unable to access 'https://github.com/a/b/': Failed to connect to 127.0.0.1 port 7890: Connection refused", 'proxy'],
    ["fatal: unable to access 'https://github.com/a/b/': Could not resolve host: github.com", 'git'],
    ['failed to connect to engine: dial tcp 127.0.0.1:1234: connect: connection refused', 'engine_unreachable'],
    ['Error: failed to start engine: failed to do request: Head "https://registry.dagger.io/v2/engine/manifests/v0.18.5": toomanyrequests: retry later', 'rate_limit'],
    ['Error: failed to start engine: exec /usr/local/bin/dagger-entrypoint.sh: exec format error', 'platform'],
  ] as const)('%s -> %s', (text, category) => {
    expect(classifyStatement(text)?.category).toBe(category)
  })

  it('names the git URL and transport', () => {
    expect(classifyStatement("fatal: Authentication failed for 'https://gitlab.com/acme/tools.git/'")).toMatchObject({op: 'git fetch (https)', host: 'gitlab.com', url: 'https://gitlab.com/acme/tools.git/'})
    expect(classifyStatement('git@github.com: Permission denied (publickey). fatal: Could not read from remote repository.')).toMatchObject({op: 'git fetch (ssh)', host: 'github.com'})
  })

  it('names the loopback proxy that nothing listens on', () => {
    expect(classifyStatement('curl: (7) Failed to connect to 127.0.0.1 port 3128 after 0 ms: Connection refused')).toMatchObject({category: 'proxy', host: '127.0.0.1:3128'})
  })

  it('carries the specific hint of the rule that matched (modprobe for the nat table)', () => {
    const c = classifyStatement("iptables v1.8.11 (legacy): can't initialize iptables table `nat': Table does not exist (do you need to insmod?)")
    expect(c?.category).toBe('engine_start')
    expect(c?.hint).toContain('sudo modprobe iptable_nat')
  })
})

// One failure of each journey category, each printed twice under different wrappers where dagger does that.
const ONE_OF_EACH = [
  '#5 [engine 2/6] RUN apk add git',
  '#5 ERROR: failed to fetch: toomanyrequests: You have reached your pull rate limit.',
  'Error: failed to connect to engine: error reading server preface: command [docker exec -i dagger-engine.dev buildctl dial-stdio] has exited with exit status 1: stderr=Error: dial unix /run/dagger/engine.sock: connect: no such file or directory',
  'level=fatal msg="CNI setup error: plugin type=\\"bridge\\" failed (add): can\'t initialize iptables table `nat\': Table does not exist (do you need to insmod?)"',
  'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
  "fatal: unable to access 'https://github.com/x/y/': Failed to connect to 127.0.0.1 port 7890 after 0 ms: Couldn't connect to server",
  "fatal: repository 'https://github.com/acme/missing/' not found",
  'write /var/lib/dagger/worker/x: no space left on device',
  'Error: module requires dagger v0.19.2, but you have v0.18.14',
  'exec /usr/local/bin/dagger-engine: exec format error',
  'go: go.mod requires go >= 1.22.0 (running go 1.19.8; GOTOOLCHAIN=local)',
  'Error: input: container.stdout: no command has been set',
  // The same engine failure again, as the CLI's summary prints it.
  'Error: http do: Post "http://dagger/query": error reading server preface: command [docker exec -i dagger-engine.dev buildctl dial-stdio] has exited with exit status 1: stderr=Error: dial unix /run/dagger/engine.sock: connect: no such file or directory',
].join('\n')

describe("BuildKit's closing step summary", () => {
  const summary = 'ERROR: failed to solve: process "/bin/sh -c go build" did not complete successfully: exit code: 1'
  it('gives way to the classified cause the same log holds', () => {
    const report = explainText(`#12 4.1 go: go.mod requires go >= 1.23 (running go 1.19; GOTOOLCHAIN=local)\n${summary}\n`)
    expect(report.failures.map((f) => f.category)).toEqual(['go_toolchain'])
  })
  it('is still reported when it is all the log says', () => {
    expect(explainText(`${summary}\n`).failures.map((f) => f.category)).toEqual(['other'])
  })
})

describe('a log with one failure of each kind', () => {
  it('lists each once, first cause first, with repeats counted', () => {
    const report = explainText(ONE_OF_EACH)
    expect(report.failures.map((f) => [f.category, f.count, f.line])).toEqual([
      ['rate_limit', 1, 2],
      ['engine_unreachable', 2, 3],
      ['engine_start', 1, 4],
      ['docker_unavailable', 1, 5],
      ['proxy', 1, 6],
      ['git', 1, 7],
      ['disk_full', 1, 8],
      ['version_skew', 1, 9],
      ['platform', 1, 10],
      ['go_toolchain', 1, 11],
      ['usage', 1, 12],
    ])
  })

  it('gives each a why, a fix and the cell or recipe that checks it', () => {
    for (const f of explainText(ONE_OF_EACH).failures) {
      const advice = CATEGORY_ADVICE[f.category]
      expect(advice.meaning.length).toBeGreaterThan(20)
      expect(advice.fix.length).toBeGreaterThan(20)
      expect(advice.next).toMatch(/cell|recipe|--help|git ls-remote/)
    }
  })
})

describe('the Build and Launch cells use the same classification', () => {
  it('explains a launch error with the engine log lines under it', async () => {
    const {explainMessage} = await import('../../src/core/engine/explain-bridge.js')
    const got = explainMessage(
      [
        'dagger-engine.dev exited with code 1 before it was ready',
        'time="2026-12-02T10:00:00Z" level=fatal msg="failed to create worker: CNI setup error: plugin type=\\"bridge\\" failed (add): running [/usr/sbin/iptables -t nat -S --wait]: exit status 3: can\'t initialize iptables table `nat\': Table does not exist (do you need to insmod?)"',
      ].join('\n'),
    )
    expect(got?.category).toBe('engine_start')
    expect(got?.why).toContain('sudo modprobe iptable_nat')
    expect(got?.next).toContain('Launch cell')
    expect(explainMessage('all good')).toBeNull()
  })

  it('gives the Build cell the why, the fix and the check for each failure', async () => {
    const {failuresFromReport} = await import('../../src/core/engine/explain-bridge.js')
    const failures = failuresFromReport(explainText('Error: input: container.stdout: no command has been set'))
    expect(failures).toHaveLength(1)
    expect(failures[0]?.detail).toContain(CATEGORY_ADVICE.usage.fix)
    expect(failures[0]?.detail).toContain(`Check with: ${CATEGORY_ADVICE.usage.next}`)
  })
})

describe('explain - on a log with one failure of each kind', () => {
  async function run(argv: string[]): Promise<{code: number; stdout: string}> {
    const stdout = new PassThrough()
    let out = ''
    stdout.on('data', (d: Buffer) => (out += d.toString()))
    const stdin = Object.assign(Readable.from([Buffer.from(ONE_OF_EACH)]), {isTTY: false})
    const code = await main(argv, {stdout, stderr: new PassThrough(), stdin, env: {}, cwd: '/', color: false, interactive: false})
    return {code, stdout: out}
  }

  it('prints every category once with its fix, the check to run next and the rule\'s hint', async () => {
    const {code, stdout} = await run(['-'])
    expect(code).toBe(1)
    for (const category of ['rate_limit', 'engine_unreachable', 'engine_start', 'docker_unavailable', 'proxy', 'git', 'disk_full', 'version_skew', 'platform', 'go_toolchain', 'usage'] as const) {
      const advice = CATEGORY_ADVICE[category]
      expect(stdout.split('\n').filter((l) => l.startsWith(`${category}: `))).toEqual([`${category}: ${advice.meaning}`])
      expect(stdout).toContain(`  Fix: ${advice.fix}\n  Check with: ${advice.next}`)
    }
    expect(stdout).toContain('2 times, first at line 3')
    expect(stdout).toContain('Why: The engine\'s networking needs the iptables `nat` table: `sudo modprobe iptable_nat`')
  })

  it('gives why, fix and next in --json', async () => {
    const json = JSON.parse((await run(['-', '--json'])).stdout) as {failures: {category: string; why: string; fix: string; next: string}[]}
    expect(json.failures).toHaveLength(11)
    for (const f of json.failures) expect(f.fix).toBe(CATEGORY_ADVICE[f.category as keyof typeof CATEGORY_ADVICE].fix)
  })
})
