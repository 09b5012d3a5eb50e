/**
The Registry cell: probes, in parallel, the images the checkout's dev build pulls plus any the user
names, layer by layer, with a control registry, and records a verdict table and a finding per
failing reference.

Settings: `refs` (comma-separated references added to the list), `registryHost` (probe the dev-build
list on this registry instead, `host:port`, keeping each repository path), `control` (a control
reference, or `none`). Tuning (tests, the lab): `registryRefs` replaces the dev-build list so Docker
Hub is never probed; `platform` (`os/arch`); `attempts` (parallel, capped at 16); `registryTimeoutMs`
(per layer, default 5 s; the Docker timeout is not used here, so a long Docker timeout never makes a
silent registry take longer).
*/
import {detectCheckout, versionText} from '../core/engine/checkout.js'
import type {Finding} from '../core/types.js'
import {DEFAULT_CONTROL, diagnose, type Diagnosis} from '../core/registry/diagnose.js'
import {devImagesFor, onRegistry} from '../core/registry/dev-images.js'
import {formatPlatform, hostPlatform, parsePlatform, type Platform} from '../core/registry/manifest.js'
import {DEFAULT_TIMEOUT_MS} from '../core/registry/prober.js'
import {parseReference, quoteInput} from '../core/registry/reference.js'
import {earlierData, type CellContext, type CellDefinition} from './cell.js'
import {layerStatus, STATUS_GLYPH} from '../core/present/status.js'

function listOption(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

function numberOption(n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) && n > 0 ? Math.floor(n) : undefined
}

/** The references to probe and where the list came from. */
async function referencesFor(ctx: CellContext): Promise<{refs: string[]; source: string}> {
  // References the Build cell's explainer found in a failed build come along, so one key goes from the failure to its probe.
  const fromBuild = earlierData(ctx, 'build')?.registryRefs ?? []
  if (fromBuild.length > 0) ctx.recorder.fact('From the failed build', fromBuild.join(' '))
  const extra = [...(listOption(ctx.settings.refs) ?? []), ...fromBuild]
  const replaced = listOption(ctx.tuning.registryRefs)
  if (replaced) return {refs: [...new Set([...replaced, ...extra])], source: 'the references given'}
  const found = await detectCheckout(ctx.checkout, ctx.recorder)
  const checkout = found.ok ? found.checkout : undefined
  const choice = devImagesFor(checkout?.version, checkout?.era.id)
  ctx.recorder.fact('Dagger version', checkout ? versionText(checkout) : 'no checkout found')
  let source = choice.exact ? choice.set.label : `${choice.set.label}; no list is known for ${checkout ? versionText(checkout) : 'an unknown version'}, so the v0.9.3 list stands in`
  let refs = [...choice.set.images]
  const host = ctx.settings.registryHost ?? ctx.env.DAGGER_EXPLORE_REGISTRY_HOST
  if (typeof host === 'string' && host.trim() !== '') {
    refs = refs.map((r) => {
      const ref = parseReference(r)
      return onRegistry(host.trim(), ref.repository, {...(ref.tag ? {tag: ref.tag} : {}), ...(ref.digest ? {digest: ref.digest} : {})})
    })
    source += `, probed on ${host.trim()}`
  }
  return {refs: [...new Set([...refs, ...extra])], source}
}

function describeLayers(d: Diagnosis): string {
  return d.layers
    .map((l) => `${STATUS_GLYPH[layerStatus(l.status)]} ${l.name} ${l.host}${l.address && l.address !== l.host ? ` [${l.address}]` : ''} ${l.ms} ms ${l.status === 'fail' ? `${l.category}: ` : ''}${l.detail}`)
    .join('\n')
}

function verdictText(d: Diagnosis): string {
  if (d.ok) return `ok (${d.ms} ms)`
  const v = d.verdict
  const scope = v.scope ? `, ${v.scope}` : ''
  return `✗ ${v.category} at ${v.layer ?? '?'} on ${v.where ?? v.host ?? '?'}${v.flaky ? ` (flaky: ${Math.round(v.successRatio * 100)}% of attempts pass)` : ''}${scope}`
}

/** Failures with one cause: the same category at the same layer of the same host, with the same fix. */
function sameCause(d: Diagnosis): string {
  const v = d.verdict
  return JSON.stringify([v.category, v.layer, v.host, v.scope, v.flaky, v.fix])
}

/**
One finding per cause: five references failing with the same EOF on one registry are one problem,
named once with every reference it blocks, not five findings with five copies of the fix.
*/
function findingsFor(failed: readonly Diagnosis[]): Finding[] {
  const groups = new Map<string, Diagnosis[]>()
  for (const d of failed) groups.set(sameCause(d), [...(groups.get(sameCause(d)) ?? []), d])
  return [...groups.values()].map((group, index) => findingFor(group, index))
}

function findingFor(group: readonly Diagnosis[], index: number): Finding {
  const d = group[0] as Diagnosis
  const v = d.verdict
  const quiet = v.category === 'eof' || v.category === 'reset' || v.category === 'tls_handshake_timeout'
  const failing = d.layers.find((l) => l.status === 'fail')
  const control = d.control?.ref ?? 'control'
  // The fix already says what the control's result means; the detail then only states it.
  const fixNamesControl = v.fix.includes(`control registry (${control})`)
  const scope =
    v.scope === 'registry_specific'
      ? fixNamesControl ? ` The control registry (${control}) passes.` : ` The control registry (${control}) passes, so the problem is specific to ${v.host ?? 'this registry'}.`
      : v.scope === 'general'
        ? fixNamesControl ? ` The control registry (${control}) fails too.` : ` The control registry (${control}) fails too, so the problem is general: this machine's network, proxy or DNS.`
        : ''
  const what = group.length === 1 ? d.ref : `${group.length} images`
  const refs = group.length === 1 ? '' : ` The same failure for each of: ${group.map((g) => g.ref).join(', ')}.`
  const flaky = v.flaky ? ` ${group.map((g) => `${g.attempts.filter((a) => a.ok).length} of ${g.attempts.length}`).join(', ')} parallel attempts passed.` : ''
  return {
    id: index === 0 ? 'registry-verdict' : `registry-verdict-${index + 1}`,
    status: 'fail',
    title: `Can't pull ${what}: ${v.category} at the ${v.layer ?? '?'} layer on ${v.where ?? v.host ?? '?'}`,
    detail: `${failing ? `${failing.detail}.` : v.summary}${refs}${flaky}${scope}`,
    fix: v.fix,
    ...(quiet ? {recipe: 'registry-eof'} : {}),
  }
}

export const registryCell: CellDefinition<'registry'> = {
  id: 'registry',
  async run(ctx) {
    await probe(ctx)
    // What the Build cell quotes in its verdict: the problems found here, by their titles.
    return {data: {problems: ctx.recorder.findings.filter((f) => f.status === 'fail' || f.status === 'warn').map((f) => f.title)}}
  },
}

async function probe(ctx: CellContext): Promise<void> {
  const rec = ctx.recorder
  const {refs, source} = await referencesFor(ctx)
  rec.fact('Images', source)
  const platformText = ctx.tuning.platform
  let platform: Platform = hostPlatform()
  if (platformText) {
    try {
      platform = parsePlatform(platformText)
    } catch (error) {
      rec.finding({id: 'registry-bad-platform', status: 'warn', title: `"${platformText}" is not a platform; probing for ${formatPlatform(platform)}`, detail: (error as Error).message, fix: 'Give the platform as os/arch, e.g. linux/amd64 or linux/arm64.'})
    }
  }
  const controlValue = ctx.settings.control ?? ctx.env.DAGGER_EXPLORE_REGISTRY_CONTROL
  const controlOption = typeof controlValue === 'string' ? controlValue.trim() : undefined
  const control = controlOption === undefined ? DEFAULT_CONTROL : controlOption.toLowerCase() === 'none' ? null : controlOption
  const timeoutMs = numberOption(ctx.tuning.registryTimeoutMs) ?? DEFAULT_TIMEOUT_MS
  const attempts = Math.min(numberOption(ctx.tuning.attempts) ?? 1, 16)
  rec.fact('Platform', formatPlatform(platform))
  rec.fact('Control', control ?? 'none')

  const valid: string[] = []
  for (const ref of refs) {
    try {
      parseReference(ref)
      valid.push(ref)
    } catch (error) {
      rec.finding({id: 'registry-bad-reference', status: 'warn', title: `${quoteInput(ref)} is not an image reference`, detail: (error as Error).message, fix: 'Correct the reference (e.g. alpine:3.18 or gcr.io/distroless/static-debian12) and run the cell again.'})
    }
  }
  if (valid.length === 0) {
    rec.finding({id: 'registry-nothing-to-probe', status: 'skipped', title: 'No image references to probe', detail: 'The list of references is empty.', fix: 'Give references with --refs (comma-separated), or run the cell from a dagger checkout.'})
    return
  }

  // The daemon cell's finding on a raised max-concurrent-downloads turns an EOF verdict's fix concrete.
  const raised = earlierData(ctx, 'daemon')?.concurrencyRaised
  const report = await rec.call(
    'api',
    ['PROBE', ...valid, ...(control ? ['--control', control] : [])],
    () => diagnose(valid, {env: ctx.env, timeoutMs, platform, attempts, control, signal: ctx.signal, ...(raised ? {concurrencyRaised: raised} : {})}),
    (r) => [...r.results.map((d) => `${d.canonical}\n${describeLayers(d)}\nverdict: ${verdictText(d)}`), ...(r.control ? [`control ${r.control.ref}: ${r.control.ok ? 'ok' : `${r.control.category} at ${r.control.layer ?? '?'} on ${r.control.host ?? '?'}`}`] : [])].join('\n\n'),
  )
  for (const d of report.results) rec.fact(d.ref, verdictText(d))
  for (const f of findingsFor(report.results.filter((d) => !d.ok))) rec.finding(f)
  for (const d of report.results.filter((x) => x.ok && x.notes.length > 0)) {
    rec.finding({id: 'registry-family-path', status: 'warn', title: `${d.ref} works, but not over every address family`, detail: d.notes.join(' '), fix: 'Fix the broken route (often IPv6: a global address without a working route), or disable that family on the interface; docker falls back, but each pull waits first.'})
  }
  const limited = report.results.find((d) => d.rateLimit?.remaining !== undefined)
  if (limited?.rateLimit?.remaining) rec.fact('Docker Hub pulls left', `${limited.rateLimit.remaining.split(';')[0]} of ${(limited.rateLimit.limit ?? '?').split(';')[0]}${limited.rateLimit.source ? ` (seen from ${limited.rateLimit.source})` : ''}`)
  if (report.ok) rec.finding({id: 'registry-all-reachable', status: 'pass', title: `All ${report.results.length} image references are reachable, every layer down to a blob`})
}
