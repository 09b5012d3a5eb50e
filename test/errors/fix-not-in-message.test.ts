import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {remedyIn, scanMessageSites, type MessageSite} from './remedy-sites.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const sites = scanMessageSites(root)
const where = (s: MessageSite): string => `${s.file}:${s.line} ${s.errorClass}`

describe('error messages say what is wrong; the fix says what to do', () => {
  it('the scan reaches the throw sites, through helpers and subclasses', () => {
    // A scan that silently found nothing would pass everything below.
    expect(sites.length).toBeGreaterThan(120)
    const classes = new Set(sites.map((s) => s.errorClass))
    for (const name of ['UsageError', 'RecipeError', 'ImageReferenceError', 'LaunchError', 'TreeTargetError', 'ExportError', 'ResetError', 'EndpointError', 'NotesDirError', 'NeedsShellError']) expect(classes, name).toContain(name)
    // A message built in a subclass constructor (NothingToResume) and a default fix parameter (NotesDirError) are read too.
    expect(sites.find((s) => s.file === 'src/cells/session.ts')).toMatchObject({errorClass: 'UsageError', hasFix: true})
    expect(sites.filter((s) => s.errorClass === 'NotesDirError').every((s) => s.hasFix)).toBe(true)
  })

  it('no message holds a remedy (Run…, Use…, Pass…, "; choose…", "Example: …"): it belongs in fix', () => {
    expect(sites.filter((s) => s.remedy !== undefined).map((s) => `${where(s)}: ${s.remedy}`)).toEqual([])
  })

  it('every usage error carries a fix: bad usage always has a right usage', () => {
    expect(sites.filter((s) => s.errorClass === 'UsageError' && !s.hasFix).map((s) => `${where(s)}: ${s.texts[0]}`)).toEqual([])
  })

  it.each([
    ['X does not exist: the build did not produce an engine tarball (run the build first, `dagger-explore engine build`).', 'run the build first'],
    ['"x" is not a cell. Cells: a, b. Example: dagger-explore check environment', 'Example:'],
    ['--out x is a folder; give a file name, for example x/session.md', 'give a file name'],
    ['Name a recipe, or use --list.', 'Name a recipe'],
    ['The command uses a pipe, which only a shell understands; mark the block with {shell=true} to run it through sh.', 'mark the block'],
    ['"notes x" is not known. Use `dagger-explore notes` to list sessions', 'Use `dagger-explore notes`'],
    ['Can\'t reach the Docker daemon (ENOENT) to read x: start Docker, or check DOCKER_HOST.', 'start Docker'],
  ])('reads a remedy in %j', (message, phrase) => {
    expect(remedyIn(message)).toContain(phrase)
  })

  it.each([
    'There is no saved session in /n to resume.',
    '--timeout takes a whole number of milliseconds between 1 and 600000; "soon" is not one.',
    'Running recipe steps without a terminal needs --yes (nothing is run without confirmation).',
    'The daemon is not on this machine (DOCKER_HOST is tcp://x), so resetting f here would change nothing it reads.',
    'Docker has no container and no image called "x". Images are never pulled: a remote image must be pulled or built first.',
    'X got no answer from Docker within 5 s.',
    'The notes folder X is a symlink to Y, which does not exist.',
  ])('reads no remedy in the observation %j', (message) => {
    expect(remedyIn(message)).toBeUndefined()
  })
})
