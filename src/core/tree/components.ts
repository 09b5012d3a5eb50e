import type {Finding, Status} from '../types.js'
import v09 from './components/v0.9-alpine.json' with {type: 'json'}
import wolfi from './components/wolfi.json' with {type: 'json'}
import type {FileTree} from './file-tree.js'
import type {CapturePolicy} from './layer-reader.js'
import {findPackage, PACKAGE_DBS, parsePackageDb, type InstalledPackage} from './packages.js'
import {octalMode} from './render.js'
import {resolvePath} from './resolve.js'
import {KIND, KIND_NAMES, type ImageLayers, type KindName} from './types.js'

/** One expected path of an engine image, as written in `components/*.json`. */
export interface ComponentSpec {
  readonly id: string
  /** Absolute; a `*` in the last part matches several files (`buildkit-qemu-*`). */
  readonly path: string
  readonly kind: 'file' | 'dir' | 'symlink'
  /** Exact permission bits, in octal, where they matter. */
  readonly mode?: string
  readonly executable?: boolean
  /** A directory that must hold something. */
  readonly nonEmpty?: boolean
  /** For globs: how many matches at least. */
  readonly min?: number
  /** For symlinks: the path the link must lead to. */
  readonly resolvesTo?: string
  readonly severity: 'fail' | 'warn'
  /** What stops working without it, in plain words. */
  readonly breaks: string
  /** Command run in the engine container to learn its version. */
  readonly version?: readonly string[]
  /** Keep the first part of its content while reading (config, entrypoint). */
  readonly capture?: boolean
  /** Older releases put the same part here instead (dumb-init before dagger-init): any one of them will do. */
  readonly alternatives?: readonly string[]
  /** Expected only when the image's entrypoint script runs this word (tini, since v0.21.0). */
  readonly whenEntrypointRuns?: string
}

export interface PackageSpec {
  readonly name: string
  readonly severity: 'fail' | 'warn'
  readonly breaks: string
}

export interface EraSpec {
  readonly era: string
  readonly title: string
  /** Where in the dagger source the layout comes from. */
  readonly source: string
  /** `ID=` values of os-release that point at this era. */
  readonly osIds: readonly string[]
  /** Paths only this era's image has. */
  readonly markers: readonly string[]
  readonly packageDb: readonly string[]
  /** Why a missing package database is normal for this era (Wolfi images are built without one). */
  readonly packageDbAbsentReason?: string
  readonly components: readonly ComponentSpec[]
  readonly packages: readonly PackageSpec[]
}

export const ERAS: readonly EraSpec[] = [v09 as EraSpec, wolfi as EraSpec]

export function findEra(name: string): EraSpec | undefined {
  return ERAS.find((e) => e.era === name)
}

/** Bytes kept of config files and scripts, and of package databases (they run to a few hundred kB). */
export const CAPTURE_TEXT_BYTES = 64 * 1024
export const CAPTURE_DB_BYTES = 8 * 1024 * 1024
const OS_FILES = ['etc/os-release', 'usr/lib/os-release', 'etc/alpine-release']

/** What to keep while streaming: the files the checker reads (os-release, package databases, engine config, entrypoint). */
export function componentCapture(eras: readonly EraSpec[] = ERAS): CapturePolicy {
  const text = new Set<string>(OS_FILES)
  for (const era of eras) for (const c of era.components) if (c.capture) text.add(c.path.replace(/^\/+/, ''))
  const dbs = new Set<string>(PACKAGE_DBS.map((d) => d.path))
  return (path) => (dbs.has(path) ? CAPTURE_DB_BYTES : text.has(path) ? CAPTURE_TEXT_BYTES : 0)
}

/** The kept head of a file as the merged view sees it (symlinks followed), or undefined. */
export function capturedText(image: ImageLayers, tree: FileTree, path: string): string | undefined {
  const node = resolvePath(tree, path)
  if (node === undefined) return undefined
  const layer = image.layers[tree.layers[node] ?? -1]
  const rel = tree.pathOf(node)
  return layer?.captured.get(rel)?.toString('utf8')
}

export interface EraGuess {
  readonly era: EraSpec
  /** The image matched none of the eras' markers: probably not a Dagger engine image. */
  readonly confident: boolean
  readonly reasons: readonly string[]
  readonly osId?: string
  readonly osName?: string
}

export function osRelease(image: ImageLayers, tree: FileTree): {id?: string; name?: string} {
  const text = capturedText(image, tree, 'etc/os-release') ?? capturedText(image, tree, 'usr/lib/os-release')
  if (text === undefined) return capturedText(image, tree, 'etc/alpine-release') ? {id: 'alpine', name: 'Alpine Linux'} : {}
  const field = (key: string): string | undefined => {
    const match = new RegExp(`^${key}=(.*)$`, 'm').exec(text)
    return match?.[1]?.trim().replace(/^["']|["']$/g, '')
  }
  const id = field('ID')
  const name = field('PRETTY_NAME') ?? field('NAME')
  return {...(id ? {id} : {}), ...(name ? {name} : {})}
}

/** Picks the era whose markers and OS match the image best. */
export function detectEra(image: ImageLayers, tree: FileTree): EraGuess {
  const os = osRelease(image, tree)
  let best: {era: EraSpec; score: number; reasons: string[]} | undefined
  for (const era of ERAS) {
    const reasons: string[] = []
    let score = 0
    if (os.id && era.osIds.includes(os.id)) {
      score += 3
      reasons.push(`os-release says ${os.id}`)
    }
    for (const marker of era.markers) {
      if (resolvePath(tree, marker) !== undefined) {
        score += 1
        reasons.push(`${marker} is there`)
      }
    }
    if (!best || score > best.score) best = {era, score, reasons}
  }
  const chosen = best ?? {era: ERAS[ERAS.length - 1] as EraSpec, score: 0, reasons: []}
  const markerHits = chosen.reasons.filter((r) => r.endsWith('is there')).length
  return {
    era: chosen.era,
    confident: markerHits > 0,
    reasons: chosen.reasons,
    ...(os.id ? {osId: os.id} : {}),
    ...(os.name ? {osName: os.name} : {}),
  }
}

export type ItemState = 'present' | 'missing' | 'empty' | 'problem'

export interface ChecklistItem {
  readonly id: string
  readonly path: string
  readonly expectedKind: ComponentSpec['kind']
  readonly state: ItemState
  readonly severity: 'fail' | 'warn'
  readonly breaks: string
  /** The node in the tree (after following symlinks), when present. */
  readonly node?: number
  readonly kind?: KindName
  readonly mode?: string
  readonly expectedMode?: string
  readonly size?: number
  readonly link?: string
  /** For globs: the matching names. */
  readonly matches?: readonly string[]
  /** What is wrong, when the state is `problem` or `empty`. */
  readonly problem?: string
  /** From the running container, when asked. */
  readonly version?: string
  readonly versionCommand?: readonly string[]
}

export interface PackageItem {
  readonly name: string
  readonly present: boolean
  readonly version?: string
  readonly severity: 'fail' | 'warn'
  readonly breaks: string
}

export interface Checklist {
  readonly era: string
  readonly eraTitle: string
  readonly eraSource: string
  readonly confident: boolean
  readonly eraReasons: readonly string[]
  readonly os?: string
  readonly items: readonly ChecklistItem[]
  /** Undefined when the image has no package database. */
  readonly packages?: readonly PackageItem[]
  readonly packageDb?: string
  readonly installedCount: number
  readonly installed: readonly InstalledPackage[]
}

function checkGlob(tree: FileTree, spec: ComponentSpec): ChecklistItem {
  const slash = spec.path.lastIndexOf('/')
  const dirPath = spec.path.slice(0, slash)
  const pattern = new RegExp(`^${spec.path.slice(slash + 1).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`)
  const dir = resolvePath(tree, dirPath)
  const base = {id: spec.id, path: spec.path, expectedKind: spec.kind, severity: spec.severity, breaks: spec.breaks, ...(spec.version ? {versionCommand: spec.version} : {})}
  const hits = dir === undefined ? [] : tree.childrenOf(dir).filter((k) => tree.present[k] === 1 && pattern.test(tree.names[k] ?? ''))
  const min = spec.min ?? 1
  if (hits.length < min) return {...base, state: 'missing', matches: hits.map((k) => tree.names[k] ?? '')}
  const size = hits.reduce((sum, k) => sum + (tree.sizes[k] ?? 0), 0)
  const notExec = spec.executable ? hits.filter((k) => tree.kinds[k] !== KIND.symlink && ((tree.modes[k] ?? 0) & 0o111) === 0) : []
  return {
    ...base,
    state: notExec.length > 0 ? 'problem' : 'present',
    node: hits[0] as number,
    kind: KIND_NAMES[tree.kinds[hits[0] as number] ?? 0] ?? 'file',
    size,
    matches: hits.map((k) => tree.names[k] ?? ''),
    ...(notExec.length > 0 ? {problem: `not executable: ${notExec.map((k) => tree.names[k]).join(', ')}`} : {}),
  }
}

/** Checks one expected component against the merged tree. */
export function checkComponent(tree: FileTree, spec: ComponentSpec): ChecklistItem {
  if (spec.path.includes('*')) return checkGlob(tree, spec)
  if (spec.alternatives !== undefined && resolvePath(tree, spec.path, spec.kind !== 'symlink') === undefined) {
    const alt = spec.alternatives.find((p) => resolvePath(tree, p, spec.kind !== 'symlink') !== undefined)
    if (alt !== undefined) return checkComponent(tree, {...spec, path: alt, alternatives: undefined})
  }
  const base = {id: spec.id, path: spec.path, expectedKind: spec.kind, severity: spec.severity, breaks: spec.breaks, ...(spec.mode ? {expectedMode: spec.mode} : {}), ...(spec.version ? {versionCommand: spec.version} : {})}
  const node = resolvePath(tree, spec.path, spec.kind !== 'symlink')
  if (node === undefined) return {...base, state: 'missing'}
  const kindCode = tree.kinds[node] ?? KIND.file
  const kind = KIND_NAMES[kindCode] ?? 'file'
  const mode = octalMode(tree.modes[node] ?? 0)
  const link = tree.links.get(node)
  const facts = {node, kind, mode, size: kindCode === KIND.dir ? (tree.totals[node] ?? 0) : (tree.sizes[node] ?? 0), ...(link === undefined ? {} : {link})}
  const problems: string[] = []
  const isFileLike = kindCode === KIND.file || kindCode === KIND.hardlink
  if (spec.kind === 'file' && !isFileLike) problems.push(`is a ${kind}, not a file`)
  if (spec.kind === 'dir' && kindCode !== KIND.dir) problems.push(`is a ${kind}, not a directory`)
  if (spec.kind === 'symlink') {
    if (kindCode !== KIND.symlink) problems.push(`is a ${kind}, not a symlink`)
    else if (spec.resolvesTo) {
      const to = resolvePath(tree, spec.path)
      const want = resolvePath(tree, spec.resolvesTo)
      if (to === undefined) return {...base, ...facts, state: 'missing', problem: `dangling symlink to ${link}`}
      if (to !== want) problems.push(`points to ${link}, not ${spec.resolvesTo}`)
    }
  }
  if (spec.mode && (kindCode === KIND.file || kindCode === KIND.hardlink || kindCode === KIND.dir) && mode !== spec.mode.padStart(4, '0')) {
    problems.push(`mode ${mode}, expected ${spec.mode.padStart(4, '0')}`)
  }
  if (spec.executable && isFileLike && ((tree.modes[node] ?? 0) & 0o111) === 0) problems.push(`not executable (mode ${mode})`)
  if (spec.nonEmpty && kindCode === KIND.dir && !tree.childrenOf(node).some((k) => tree.present[k] === 1)) {
    return {...base, ...facts, state: 'empty', problem: 'the directory is empty'}
  }
  return {...base, ...facts, state: problems.length > 0 ? 'problem' : 'present', ...(problems.length > 0 ? {problem: problems.join('; ')} : {})}
}

/** Reads the image's package database from the content kept while streaming. */
export function installedPackages(image: ImageLayers, tree: FileTree): {db?: string; packages: InstalledPackage[]} {
  for (const db of PACKAGE_DBS) {
    const text = capturedText(image, tree, db.path)
    if (text !== undefined) return {db: `/${db.path}`, packages: parsePackageDb(db.kind, text)}
  }
  return {packages: []}
}

/** The code lines (comments left out) of the era's entrypoint script, when the image has it. */
function entrypointCode(image: ImageLayers, tree: FileTree, era: EraSpec): string | undefined {
  const spec = era.components.find((c) => c.id === 'entrypoint')
  const text = spec === undefined ? undefined : capturedText(image, tree, spec.path.replace(/^\/+/, ''))
  return text?.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n')
}

/** The checklist of one era against the image: components, modes, sizes and packages. */
export function checkComponents(image: ImageLayers, tree: FileTree, eraName?: string): Checklist {
  const guess = detectEra(image, tree)
  const era = (eraName ? findEra(eraName) : undefined) ?? guess.era
  const entrypoint = entrypointCode(image, tree, era)
  const expected = era.components.filter((spec) => spec.whenEntrypointRuns === undefined || entrypoint === undefined || new RegExp(`\\b${spec.whenEntrypointRuns}\\b`).test(entrypoint))
  const items = expected.map((spec) => checkComponent(tree, spec))
  const db = installedPackages(image, tree)
  const packages =
    db.db === undefined
      ? undefined
      : era.packages.map((p): PackageItem => {
          const found = findPackage(db.packages, p.name)
          return {name: p.name, present: found !== undefined, ...(found ? {version: found.version} : {}), severity: p.severity, breaks: p.breaks}
        })
  return {
    era: era.era,
    eraTitle: era.title,
    eraSource: era.source,
    confident: eraName !== undefined || guess.confident,
    eraReasons: eraName ? [`chosen with --era ${eraName}`] : guess.reasons,
    ...(guess.osName ? {os: guess.osName} : guess.osId ? {os: guess.osId} : {}),
    items,
    ...(packages ? {packages} : {}),
    ...(db.db ? {packageDb: db.db} : {}),
    installedCount: db.packages.length,
    installed: db.packages,
  }
}

/** Components and packages that are missing (or an empty required directory). */
export function missingItems(checklist: Checklist): {components: ChecklistItem[]; packages: PackageItem[]} {
  return {
    components: checklist.items.filter((i) => i.state === 'missing' || i.state === 'empty'),
    packages: (checklist.packages ?? []).filter((p) => !p.present),
  }
}

export function withVersions(checklist: Checklist, versions: ReadonlyMap<string, string>): Checklist {
  return {...checklist, items: checklist.items.map((i) => (versions.has(i.id) ? {...i, version: versions.get(i.id) as string} : i))}
}

const REBUILD = 'Rebuild the engine image (the Build engine step, or `./hack/dev` in the dagger checkout) and look in its log for the step that should have produced it.'

/** Findings for the notebook: one per missing or wrong component or package, or one pass. */
export function checklistFindings(checklist: Checklist, targetName: string): Finding[] {
  const findings: Finding[] = []
  if (!checklist.confident) {
    findings.push({
      id: 'components-era-unknown',
      status: 'warn',
      title: `${targetName} does not look like a Dagger engine image`,
      detail: `None of the files that mark a Dagger engine image (${checklist.era} era or the other) were found, so the checklist below compares it with the ${checklist.eraTitle} layout and will mostly say "missing".`,
      fix: 'Point the check at the engine: the dagger-engine.dev container or the localhost/dagger-engine.dev:latest image (`dagger-explore tree localhost/dagger-engine.dev:latest --components`).',
    })
  }
  for (const item of checklist.items) {
    if (item.state === 'missing' || item.state === 'empty') {
      findings.push({
        id: `component-missing-${item.id}`,
        status: item.severity as Status,
        title: item.state === 'empty' ? `${item.path} is empty` : `${item.path} is missing`,
        detail: `The ${checklist.eraTitle} image should have ${item.path} (${item.expectedKind})${item.problem ? `, but ${item.problem}` : ''}. ${item.breaks}`,
        fix: REBUILD,
      })
    } else if (item.state === 'problem') {
      const modeFix = item.expectedMode
        ? ` For a quick test in a running engine: \`docker exec dagger-engine.dev chmod ${item.expectedMode} ${item.path}\` (the next rebuild should set it).`
        : ''
      findings.push({
        id: `component-wrong-${item.id}`,
        status: 'warn',
        title: `${item.path}: ${item.problem}`,
        detail: `${item.path} is there but ${item.problem}. ${item.breaks}`,
        fix: `${REBUILD}${modeFix}`,
      })
    }
  }
  const absentDbReason = findEra(checklist.era)?.packageDbAbsentReason
  if (checklist.packages === undefined && absentDbReason !== undefined) {
    findings.push({id: 'components-package-db-absent', status: 'pass', title: `No package database in the image: normal here (${absentDbReason})`})
  } else if (checklist.packages === undefined) {
    findings.push({
      id: 'components-package-db-missing',
      status: 'warn',
      title: 'No package database in the image',
      detail: 'Neither /lib/apk/db/installed nor /var/lib/dpkg/status is in the image, so the packages the engine needs (git, dnsmasq, iptables…) cannot be checked.',
      fix: 'Check that the image was built from the engine build (Alpine or Wolfi base); an image squashed or built from scratch loses the database.',
    })
  } else {
    for (const p of checklist.packages) {
      if (p.present) continue
      findings.push({
        id: `package-missing-${p.name}`,
        status: p.severity as Status,
        title: `Package ${p.name} is not installed`,
        detail: `${checklist.packageDb} in the image does not list ${p.name}. ${p.breaks}`,
        fix: REBUILD,
      })
    }
  }
  const missing = missingItems(checklist)
  if (missing.components.length === 0 && missing.packages.length === 0 && checklist.confident) {
    const pkgs = checklist.packages ? ` and ${checklist.packages.length} packages` : ''
    findings.push({id: 'components-present', status: 'pass', title: `All ${checklist.items.length} expected components${pkgs} are present (${checklist.eraTitle})`})
  }
  return findings
}
