/**
The images a dagger checkout's dev build pulls, per version, as data (from the dev-engine reference:
`internal/mage/util/engine.go` @ v0.9.3 and `engine/distconsts/consts.go` at HEAD). The Registry
cell probes these before the build does, so a registry problem shows up in seconds, not after a
half-hour build.
*/
import type {EraId, SemVer} from '../engine/era.js'

export interface DevImageSet {
  readonly id: string
  /** Which builds the list is for, in words. */
  readonly label: string
  readonly images: readonly string[]
}

export const DEV_IMAGE_SETS: Readonly<Record<'v0.9.3' | 'hack-build', DevImageSet>> = {
  'v0.9.3': {
    id: 'v0.9.3',
    label: 'dagger v0.9.3 dev build (./hack/dev: bootstrap engine v0.9.2, alpine 3.18 base, Go 1.21.3)',
    images: [
      'registry.dagger.io/engine:v0.9.2',
      'alpine:3.18',
      'golang:1.21.3-alpine3.18',
      'tonistiigi/xx:1.2.1',
      'tonistiigi/binfmt@sha256:e06789462ac7e2e096b53bfd9e607412426850227afeb1d0f5dfa48a731e0ba5',
    ],
  },
  'hack-build': {
    id: 'hack-build',
    label: 'dagger dev build with hack/build (2025 on: golang:1.26-alpine, alpine 3.22.1)',
    images: ['golang:1.26-alpine', 'alpine:3.22.1', 'tonistiigi/xx:1.2.1'],
  },
}

export interface DevImageChoice {
  readonly set: DevImageSet
  /** False when the list is the nearest known one rather than the version's own. */
  readonly exact: boolean
}

/** The image list for a checkout's version and build era; the v0.9.3 list when nothing better is known. */
export function devImagesFor(version: SemVer | undefined, era: EraId | undefined): DevImageChoice {
  if (version && version.major === 0 && version.minor === 9 && version.patch === 3) return {set: DEV_IMAGE_SETS['v0.9.3'], exact: true}
  if (era === 'hack-build') return {set: DEV_IMAGE_SETS['hack-build'], exact: true}
  return {set: DEV_IMAGE_SETS['v0.9.3'], exact: false}
}

/** Rewrites a reference onto another registry host (a mirror or the test lab), keeping its path. */
export function onRegistry(host: string, repository: string, reference: {tag?: string; digest?: string}): string {
  const suffix = reference.digest ? `@${reference.digest}` : `:${reference.tag ?? 'latest'}`
  return `${host}/${repository}${suffix}`
}
