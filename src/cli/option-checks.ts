import {parseReference, ImageReferenceError} from '../core/registry/reference.js'
import {LOCAL_REFERENCE_FIX, localReferenceProblem, shownName, visibleControls} from '../core/registry/local-reference.js'
import {UsageError} from './io.js'

const CONTROL_FIX = 'Give an image reference such as gcr.io/distroless/static-debian12, or `none` to probe without a control.'

/**
Checks the cell options that name images and registries before any cell runs, so a bad value is one
paragraph and exit 2 instead of a crashed cell or a probe of every reference with an invalid name.
*/
export function checkCellOptions(values: Record<string, string | boolean | undefined>): void {
  const control = values.control
  if (typeof control === 'string' && control.trim().toLowerCase() !== 'none') {
    if (control.trim() === '') throw new UsageError('--control takes an image reference or `none`; an empty value was given', {fix: CONTROL_FIX})
    try {
      parseReference(control)
    } catch (error) {
      if (error instanceof ImageReferenceError) throw new UsageError(`--control takes an image reference or \`none\`: ${visibleControls(error.message)}`, {fix: CONTROL_FIX, cause: error})
      throw error
    }
  }
  const host = values['registry-host']
  if (typeof host === 'string') checkRegistryHost(host)
  const image = values.image
  if (typeof image === 'string') {
    const problem = localReferenceProblem(image)
    if (problem !== undefined) throw new UsageError(`--image: ${problem}`, {fix: LOCAL_REFERENCE_FIX})
  }
}

/** `--registry-host` is HOST[:PORT] as in an image reference: no scheme, no path, no credentials. */
function checkRegistryHost(host: string): void {
  const h = host.trim()
  const example = {fix: 'Give the registry as it appears in an image reference, e.g. --registry-host 127.0.0.1:5443.'}
  if (h === '') throw new UsageError('--registry-host takes HOST[:PORT]; an empty value was given', example)
  if (h.includes('@')) {
    const registry = shownName(h.slice(h.lastIndexOf('@') + 1))
    throw new UsageError(`--registry-host takes HOST[:PORT] without credentials; ${registry} was given with a user name and password in front`, {
      fix: `Store them with \`docker login ${registry}\` and pass --registry-host ${registry}: the probe reads the docker config as docker does.`,
    })
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(h)) throw new UsageError(`--registry-host takes HOST[:PORT] without a scheme; "${shownName(h)}" is a URL`, example)
  try {
    parseReference(`${h}/probe:latest`)
  } catch {
    throw new UsageError(`--registry-host takes HOST[:PORT] as it appears in an image reference; "${shownName(h)}" is not one`, example)
  }
  if (!/[.:]/.test(h.split('/')[0] ?? '') && h !== 'localhost') throw new UsageError(`--registry-host takes HOST[:PORT]; "${shownName(h)}" reads as a Docker Hub path, not a registry host (a host has a dot or a port, or is localhost)`, example)
  if (h.includes('/')) throw new UsageError(`--registry-host takes HOST[:PORT] without a path; "${shownName(h)}" has one`, example)
}
