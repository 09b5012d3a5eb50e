/**
Type and value checks for known daemon.json keys. dockerd decodes the file with Go's encoding/json
into typed fields, so a wrong JSON type stops it ("cannot unmarshal string into Go struct field");
several values are validated before start-up too (log level, DNS addresses, negative limits,
mirrors, exec-opts).
*/
import {isIP} from 'node:net'
import type {ConfigFinding} from './finding.js'
import {at} from './finding.js'
import type {JsonMember, JsonNode} from './json-strict.js'
import {KNOWN_FEATURES, PROXY_KEYS, type KeySpec, type ValueFormat} from './schema.js'
import {atLeast, formatVersion, type EngineVersion} from './version.js'

/** Linux graph drivers (classic image store) and containerd snapshotters (containerd image store, 24.0+). */
const GRAPH_DRIVERS = ['overlay2', 'fuse-overlayfs', 'btrfs', 'zfs', 'vfs', 'aufs', 'devicemapper', 'overlay']
const SNAPSHOTTERS = ['overlayfs', 'native', 'btrfs', 'zfs', 'stargz', 'nydus', 'fuse-overlayfs', 'erofs']

const WANT: Record<KeySpec['type'], string> = {
  boolean: 'true or false',
  integer: 'a whole number',
  string: 'a string in double quotes',
  'string-list': 'a list of strings, e.g. ["a", "b"]',
  'string-map': 'an object of string values, e.g. {"max-size": "10m"}',
  'bool-map': 'an object of true/false values, e.g. {"containerd-snapshotter": true}',
  'map-of-string-maps': 'an object of objects of strings, e.g. {"bridge": {"com.docker.network.driver.mtu": "1400"}}',
  pools: 'a list like [{"base": "10.10.0.0/16", "size": 24}]',
  ulimits: 'an object like {"nofile": {"Name": "nofile", "Hard": 64000, "Soft": 64000}}',
  runtimes: 'an object like {"name": {"path": "/usr/bin/runtime"}}',
  proxies: 'an object with "http-proxy", "https-proxy" and/or "no-proxy" strings',
  object: 'an object ({ … })',
}

const KIND_WORD: Record<JsonNode['kind'], string> = {
  object: 'an object',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  boolean: 'true/false',
  null: 'null',
}

function wrongType(key: string, node: JsonNode, type: KeySpec['type'], pathKey = key): ConfigFinding {
  const shown = node.kind === 'string' ? `the string "${node.value}"` : KIND_WORD[node.kind]
  return {
    id: 'key-wrong-type',
    status: 'fail',
    key: pathKey,
    ...at(node.pos),
    title: `"${pathKey}" has the wrong type`,
    detail: `"${pathKey}" must be ${WANT[type]}, but the file gives ${shown}. dockerd decodes the file into typed fields and refuses to start ("cannot unmarshal … into Go struct field").`,
    fix: `Write "${pathKey}" as ${WANT[type]}${node.kind === 'string' && type === 'integer' ? ' (no quotes around the number)' : ''}, or remove it to get the default.`,
  }
}

function badValue(pathKey: string, node: JsonNode, problem: string, fix: string, status: 'fail' | 'warn' = 'fail'): ConfigFinding {
  return {
    id: status === 'fail' ? 'key-bad-value' : 'key-odd-value',
    status,
    key: pathKey,
    ...at(node.pos),
    title: status === 'fail' ? `"${pathKey}" has a value dockerd refuses` : `"${pathKey}" has a value dockerd ignores or will refuse later`,
    detail: problem,
    fix,
  }
}

export interface ValueContext {
  readonly target: EngineVersion
  readonly targetLabel: string
  /** False when the release is a guess (no running daemon said its version). */
  readonly targetKnown?: boolean
}

/** Checks one known top-level member; returns its findings (empty when fine). */
export function checkMember(spec: KeySpec, member: JsonMember, ctx: ValueContext): ConfigFinding[] {
  const node = member.value
  const key = spec.key
  if (node.kind === 'null') {
    return [
      {
        id: 'key-null',
        status: 'warn',
        key,
        ...at(node.pos),
        title: `"${key}" is null`,
        detail: `dockerd treats null as "not set", so "${key}" keeps its default${spec.default === undefined ? '' : ` (${spec.default})`}. It is probably not what was meant.`,
        fix: `Remove "${key}" or give it a value.`,
      },
    ]
  }
  switch (spec.type) {
    case 'boolean':
      return node.kind === 'boolean' ? [] : [wrongType(key, node, spec.type)]
    case 'integer':
      return checkInteger(spec, node, ctx)
    case 'string':
      if (node.kind !== 'string') return [wrongType(key, node, spec.type)]
      return checkString(spec, key, node.value, node, ctx)
    case 'string-list': {
      if (node.kind !== 'array') return [wrongType(key, node, spec.type)]
      const out: ConfigFinding[] = []
      for (const item of node.items) {
        if (item.kind !== 'string') out.push(wrongType(key, item, 'string', `${key}[]`))
        else out.push(...checkString(spec, key, item.value, item, ctx))
      }
      return out
    }
    case 'string-map':
      return checkMap(key, node, (v) => v.kind === 'string', 'string')
    case 'bool-map': {
      const out = checkMap(key, node, (v) => v.kind === 'boolean', 'boolean')
      if (node.kind === 'object' && key === 'features') {
        for (const m of node.members) {
          if (!(KNOWN_FEATURES as readonly string[]).includes(m.key)) {
            out.push({
              id: 'feature-unknown',
              status: 'warn',
              key: `features.${m.key}`,
              ...at(m.keyPos),
              title: `Unknown feature "${m.key}"`,
              detail: `dockerd accepts any name under "features" and ignores the ones it does not know, so "${m.key}" does nothing. Known features: ${KNOWN_FEATURES.join(', ')}.`,
              fix: `Check the spelling or remove "${m.key}" from "features".`,
            })
          }
        }
      }
      return out
    }
    case 'map-of-string-maps': {
      if (node.kind !== 'object') return [wrongType(key, node, spec.type)]
      const out: ConfigFinding[] = []
      for (const m of node.members) out.push(...checkMap(`${key}.${m.key}`, m.value, (v) => v.kind === 'string', 'string'))
      return out
    }
    case 'pools':
      return checkPools(key, node)
    case 'ulimits':
      return checkObjectOfObjects(key, node, spec.type)
    case 'runtimes':
      return checkRuntimes(key, node)
    case 'proxies':
      return checkProxies(key, node)
    case 'object':
      return node.kind === 'object' ? [] : [wrongType(key, node, spec.type)]
  }
}

function checkInteger(spec: KeySpec, node: JsonNode, ctx: ValueContext): ConfigFinding[] {
  const key = spec.key
  if (node.kind !== 'number') return [wrongType(key, node, 'integer')]
  if (!Number.isInteger(node.value) || /[.eE]/.test(node.raw)) {
    return [badValue(key, node, `"${key}" must be a whole number; ${node.raw} is not (dockerd: "cannot unmarshal number ${node.raw} into Go struct field … of type int").`, `Use a whole number such as ${spec.default ?? '1'}.`)]
  }
  // dockerd 20.10 checked only the download/upload limits for negatives; the MTU check came later.
  const minEnforced = key === 'mtu' ? atLeast(ctx.target, [23, 0]) : true
  if (spec.min !== undefined && node.value < spec.min) {
    return [
      badValue(
        key,
        node,
        `"${key}" is ${node.value}; it must be ${spec.min} or more.${minEnforced ? '' : ` dockerd ${ctx.targetLabel} does not check this yet, newer releases refuse to start.`}`,
        `Set "${key}" to ${spec.min} or more, or remove it to get the default${spec.default === undefined ? '' : ` (${spec.default})`}.`,
        minEnforced ? 'fail' : 'warn',
      ),
    ]
  }
  if (spec.olderMin !== undefined && node.value < spec.olderMin.min) return olderMinFinding(spec, node, ctx, spec.olderMin)
  if (spec.max !== undefined && node.value > spec.max) {
    return [badValue(key, node, `"${key}" is ${node.value}; it must be ${spec.max} or less.`, `Set "${key}" to ${spec.max} or less.`)]
  }
  return []
}

// A value whose verdict changed between releases: refused by the old ones, accepted by newer ones.
function olderMinFinding(spec: KeySpec, node: Extract<JsonNode, {kind: 'number'}>, ctx: ValueContext, rule: NonNullable<KeySpec['olderMin']>): ConfigFinding[] {
  const key = spec.key
  const fix = `Set "${key}" to ${rule.min} or more, or remove it to get the default${spec.default === undefined ? '' : ` (${spec.default})`}.`
  const [major, minor = 0] = rule.refusedThrough
  if (!atLeast(ctx.target, [major, minor + 1])) {
    return [badValue(key, node, `"${key}" is ${node.value}; dockerd ${ctx.targetLabel} refuses to start unless it is ${rule.min} or more ("invalid max download attempts: ${node.value}").`, fix)]
  }
  if (ctx.targetKnown !== false && atLeast(ctx.target, rule.acceptedFrom)) return []
  const release = ctx.targetKnown === false ? 'the version of the dockerd that reads this file is not known' : `dockerd ${ctx.targetLabel} has not been checked`
  return [
    badValue(
      key,
      node,
      `"${key}" is ${node.value}: whether dockerd starts depends on its version. dockerd ${formatVersion(rule.refusedThrough)} refuses to start with a value below ${rule.min}; ${formatVersion(rule.acceptedFrom)} starts with it; ${release}.`,
      `${fix} That works on every release.`,
      'warn',
    ),
  ]
}

function checkString(spec: KeySpec, key: string, value: string, node: JsonNode, ctx: ValueContext): ConfigFinding[] {
  if (spec.values !== undefined) {
    const ok = key === 'log-level' ? spec.values.includes(value.toLowerCase()) : spec.values.includes(value)
    if (!ok) return [badValue(key, node, `"${key}" is "${value}"; dockerd accepts only ${spec.values.map((v) => `"${v}"`).join(', ')} and refuses to start otherwise.`, `Use one of ${spec.values.join(', ')}, or remove "${key}".`)]
  }
  if (key === 'storage-driver' && value !== '') {
    const snapshotterOnly = SNAPSHOTTERS.includes(value) && !GRAPH_DRIVERS.includes(value)
    if (!GRAPH_DRIVERS.includes(value) && !(snapshotterOnly && atLeast(ctx.target, [24, 0]))) {
      return [
        badValue(
          key,
          node,
          `"${value}" is not a storage driver dockerd ${ctx.targetLabel} has; it refuses to start ("error initializing graphdriver: driver not supported"), and every docker command then fails with "Cannot connect to the Docker daemon".`,
          `Remove "storage-driver" to let dockerd choose (overlay2 on most hosts), or use one of ${GRAPH_DRIVERS.join(', ')}.`,
        ),
      ]
    }
  }
  const problem = spec.format === undefined ? undefined : formatProblem(spec.format, value, ctx)
  if (problem === undefined) return []
  return [badValue(key, node, `"${key}": ${problem.text}`, problem.fix, problem.status)]
}

interface FormatProblem {
  readonly text: string
  readonly fix: string
  readonly status: 'fail' | 'warn'
}

function formatProblem(format: ValueFormat, value: string, ctx: ValueContext): FormatProblem | undefined {
  switch (format) {
    case 'ip':
      return isIP(value) === 0 ? {text: `"${value}" is not an IP address (dockerd: "${value} is not an ip address").`, fix: 'Give a plain IPv4 or IPv6 address, e.g. 192.0.2.53.', status: 'fail'} : undefined
    case 'cidr':
      return isCidr(value) ? undefined : {text: `"${value}" is not an address with a prefix length like 172.18.0.1/16.`, fix: 'Write it as ADDRESS/PREFIX.', status: 'fail'}
    case 'abs-path':
      return value.startsWith('/') ? undefined : {text: `"${value}" is not an absolute path; dockerd resolves it against its own working directory, which is rarely what was meant.`, fix: 'Use an absolute path starting with /.', status: 'warn'}
    case 'size':
      return /^\d+(\.\d+)?\s*([kmgtp]i?b?|b)?$/i.test(value) ? undefined : {text: `"${value}" is not a size like 64M or 1g.`, fix: 'Write the size as a number with an optional unit (k, m, g).', status: 'fail'}
    case 'label':
      return value.includes('=') ? undefined : {text: `"${value}" is not a key=value label.`, fix: 'Write each label as key=value.', status: 'fail'}
    case 'host':
      return /^(unix|tcp|fd|npipe|ssh):\/\//.test(value) || /^[\w.-]*:\d+$/.test(value) || value.startsWith('/')
        ? undefined
        : {text: `"${value}" is not a socket address like unix:///var/run/docker.sock or tcp://127.0.0.1:2375.`, fix: 'Use unix://PATH, tcp://HOST:PORT or fd://.', status: 'fail'}
    case 'registry': {
      const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase()
      if (scheme === 'http' || scheme === 'https') {
        return {text: `"${value}" contains ${scheme}://; dockerd strips it with a warning, since insecure registries are written as host[:port] or a CIDR.`, fix: `Write it as ${value.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '')}.`, status: 'warn'}
      }
      if (value.includes('://')) return {text: `"${value}" has a scheme; insecure registries are host[:port] or a CIDR and dockerd refuses to start ("should not contain '://'").`, fix: `Write it as ${value.replace(/^[a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '')}.`, status: 'fail'}
      if (value.startsWith('-') || value.endsWith('-')) return {text: `"${value}" begins or ends with a hyphen; dockerd refuses to start ("invalid index name").`, fix: 'Write the registry as host[:port] or a CIDR.', status: 'fail'}
      return undefined
    }
    case 'url': {
      // As dockerd: a missing scheme is refused (it does not add https:// itself).
      const scheme = /^([^:/]*):\/\//.exec(value)?.[1]
      if (scheme === undefined || scheme === '') {
        return {text: `"${value}" has no scheme; dockerd refuses to start ("invalid mirror: no scheme specified" on current releases, "unsupported scheme" on older ones).`, fix: `Write the mirror as a full URL, e.g. https://${value}.`, status: 'fail'}
      }
      let url: URL | undefined
      try {
        url = new URL(value)
      } catch {
        url = undefined
      }
      if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        return {text: `"${value}" is not an http:// or https:// URL; dockerd refuses to start ("invalid mirror").`, fix: 'Write the mirror as https://host[:port].', status: 'fail'}
      }
      if (url.username !== '' || url.password !== '') {
        return {text: 'the mirror URL carries a user name or password, which dockerd refuses ("username/password not allowed").', fix: `Use ${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname} and log in with docker login instead.`, status: 'fail'}
      }
      if (url.search !== '' || url.hash !== '') {
        return {text: `"${value}" has a query or fragment; dockerd refuses to start ("invalid mirror: … query or fragment at end of the URI").`, fix: `Use ${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}.`, status: 'fail'}
      }
      // Paths under a mirror are accepted from 24.0 (moby#46594, also in late 24.0 patch releases).
      if (url.pathname !== '/' && url.pathname !== '' && !atLeast(ctx.target, [24, 0])) {
        return {text: `"${value}" has a path; dockerd ${ctx.targetLabel} refuses to start ("invalid mirror: path, query, or fragment at end of the URI"). Releases from 24.0 accept mirror paths.`, fix: `Use ${url.protocol}//${url.host}, or upgrade Docker Engine to use a mirror under a path.`, status: 'fail'}
      }
      return undefined
    }
    case 'exec-opt': {
      const eq = value.indexOf('=')
      const name = (eq < 0 ? value : value.slice(0, eq)).trim().toLowerCase()
      const v = eq < 0 ? '' : value.slice(eq + 1).trim()
      if (eq < 0 || name === '' || v === '') return {text: `"${value}" is not written as opt=value.`, fix: 'Write exec-opts as name=value, e.g. native.cgroupdriver=systemd.', status: 'fail'}
      if (name === 'native.cgroupdriver') {
        return v === 'cgroupfs' || v === 'systemd' ? undefined : {text: `cgroup driver "${v}" is not supported (dockerd: "native.cgroupdriver option ${v} not supported").`, fix: 'Use native.cgroupdriver=systemd or native.cgroupdriver=cgroupfs.', status: 'fail'}
      }
      if (name === 'isolation') return {text: '"isolation" is a Windows-only exec-opt.', fix: 'Remove it on Linux.', status: 'fail'}
      const refused = atLeast(ctx.target, [27, 0])
      return {
        text: `"${name}" is not an exec-opt dockerd knows.${refused ? ' dockerd refuses to start ("unknown option").' : ` dockerd ${ctx.targetLabel} ignores it; newer releases refuse to start.`}`,
        fix: `Remove "${value}" from exec-opts.`,
        status: refused ? 'fail' : 'warn',
      }
    }
  }
}

export function isCidr(value: string): boolean {
  const [addr = '', prefix, more] = value.split('/')
  if (prefix === undefined || more !== undefined || !/^\d{1,3}$/.test(prefix)) return false
  const family = isIP(addr)
  const bits = Number(prefix)
  return (family === 4 && bits <= 32) || (family === 6 && bits <= 128)
}

function checkMap(key: string, node: JsonNode, ok: (v: JsonNode) => boolean, want: 'string' | 'boolean'): ConfigFinding[] {
  if (node.kind !== 'object') return [wrongType(key, node, want === 'string' ? 'string-map' : 'bool-map')]
  const out: ConfigFinding[] = []
  for (const m of node.members) {
    if (!ok(m.value)) out.push(wrongType(`${key}.${m.key}`, m.value, want === 'string' ? 'string' : 'boolean'))
  }
  return out
}

function checkObjectOfObjects(key: string, node: JsonNode, type: KeySpec['type']): ConfigFinding[] {
  if (node.kind !== 'object') return [wrongType(key, node, type)]
  return node.members.filter((m) => m.value.kind !== 'object').map((m) => wrongType(`${key}.${m.key}`, m.value, 'object'))
}

function checkRuntimes(key: string, node: JsonNode): ConfigFinding[] {
  if (node.kind !== 'object') return [wrongType(key, node, 'runtimes')]
  const out: ConfigFinding[] = []
  for (const m of node.members) {
    if (m.value.kind !== 'object') {
      out.push(wrongType(`${key}.${m.key}`, m.value, 'object'))
      continue
    }
    for (const f of m.value.members) {
      if (f.key === 'path' && f.value.kind !== 'string') out.push(wrongType(`${key}.${m.key}.path`, f.value, 'string'))
      if (f.key === 'runtimeArgs' && (f.value.kind !== 'array' || f.value.items.some((i) => i.kind !== 'string'))) out.push(wrongType(`${key}.${m.key}.runtimeArgs`, f.value, 'string-list'))
    }
  }
  return out
}

function checkProxies(key: string, node: JsonNode): ConfigFinding[] {
  if (node.kind !== 'object') return [wrongType(key, node, 'proxies')]
  const out: ConfigFinding[] = []
  for (const m of node.members) {
    if (!(PROXY_KEYS as readonly string[]).includes(m.key)) {
      out.push({
        id: 'key-unknown',
        status: 'fail',
        key: `${key}.${m.key}`,
        ...at(m.keyPos),
        title: `Unknown key "${m.key}" inside "proxies"`,
        detail: `"proxies" takes only ${PROXY_KEYS.map((p) => `"${p}"`).join(', ')}. dockerd checks the names inside it like top-level ones and refuses to start ("the following directives don't match any configuration option: ${m.key}").`,
        fix: `Rename it to one of ${PROXY_KEYS.join(', ')} or remove it.`,
      })
    } else if (m.value.kind !== 'string') out.push(wrongType(`${key}.${m.key}`, m.value, 'string'))
  }
  return out
}

function checkPools(key: string, node: JsonNode): ConfigFinding[] {
  if (node.kind !== 'array') return [wrongType(key, node, 'pools')]
  const out: ConfigFinding[] = []
  for (const item of node.items) {
    if (item.kind !== 'object') {
      out.push(wrongType(`${key}[]`, item, 'pools'))
      continue
    }
    const base = item.members.find((m) => m.key === 'base')?.value
    const size = item.members.find((m) => m.key === 'size')?.value
    if (base === undefined || base.kind !== 'string' || !isCidr(base.value)) {
      out.push(badValue(`${key}[].base`, base ?? item, 'each pool needs "base" as a network with a prefix, e.g. "10.10.0.0/16".', 'Give every pool a "base" like "10.10.0.0/16".'))
      continue
    }
    const prefix = Number(base.value.split('/')[1])
    const max = isIP(base.value.split('/')[0] ?? '') === 6 ? 128 : 32
    if (size === undefined || size.kind !== 'number' || !Number.isInteger(size.value)) {
      out.push(badValue(`${key}[].size`, size ?? item, 'each pool needs "size", the prefix length of the networks cut from it, e.g. 24.', 'Give every pool a whole-number "size" such as 24.'))
    } else if (size.value < prefix || size.value > max) {
      out.push(badValue(`${key}[].size`, size, `"size" ${size.value} does not fit in ${base.value}: it must be between ${prefix} and ${max}.`, `Use a size between ${prefix} and ${max}.`))
    }
  }
  return out
}
