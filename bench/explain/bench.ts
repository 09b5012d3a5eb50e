/**
Explain throughput on a generated log against `grep -c` on the same file, measured in one run:
wall and CPU time (medians of RUNS, runs interleaved so machine load hits all alike) and peak
memory. The explainer runs as its own process through the command's `main`, as a user runs it.
Target (issue 4): explain at most 3x the time of `grep -c -i error`; peak memory flat (the same on a
log ten times smaller).
*/
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {NEEDLES} from '../../src/core/explain/needles.js'
import {generateLog} from './generate-log.js'

const MB = Number(process.env.BENCH_MB ?? 200)
const RUNS = Number(process.env.RUNS ?? 5)
const TARGET = 3
const entry = process.env.EXPLAIN_ENTRY ?? ''
const TIME = '/usr/bin/time'

interface Sample {
  wallMs: number
  cpuMs: number
  rssKb: number | null
  stdout: string
}

function measure(file: string, args: string[]): Sample {
  if (existsSync(TIME)) {
    const r = spawnSync(TIME, ['-f', '@@ %e %U %S %M', file, ...args], {encoding: 'utf8', maxBuffer: 64 << 20})
    const line = r.stderr.split('\n').find((l) => l.startsWith('@@ '))
    if (!line) throw new Error(`${file} ${args.join(' ')}: ${r.stderr}`)
    const [, wall, user, sys, rss] = line.split(' ')
    return {wallMs: Number(wall) * 1000, cpuMs: (Number(user) + Number(sys)) * 1000, rssKb: Number(rss), stdout: r.stdout}
  }
  const t = process.hrtime.bigint()
  const r = spawnSync(file, args, {encoding: 'utf8', maxBuffer: 64 << 20})
  return {wallMs: Number(process.hrtime.bigint() - t) / 1e6, cpuMs: Number.NaN, rssKb: null, stdout: r.stdout}
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN

const dir = mkdtempSync(path.join(tmpdir(), 'dx-bench-explain-'))
try {
  const big = path.join(dir, 'build.log')
  const small = path.join(dir, 'small.log')
  const needles = path.join(dir, 'needles.txt')
  const t0 = Date.now()
  const generated = await generateLog(big, MB)
  await generateLog(small, MB / 10)
  writeFileSync(needles, `${NEEDLES.map((n) => n.text).join('\n')}\n`)
  console.log(`Generated ${MB} MB, ${generated.lines} lines, ${generated.failures} failures in ${((Date.now() - t0) / 1000).toFixed(1)} s`)

  const node = process.execPath
  const cases: {name: string; file: string; args: string[]}[] = [
    {name: 'grep -c ERROR', file: 'grep', args: ['-c', 'ERROR', big]},
    {name: 'grep -c -i error', file: 'grep', args: ['-c', '-i', 'error', big]},
    {name: 'grep -c -F -f <the needles>', file: 'grep', args: ['-c', '-F', '-f', needles, big]},
    {name: 'explain --json', file: node, args: [entry, big, '--json']},
  ]
  // Through the real CLI too, once the dispatcher knows the command and the bundle is built.
  const root = process.env.EXPLAIN_ROOT ?? process.cwd()
  const bin = path.join(root, 'bin', 'dagger-explore.js')
  if (existsSync(path.join(root, 'dist', 'cli.js')) && readFileSync(path.join(root, 'src', 'cli', 'main.ts'), 'utf8').includes('commands/explain.js')) {
    cases.push({name: 'dagger-explore explain --json', file: node, args: [bin, 'explain', big, '--json']})
  }
  // Warm the page cache and the compile cache, as a second look at the same log would be.
  for (const c of cases) measure(c.file, c.args)
  const samples = new Map<string, Sample[]>(cases.map((c) => [c.name, []]))
  for (let i = 0; i < RUNS; i++) for (const c of cases) samples.get(c.name)?.push(measure(c.file, c.args))

  const stats = new Map(
    cases.map((c) => {
      const s = samples.get(c.name) ?? []
      return [c.name, {wall: median(s.map((x) => x.wallMs)), cpu: median(s.map((x) => x.cpuMs)), rss: Math.max(...s.map((x) => x.rssKb ?? 0))}]
    }),
  )
  const explain = stats.get('explain --json')
  const report = JSON.parse(samples.get('explain --json')?.[0]?.stdout ?? '{"failures":[]}') as {failures: {category: string; count: number}[]}
  const occurrences = report.failures.reduce((sum, f) => sum + f.count, 0)
  console.log(`explain found ${report.failures.length} distinct failures, ${occurrences} occurrences (${generated.failures} written)`)
  console.log(`Node ${process.version}, ${RUNS} runs each, medians; CPU = user + system\n`)
  const times = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}x` : '-')
  console.log(`${'command'.padEnd(34)} ${'wall ms'.padStart(8)} ${'CPU ms'.padStart(8)} ${'peak RSS'.padStart(9)}   explain is (wall / CPU)`)
  for (const c of cases) {
    const s = stats.get(c.name)
    if (!s || !explain) continue
    const ratio = c.file === node ? '' : `${times(explain.wall, s.wall)} / ${times(explain.cpu, s.cpu)}`
    console.log(`${c.name.padEnd(34)} ${s.wall.toFixed(0).padStart(8)} ${s.cpu.toFixed(0).padStart(8)} ${`${(s.rss / 1024).toFixed(1)} MB`.padStart(9)}   ${ratio}`)
  }
  console.log('')
  const baseline = stats.get('grep -c -i error')
  for (const c of cases.filter((x) => x.file === node)) {
    const s = stats.get(c.name)
    if (!s || !baseline) continue
    // Both: wall time is what a user waits, CPU time is what survives a busy machine.
    for (const [label, ratio] of [['wall', s.wall / baseline.wall], ['CPU', s.cpu / baseline.cpu]] as const) {
      const verdict = Number.isFinite(ratio) ? `${ratio.toFixed(2)}x ${ratio <= TARGET ? 'ok' : 'OVER'}` : 'too fast to time here'
      console.log(`Target: ${c.name} <= ${TARGET}x grep -c -i error (${label}): ${verdict}`)
    }
  }
  const smallRun = measure(node, [entry, small, '--json'])
  if (explain && smallRun.rssKb !== null) {
    const grew = explain.rss - smallRun.rssKb
    console.log(`Memory: peak ${(explain.rss / 1024).toFixed(1)} MB on ${MB} MB, ${(smallRun.rssKb / 1024).toFixed(1)} MB on ${MB / 10} MB: ${grew < 16 * 1024 ? 'flat' : 'GROWS'} (${(grew / 1024).toFixed(1)} MB apart)`)
  }
} finally {
  rmSync(dir, {recursive: true, force: true})
}
