import {execa} from 'execa'
import {loadTarget, resolveTarget, STREAM_IDLE_TIMEOUT_MS} from '../../src/core/tree/docker-source.js'
import {dockerService} from '../../src/core/docker/service.js'
import {mergeLayers} from '../../src/core/tree/merge.js'
import {BENCH_IMAGE, buildBenchImage} from './build-image.js'

/**
Time until the tree of a 100,000-file, 1 GB image is ready, against `docker save IMAGE | tar -t`
in the same run; peak memory of the reading process. Our side runs in a child process so that its
peak RSS is its own.
*/

interface ChildResult {
  readonly ms: number
  readonly maxRssMB: number
  readonly files: number
  readonly layers: number
}

async function child(image: string): Promise<void> {
  const started = performance.now()
  const docker = await (await dockerService(process.env)).client(STREAM_IDLE_TIMEOUT_MS)
  const target = await resolveTarget(docker, image, 'image')
  const layers = await loadTarget(docker, target)
  const tree = mergeLayers(layers.layers)
  let files = 0
  for (const node of tree.walk()) if (tree.kinds[node] === 0) files++
  const ms = performance.now() - started
  const result: ChildResult = {ms, maxRssMB: process.resourceUsage().maxRSS / 1024, files, layers: layers.layers.length}
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

async function baseline(image: string): Promise<number> {
  const started = performance.now()
  await execa('docker', ['save', image], {timeout: 600_000, buffer: false}).pipe('tar', ['-t'], {stdout: 'ignore', timeout: 600_000})
  return performance.now() - started
}

async function ours(image: string): Promise<ChildResult> {
  const r = await execa(process.execPath, [process.argv[1] ?? '', '--child', image], {timeout: 600_000})
  return JSON.parse(r.stdout) as ChildResult
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  if (args[0] === '--child') return child(args[1] ?? BENCH_IMAGE)
  const image = args[0] ?? BENCH_IMAGE
  const rounds = Number(process.env.ROUNDS ?? 3)
  if (image === BENCH_IMAGE) {
    const build = await buildBenchImage()
    console.log(build.built ? `bench image ${image}: built in ${(build.ms / 1000).toFixed(1)} s` : `bench image ${image}: cached (tag exists)`)
  }
  // One untimed pass so both sides read from a warm page cache.
  await baseline(image)
  const base: number[] = []
  const mine: ChildResult[] = []
  for (let i = 0; i < rounds; i++) {
    base.push(await baseline(image))
    mine.push(await ours(image))
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
  const b = median(base)
  const o = median(mine.map((m) => m.ms))
  const peak = Math.max(...mine.map((m) => m.maxRssMB))
  const last = mine[mine.length - 1]
  console.log(`files in tree:           ${last?.files} over ${last?.layers} layers`)
  console.log(`docker save | tar -t:    ${(b / 1000).toFixed(2)} s (median of ${rounds}: ${base.map((x) => (x / 1000).toFixed(2)).join(', ')})`)
  console.log(`tree ready:              ${(o / 1000).toFixed(2)} s (median of ${rounds}: ${mine.map((x) => (x.ms / 1000).toFixed(2)).join(', ')})`)
  console.log(`ratio tree / baseline:   ${(o / b).toFixed(2)}x (target <= 2x) ${o / b <= 2 ? 'OK' : 'OVER'}`)
  console.log(`peak RSS of the reader:  ${peak.toFixed(0)} MB (target < 300 MB) ${peak < 300 ? 'OK' : 'OVER'}`)
}

await main()
