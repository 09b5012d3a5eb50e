/**
How long the Debugger cell's two expensive parts take, against the tools a person would use:
- the ELF check of a large binary on disk, against `readelf -S -W`;
- the engine binary read in a container: in a running one with exec range reads (sh + dd), in a
  stopped one by copying it out (archive API to a temp file), both against `docker cp` of the same
  file followed by `readelf -S -W`.
The large binary is this Node (about 100 MB, like an engine); the container is made from the lab's
busybox image with it copied in. Nothing is pulled. Ratios are ours / baseline, median of RUNS.
*/
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import Docker from 'dockerode'
import {readElfFile} from '../../src/core/recipes/elf.js'
import {readEngineElf} from '../../src/core/recipes/debugger-probe.js'
import {inspectEngine} from '../../src/core/recipes/engine-process.js'

const RUNS = Number(process.env.RUNS ?? 5)
const BINARY = process.env.BINARY ?? process.execPath
const BASE = 'dagger-explore-lab/busybox:latest'

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? NaN
}

async function time(run: () => unknown): Promise<number> {
  const started = process.hrtime.bigint()
  await run()
  return Number(process.hrtime.bigint() - started) / 1e6
}

const size = statSync(BINARY).size
console.log(`binary: ${BINARY} (${(size / 1e6).toFixed(1)} MB), runs: ${RUNS}`)

const ours: number[] = []
const readelf: number[] = []
for (let i = 0; i < RUNS; i++) {
  ours.push(await time(() => readElfFile(BINARY)))
  readelf.push(await time(() => execFileSync('readelf', ['-S', '-W', BINARY], {stdio: 'pipe'})))
}
console.log(`ELF check on disk: ours ${median(ours).toFixed(1)} ms, readelf -S ${median(readelf).toFixed(1)} ms, ratio ${(median(ours) / median(readelf)).toFixed(2)}`)

const docker = new Docker({socketPath: '/var/run/docker.sock', timeout: 60_000})
const name = `dx-bench-debugger-${process.pid}`
const dir = mkdtempSync(path.join(tmpdir(), 'dx-bench-debugger-'))
try {
  execFileSync('docker', ['run', '-d', '--pull', 'never', '--network', 'none', '--name', name, BASE, 'sleep', '600'], {stdio: 'pipe'})
  execFileSync('docker', ['cp', BINARY, `${name}:/dagger-engine`], {stdio: 'pipe'})
  const running = await inspectEngine(docker, name, 10_000)
  if (!running?.running) throw new Error('the bench container is not running')
  const engine = {...running, running: false}
  const byExec: number[] = []
  for (let i = 0; i < RUNS; i++) byExec.push(await time(() => readEngineElf(docker, running, '/dagger-engine', 60_000)))
  const fromContainer: number[] = []
  const dockerCp: number[] = []
  let rssBefore = 0
  let rssPeak = 0
  for (let i = 0; i < RUNS; i++) {
    rssBefore = process.memoryUsage().rss
    const timer = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss - rssBefore)
    }, 5)
    fromContainer.push(await time(() => readEngineElf(docker, engine, '/dagger-engine', 60_000)))
    clearInterval(timer)
    const target = path.join(dir, `copy-${i}`)
    dockerCp.push(
      await time(() => {
        execFileSync('docker', ['cp', `${name}:/dagger-engine`, target], {stdio: 'pipe'})
        execFileSync('readelf', ['-S', '-W', target], {stdio: 'pipe'})
      }),
    )
    rmSync(target, {force: true})
  }
  console.log(`engine binary in a running container (exec range reads): ours ${median(byExec).toFixed(0)} ms, docker cp + readelf ${median(dockerCp).toFixed(0)} ms, ratio ${(median(byExec) / median(dockerCp)).toFixed(2)}`)
  console.log(
    `engine binary copied out (stopped container): ours ${median(fromContainer).toFixed(0)} ms, docker cp + readelf ${median(dockerCp).toFixed(0)} ms, ratio ${(median(fromContainer) / median(dockerCp)).toFixed(2)}; extra RSS while copying at most ${(rssPeak / 1e6).toFixed(1)} MB for a ${(size / 1e6).toFixed(0)} MB file`,
  )
} finally {
  execFileSync('docker', ['rm', '-f', name], {stdio: 'pipe'})
  rmSync(dir, {recursive: true, force: true})
}
