import type Docker from 'dockerode'
import {withTimeout} from '../docker/client.js'
import {shellQuote} from './quote.js'

/**
The `docker run` that starts a container like a running one, read from `docker inspect`: what the
rebuild recipe uses to restart the dev engine on a debug image with the same name, volume,
privileges, ports and engine flags. Values of environment variables are not copied (they may be
tokens): `-e NAME` makes docker take each from the environment of the command, as hack/dev does.
*/
export interface RunLike {
  /** Options between `docker run` and the image. */
  readonly options: readonly string[]
  /** Arguments after the image: the engine's flags. */
  readonly args: readonly string[]
  /** What could not be carried over, in words. */
  readonly notes: readonly string[]
}

type ContainerInfo = Pick<Docker.ContainerInspectInfo, 'Name' | 'Config' | 'HostConfig' | 'Mounts'>
type ImageInfo = {readonly Config?: {readonly Env?: readonly string[] | null; readonly Entrypoint?: readonly string[] | string | null}}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)

function portOptions(bindings: Record<string, {HostIp?: string; HostPort?: string}[] | null> | undefined): string[] {
  const out: string[] = []
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const [port, proto] = key.split('/')
    const target = proto && proto !== 'tcp' ? `${port}/${proto}` : (port ?? key)
    for (const b of list ?? []) {
      const ip = b.HostIp ?? ''
      const hostPort = b.HostPort ?? ''
      out.push('-p', ip !== '' ? `${ip}:${hostPort}:${target}` : hostPort !== '' ? `${hostPort}:${target}` : target)
    }
  }
  return out
}

export function runLike(container: ContainerInfo, image: ImageInfo): RunLike {
  const host = container.HostConfig as Docker.HostConfig & {Mounts?: {Type?: string; Source?: string; Target?: string; ReadOnly?: boolean}[]}
  const notes: string[] = []
  const options: string[] = ['-d', '--name', container.Name.replace(/^\//, '')]
  if (host.Privileged) options.push('--privileged')
  for (const bind of host.Binds ?? []) options.push('-v', bind)
  for (const m of host.Mounts ?? []) {
    if (m.Type === 'volume' || m.Type === 'bind') options.push('--mount', `type=${m.Type},source=${m.Source ?? ''},target=${m.Target ?? ''}${m.ReadOnly ? ',readonly' : ''}`)
  }
  const named = new Set([...(host.Binds ?? []).map((b) => b.split(':')[1]), ...(host.Mounts ?? []).map((m) => m.Target)])
  for (const m of container.Mounts ?? []) {
    if (m.Type === 'volume' && !named.has(m.Destination)) notes.push(`the anonymous volume at ${m.Destination} is not carried over (the new container gets a fresh one)`)
  }
  options.push(...portOptions(host.PortBindings as Record<string, {HostIp?: string; HostPort?: string}[]> | undefined))
  const restart = host.RestartPolicy?.Name
  if (restart && restart !== 'no') options.push('--restart', restart === 'on-failure' && host.RestartPolicy?.MaximumRetryCount ? `on-failure:${host.RestartPolicy.MaximumRetryCount}` : restart)
  for (const h of host.ExtraHosts ?? []) options.push('--add-host', h)
  const network = host.NetworkMode
  if (network && network !== 'default' && network !== 'bridge') options.push('--network', network)
  if ((host.DeviceRequests ?? []).some((d) => (d.Capabilities ?? []).flat().includes('gpu'))) options.push('--gpus', 'all')
  const imageEnv = new Set(image.Config?.Env ?? [])
  for (const e of container.Config.Env ?? []) {
    if (imageEnv.has(e)) continue
    const name = e.split('=')[0] ?? e
    options.push('-e', name)
    notes.push(`${name} is passed with -e ${name}: docker takes its value from your environment, so set it before running`)
  }
  let args = [...(container.Config.Cmd ?? [])]
  const entrypoint = container.Config.Entrypoint
  if (!same(entrypoint, image.Config?.Entrypoint)) {
    const list = typeof entrypoint === 'string' ? [entrypoint] : [...(entrypoint ?? [])]
    options.push('--entrypoint', list[0] ?? '')
    args = [...list.slice(1), ...args]
  }
  return {options, args, notes}
}

/** Shell-quoted words, one variable value for a `words: true` recipe variable. */
export function asWords(argv: readonly string[]): string {
  return argv.map((a) => shellQuote(a)).join(' ')
}

/** Inspects the container and the image it runs, and derives the restart's options and arguments. */
export async function readRunLike(docker: Docker, container: string, timeoutMs: number): Promise<RunLike & {image: string}> {
  const info = await withTimeout(docker.getContainer(container).inspect(), timeoutMs, `Inspecting ${container}`)
  const image = await withTimeout(docker.getImage(info.Image).inspect(), timeoutMs, `Inspecting the image of ${container}`)
  return {...runLike(info, image), image: info.Config.Image}
}
