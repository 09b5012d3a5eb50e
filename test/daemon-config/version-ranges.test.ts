import {describe, expect, test} from 'vitest'
import {lintDaemonConfig} from '../../src/core/daemon-config/lint.js'
import type {EngineVersion} from '../../src/core/daemon-config/version.js'

// Verdicts checked against the real daemons in dockerd-agreement.test.ts (20.10 and the lab's 26.1).
describe('a value range that changed between releases: "max-download-attempts": 0', () => {
  const lint = (target?: EngineVersion) => lintDaemonConfig('{"max-download-attempts": 0}', target === undefined ? {} : {target})
  const finding = (target?: EngineVersion) => lint(target).findings.find((f) => f.key === 'max-download-attempts')

  test('dockerd 20.10 refuses it: the linter fails it', () => {
    expect(lint([20, 10]).valid).toBe(false)
    expect(finding([20, 10])).toMatchObject({status: 'fail', detail: expect.stringContaining('refuses to start')})
  })
  test('dockerd 26.1 starts with it: no finding', () => {
    expect(lint([26, 1]).valid).toBe(true)
    expect(finding([26, 1])).toBeUndefined()
  })
  test('with no running daemon to ask, it says the verdict depends on the version', () => {
    expect(lint().valid).toBe(true)
    expect(finding()).toMatchObject({status: 'warn', detail: expect.stringMatching(/depends on its version.*20\.10 refuses.*26\.1 starts/)})
  })
  test('a release between the two checked ones is not claimed either way', () => {
    expect(finding([24, 0])).toMatchObject({status: 'warn', detail: expect.stringContaining('dockerd 24.0 has not been checked')})
  })
  test('1 is fine everywhere', () => {
    for (const t of [[20, 10], [24, 0], [26, 1]] as EngineVersion[]) expect(lintDaemonConfig('{"max-download-attempts": 1}', {target: t, risks: false}).findings).toEqual([])
  })
})
