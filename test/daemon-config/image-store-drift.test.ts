/**
The image-store check of the drift comparison against the /info of the engine under test (runs once
per lab engine): 20.10 and 26.1 classic report a graph driver (overlay2), 26.1 with the containerd
store reports Driver "overlayfs" and DriverStatus [["driver-type", "io.containerd.snapshotter.v1"]].
*/
import {execFileSync} from 'node:child_process'
import {describe, expect, test} from 'vitest'
import {compareWithDaemon, type DaemonInfo} from '../../src/core/daemon-config/drift.js'
import {skipWithoutDocker} from '../helpers/docker.js'
import {lab} from '../lab/lab.js'

describe.skipIf(skipWithoutDocker())('which image store the running daemon uses, read from its /info', () => {
  const info = () => JSON.parse(execFileSync('docker', ['info', '--format', '{{json .}}'], {encoding: 'utf8', timeout: 20_000})) as DaemonInfo

  test('a file asking for the store the daemon runs agrees; one asking for the other store is drift', () => {
    const running = info()
    const containerd = lab().engine.imageStore === 'containerd'
    expect(running.Driver).toBe(lab().engine.driver)
    const same = compareWithDaemon({config: {features: {'containerd-snapshotter': containerd}}, info: running, file: '/etc/docker/daemon.json'})
    expect(same.findings).toEqual([])
    const other = compareWithDaemon({config: {features: {'containerd-snapshotter': !containerd}}, info: running, file: '/etc/docker/daemon.json'})
    expect(other.findings.map((f) => f.id)).toEqual(['daemon-config-drift'])
    expect(other.findings[0]?.detail).toContain(containerd ? 'containerd image store' : 'classic image store')
  })
})
