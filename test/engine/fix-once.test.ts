import {describe, expect, it} from 'vitest'
import {fixOnce} from '../../src/cells/fix-once.js'
import type {Finding} from '../../src/core/types.js'

describe('a fix is written out once per cell', () => {
  it('repeated fixes and repeated "Fix:" sentences in details point at the first finding', () => {
    const fix = 'Check max-concurrent-downloads in the Docker daemon cell (default 3) and reload the daemon.\nIf it stays, Docker Hub may be having an incident.'
    const failure = (i: number): Finding => ({id: `build-failure-${i}`, status: 'fail', title: `failure ${i}: EOF`, detail: `Seen at step ${i}. Fix: retry the pull. Check with: docker pull alpine.`, fix})
    const out = fixOnce([failure(1), failure(2), failure(3), {id: 'other', status: 'warn', title: 'other', fix: 'Something else.'}])
    expect(out[0]).toEqual(failure(1))
    expect(out[1]?.fix).toBe('The same fix as for "failure 1: EOF" above.')
    expect(out[2]?.detail).toBe('Seen at step 3. (Fix: as for "failure 1: EOF" above.)')
    expect(out[3]?.fix).toBe('Something else.')
    expect(out.filter((f) => f.fix === fix)).toHaveLength(1)
  })
})
