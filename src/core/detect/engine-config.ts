/**
Registry mirrors in ~/.config/dagger/engine.json reach an engine only when the dagger CLI
provisions it: an engine started before the file changed runs with what it read then, and the dev
engine never mounts the host's file at all: it has its own /etc/dagger/engine.json, baked into the
image (docker.io mirrored to mirror.gcr.io in recent checkouts).
*/
import type {Finding} from '../types.js'

export interface EngineConfig {
  /** Registry host -> its mirrors. */
  readonly mirrors: Readonly<Record<string, readonly string[]>>
}

/** Reads an engine.json text; null when it is not JSON, an empty config when it has no registries. */
export function parseEngineConfig(text: string): EngineConfig | null {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return null
  }
  const registries = (data as {registries?: Record<string, {mirrors?: unknown}>} | null)?.registries
  const mirrors: Record<string, string[]> = {}
  if (registries && typeof registries === 'object') {
    for (const [host, value] of Object.entries(registries)) {
      const list = Array.isArray(value?.mirrors) ? value.mirrors.filter((m): m is string => typeof m === 'string') : []
      if (list.length > 0) mirrors[host] = list
    }
  }
  return {mirrors}
}

export interface EngineConfigFacts {
  /** ~/.config/dagger/engine.json, parsed, with its modification time; null when there is none. */
  readonly host: {readonly path: string; readonly config: EngineConfig | null; readonly modified: Date} | null
  /** Engine containers the CLI provisioned (dagger-engine-*), with what they were started with. */
  readonly provisioned: readonly {readonly name: string; readonly started: Date; readonly mountsHostConfig: boolean}[]
  /** The dev engine's baked /etc/dagger/engine.json, when it could be read. */
  readonly dev?: {readonly name: string; readonly config: EngineConfig | null} | null
}

function describe(mirrors: EngineConfig['mirrors']): string {
  const entries = Object.entries(mirrors)
  return entries.length === 0 ? 'no mirrors' : entries.map(([h, m]) => `${h} → ${m.join(', ')}`).join('; ')
}

export function engineConfigFindings(f: EngineConfigFacts): Finding[] {
  const findings: Finding[] = []
  const host = f.host
  if (host !== null && host.config === null) {
    findings.push({
      id: 'engine-json-invalid',
      status: 'fail',
      title: `${host.path} is not valid JSON`,
      detail: 'The dagger CLI mounts this file into the engines it provisions; an engine that cannot read it will not start with your settings.',
      fix: `Fix the JSON (\`node -e "JSON.parse(require('fs').readFileSync('${host.path}','utf8'))"\` shows where it breaks).`,
    })
    return findings
  }
  const hostMirrors = host?.config?.mirrors ?? {}
  if (host !== null && Object.keys(hostMirrors).length > 0) {
    const stale = f.provisioned.filter((e) => !e.mountsHostConfig || e.started.getTime() < host.modified.getTime())
    if (stale.length > 0) {
      findings.push({
        id: 'engine-json-not-applied',
        status: 'warn',
        title: `${stale.map((e) => e.name).join(', ')} ${stale.length === 1 ? 'runs' : 'run'} without the mirrors in ${host.path}`,
        detail: `${host.path} sets ${describe(hostMirrors)}, but the engine reads it only when the CLI provisions it: ${stale.map((e) => `${e.name} ${e.mountsHostConfig ? `started ${e.started.toISOString()}, before the file changed (${host.modified.toISOString()})` : 'does not mount it at all'}`).join('; ')}.`,
        fix: `Re-provision: \`docker rm -fv ${stale.map((e) => e.name).join(' ')}\` and run dagger again (the cache volume goes with -v; leave -v out to keep it).`,
      })
    }
  }
  const dev = f.dev ?? null
  if (dev !== null) {
    const baked = dev.config?.mirrors ?? {}
    const missing = Object.keys(hostMirrors).filter((h) => JSON.stringify(hostMirrors[h]) !== JSON.stringify(baked[h]))
    findings.push(
      missing.length > 0
        ? {
            id: 'dev-engine-json-differs',
            status: 'warn',
            title: `${dev.name} does not use your engine.json mirrors for ${missing.join(', ')}`,
            detail: `The dev engine is started with its own baked /etc/dagger/engine.json (${describe(baked)}), not with ${host?.path ?? '~/.config/dagger/engine.json'} (${describe(hostMirrors)}).`,
            fix: 'Put the mirrors in the dev engine image\'s engine config (the checkout\'s engine-dev module), or run against an engine the CLI provisions.',
          }
        : {id: 'dev-engine-json', status: 'pass', title: `${dev.name} has its baked engine.json: ${describe(baked)}`},
    )
  }
  return findings
}
