/**
Registry diagnosis speed, against baselines measured in the same run:

1. Verdict time for a registry that accepts TCP and never answers, against the time `docker pull`
   takes to fail on the same front (target: at least 4x faster). dockerd treats 127.0.0.0/8 as an
   insecure registry, so it tries HTTPS and then falls back to plain HTTP: both stall.
2. Full probe time on the lab's healthy registry (TLS, Debian docker-registry) against `curl` doing
   the same HTTP steps in one process with connection reuse (target: at most 2x slower).

Everything stays on 127.0.0.1.
*/
import {createServer, type Socket} from 'node:net'
import {randomBytes} from 'node:crypto'
import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import {diagnose} from '../../src/core/registry/diagnose.js'
import {MANIFEST_ACCEPT} from '../../src/core/registry/manifest.js'
import {readLabFacts} from '../../test/lab/facts.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9)

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

function ms(n: number): string {
  return `${n.toFixed(0)} ms`
}

async function neverAnswering(): Promise<void> {
  const sockets = new Set<Socket>()
  const server = createServer((s) => {
    sockets.add(s)
    s.on('error', () => undefined)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  const ref = `127.0.0.1:${port}/dx-bench-${randomBytes(3).toString('hex')}/never:1`
  try {
    const started = performance.now()
    const report = await diagnose([ref], {env: {HOME: '/nonexistent'}, timeoutMs: 5000, platform: {os: 'linux', architecture: 'amd64'}, control: null})
    const ours = performance.now() - started
    const verdict = report.results[0]?.verdict
    const pullStarted = performance.now()
    const pull = await execa('docker', ['pull', ref], {reject: false, timeout: 300_000, all: true, stdin: 'ignore'})
    const docker = performance.now() - pullStarted
    const lastLine = (pull.all ?? '').trim().split('\n').at(-1) ?? ''
    console.log('1. Never-answering registry (TCP accepted, nothing sent back)')
    console.log(`   diagnose verdict: ${ms(ours)}  (${verdict?.category} at ${verdict?.layer}, per-layer timeout 5000 ms)`)
    console.log(`   docker pull fails: ${ms(docker)}  (exit ${pull.exitCode ?? (pull.timedOut ? 'timed out' : '?')}: ${lastLine.slice(0, 160)})`)
    console.log(`   ratio: docker pull / diagnose = ${(docker / ours).toFixed(1)}x  (target >= 4x)`)
  } finally {
    for (const s of sockets) s.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

async function healthy(): Promise<void> {
  const facts = readLabFacts()
  const registry = facts.registry
  if (!registry) throw new Error('The lab has no registry: run `bash test/lab/up.sh`.')
  const base = `https://${registry.host}`
  const ref = registry.image
  const curlBase = ['--cacert', registry.caFile, '-sS', '--max-time', '10']
  // Learn the manifest digest and a layer (what the probe finds by itself) once, outside the timing.
  const head = await execa('curl', [...curlBase, '-I', '-H', `Accept: ${MANIFEST_ACCEPT}`, `${base}/v2/${registry.repository}/manifests/${registry.tag}`])
  const digest = /docker-content-digest:\s*(\S+)/i.exec(head.stdout)?.[1]
  const manifest = await execa('curl', [...curlBase, '-H', `Accept: ${MANIFEST_ACCEPT}`, `${base}/v2/${registry.repository}/manifests/${digest ?? registry.tag}`])
  const layer = (JSON.parse(manifest.stdout) as {layers?: {digest: string}[]}).layers?.[0]?.digest
  if (!digest || !layer) throw new Error('Could not read the lab image manifest with curl.')
  // The same HTTP steps as the probe, in one curl process reusing its connection: ping, manifest HEAD,
  // manifest GET, ranged blob GET.
  const curlArgs = [
    ...curlBase, '-o', '/dev/null', `${base}/v2/`,
    '--next', ...curlBase, '-o', '/dev/null', '-I', '-H', `Accept: ${MANIFEST_ACCEPT}`, `${base}/v2/${registry.repository}/manifests/${registry.tag}`,
    '--next', ...curlBase, '-o', '/dev/null', '-H', `Accept: ${MANIFEST_ACCEPT}`, `${base}/v2/${registry.repository}/manifests/${digest}`,
    '--next', ...curlBase, '-o', '/dev/null', '-r', '0-1023', `${base}/v2/${registry.repository}/blobs/${layer}`,
  ]
  const env = {HOME: '/nonexistent', NODE_EXTRA_CA_CERTS: registry.caFile}
  const options = {env, timeoutMs: 5000, platform: {os: 'linux', architecture: 'amd64'}, control: null}
  const check = await diagnose([ref], options)
  if (!check.ok) throw new Error(`The healthy probe failed: ${check.results[0]?.verdict.summary}`)
  const warm: number[] = []
  const curl: number[] = []
  const curlCpu: number[] = []
  const coldInside: number[] = []
  const coldCpu: number[] = []
  const coldProcess: number[] = []
  // Interleaved, so that load from other processes on this machine hits both sides alike.
  for (let i = 0; i < ROUNDS; i++) {
    const a = performance.now()
    await diagnose([ref], options)
    warm.push(performance.now() - a)
    // GNU time reports curl's own CPU seconds (user + system), which machine load does not inflate.
    const b = performance.now()
    const timed = await execa('/usr/bin/time', ['-f', 'DXCPU %U %S', 'curl', ...curlArgs], {stdin: 'ignore', reject: false})
    curl.push(performance.now() - b)
    const cpu = /DXCPU ([\d.]+) ([\d.]+)/.exec(timed.stderr)
    if (cpu) curlCpu.push((Number(cpu[1]) + Number(cpu[2])) * 1000)
    // A fresh Node process per probe, as the CLI runs: start-up, loading, trust store, probe.
    const c = performance.now()
    const child = await execa(process.execPath, [fileURLToPath(import.meta.url).replace(/bench\.ts$/, '.bench-bundle.mjs')], {
      env: {...process.env, DX_BENCH_CHILD: ref, NODE_EXTRA_CA_CERTS: registry.caFile},
      extendEnv: false,
      stdin: 'ignore',
    })
    coldProcess.push(performance.now() - c)
    const [wall, cpuMs] = child.stdout.trim().split(' ').map(Number)
    coldInside.push(wall ?? Number.NaN)
    coldCpu.push(cpuMs ?? Number.NaN)
  }
  const cu = median(curl)
  console.log(`2. Healthy lab registry ${registry.host} (TLS), full probe vs curl, median of ${ROUNDS} interleaved rounds`)
  console.log(`   layers: ${check.results[0]?.layers.map((l) => `${l.name} ${l.status}`).join(', ')}`)
  console.log(`   curl, the same 4 requests in one process (incl. its start-up): ${ms(cu)}`)
  console.log(`   diagnose, warm in process:           ${ms(median(warm))}  = ${(median(warm) / cu).toFixed(2)}x curl`)
  console.log(`   diagnose, first probe of a process:  ${ms(median(coldInside))}  = ${(median(coldInside) / cu).toFixed(2)}x curl`)
  console.log(`   CPU time of the first probe of a process: ${ms(median(coldCpu))} (curl's whole run is under GNU time's 10 ms resolution: ${ms(median(curlCpu))})`)
  console.log(`   (a fresh node process running the bench bundle and one probe: ${ms(median(coldProcess))}, mostly Node start-up and module loading)`)
  console.log(`   load average while measuring: ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')} on ${(await import('node:os')).availableParallelism()} CPUs`)
  console.log('   target: diagnose <= 2x curl')
}

const child = process.env.DX_BENCH_CHILD
if (child) {
  const started = performance.now()
  const cpuStart = process.cpuUsage()
  const report = await diagnose([child], {env: {HOME: '/nonexistent', NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS}, timeoutMs: 5000, platform: {os: 'linux', architecture: 'amd64'}, control: null})
  if (!report.ok) process.exitCode = 1
  const cpu = process.cpuUsage(cpuStart)
  console.log(`${(performance.now() - started).toFixed(1)} ${((cpu.user + cpu.system) / 1000).toFixed(1)}`)
} else {
  if (process.env.BENCH_SKIP_DOCKER !== '1') {
    await neverAnswering()
    console.log('')
  }
  await healthy()
}
