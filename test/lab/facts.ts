import {readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

/** What `test/lab/up.sh` brought up, as it wrote it to `.lab/facts.json`. */
export interface LabFacts {
  readonly version: 1
  /** Machine-wide lab state: dockerd and registry logs, TLS material, registry storage. */
  readonly stateDir: string
  readonly docker: {
    readonly serverVersion: string
    readonly defaultRuntime: string
    /** False when this host lacks capabilities and the daemon is not the lab's: --privileged fails there. */
    readonly privileged: boolean
  }
  /** A busybox image made with `docker import`; nothing is ever pulled. */
  readonly baseImage: string
  /** The lab CA (PEM file) that signed both registries' certificates. */
  readonly caFile: string
  /** The lab CA appended to any NODE_EXTRA_CA_CERTS the user had: what workers get as NODE_EXTRA_CA_CERTS. */
  readonly caBundleFile: string
  readonly registry: LabRegistry | null
  readonly tokenRegistry: LabTokenRegistry | null
  /** Every engine up.sh brought up: the system one first, then dockerd 26.1 classic and containerd store. */
  readonly engines: readonly LabEngine[]
  /** The engine this test run talks to (DAGGER_EXPLORE_LAB_ENGINE; `docker` describes the same one). */
  readonly engine: LabEngine
}

export interface LabEngine {
  readonly id: string
  /** DOCKER_HOST for this engine. */
  readonly host: string
  readonly serverVersion: string
  /** `classic` (graph driver) or `containerd` (containerd image store / snapshotter). */
  readonly imageStore: 'classic' | 'containerd'
  /** /info Driver: overlay2 on classic, overlayfs on the containerd store. */
  readonly driver: string
  readonly defaultRuntime: string
  readonly privileged: boolean
  /** The lab's own daemons only: the dockerd binary and the folders holding its containerd and shims. */
  readonly dockerd?: string
  readonly binDirs?: readonly string[]
}

export interface LabRegistry {
  /** `127.0.0.1:5443`, the name docker uses and the `/etc/docker/certs.d` folder name. */
  readonly host: string
  readonly url: string
  readonly caFile: string
  /** `baseImage` pushed here by up.sh: `<host>/<repository>:<tag>`. */
  readonly repository: string
  readonly tag: string
  readonly image: string
}

export interface LabTokenRegistry {
  readonly host: string
  readonly url: string
  readonly caFile: string
  /** Where the registry sends clients for a token; the lab's issuer listens there during a test run. */
  readonly realm: string
  readonly issuerPort: number
  /** Test-only account the issuer knows; any other password gets 401. */
  readonly username: string
  readonly password: string
  /** `baseImage` pushed here behind auth; `publicRepository` holds the same image, pullable anonymously. */
  readonly repository: string
  readonly publicRepository: string
  readonly tag: string
  readonly service: string
  readonly issuer: string
  /** EC P-256 key (PEM) whose certificate the registry trusts: anything signed with it is a valid token. */
  readonly signingKeyFile: string
  readonly signingCertFile: string
}

export const LAB_FACTS_ENV = 'DAGGER_EXPLORE_LAB_FACTS'

/** `.lab/facts.json` in this clone: up.sh writes it there whatever its state dir. */
export function defaultFactsFile(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../.lab/facts.json')
}

/** Reads and checks the facts file; throws one plain sentence when it is missing or malformed. */
export function readLabFacts(file = process.env[LAB_FACTS_ENV] ?? defaultFactsFile(), engineId = process.env.DAGGER_EXPLORE_LAB_ENGINE ?? 'system'): LabFacts {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    throw new Error(`The test lab is not up: ${file} does not exist. Run \`bash test/lab/up.sh\` (as root on Debian it installs and starts everything).`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new Error(`The test lab facts in ${file} are not valid JSON: run \`bash test/lab/up.sh\` again.`)
  }
  if (!isFacts(parsed)) throw new Error(`The test lab facts in ${file} have an unknown shape: run \`bash test/lab/up.sh\` again.`)
  return selectEngine(parsed as unknown as RawFacts, engineId)
}

type RawFacts = Omit<LabFacts, 'engine'> & {engines?: LabEngine[]}

function selectEngine(raw: RawFacts, id: string): LabFacts {
  const engines = raw.engines ?? []
  const engine = engines.find((e) => e.id === id)
  if (!engine) throw new Error(`The test lab facts list no engine "${id}" (DAGGER_EXPLORE_LAB_ENGINE): run \`bash test/lab/up.sh\` again, as root, so it starts dockerd 26.1.`)
  return {...raw, engines, engine, docker: {serverVersion: engine.serverVersion, defaultRuntime: engine.defaultRuntime, privileged: engine.privileged}}
}

function isFacts(value: unknown): value is LabFacts {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return v.version === 1 && typeof v.baseImage === 'string' && typeof v.caFile === 'string' && typeof v.docker === 'object' && v.docker !== null
}
