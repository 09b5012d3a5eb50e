import {describe, expect, test} from 'vitest'
import {asWords, runLike} from '../../src/core/recipes/engine-run.js'
import {checkValue, fillCommand} from '../../src/core/recipes/fill.js'
import {splitCommand} from '../../src/core/recipes/quote.js'

/** The restart's options from `docker inspect` (delve-real.test.ts runs them on a real daemon). */

const image = {Config: {Env: ['PATH=/usr/bin'], Entrypoint: ['/usr/local/bin/dagger-entrypoint.sh']}}

function container(host: Record<string, unknown>, config: Record<string, unknown> = {}, mounts: unknown[] = []) {
  return {
    Name: '/dagger-engine.dev',
    Config: {Env: ['PATH=/usr/bin'], Entrypoint: ['/usr/local/bin/dagger-entrypoint.sh'], Cmd: ['--extra-debug', '--debugaddr=0.0.0.0:6060'], ...config},
    HostConfig: host,
    Mounts: mounts,
  } as unknown as Parameters<typeof runLike>[0]
}

describe('runLike', () => {
  test('hack/dev\'s current start: name, --privileged, the named volume, -p 6060:6060 and the flags', () => {
    const r = runLike(container({Privileged: true, Binds: ['dagger-engine.dev:/var/lib/dagger'], PortBindings: {'6060/tcp': [{HostIp: '', HostPort: '6060'}]}, RestartPolicy: {Name: 'no'}, NetworkMode: 'default'}), image)
    expect(r.options).toEqual(['-d', '--name', 'dagger-engine.dev', '--privileged', '-v', 'dagger-engine.dev:/var/lib/dagger', '-p', '6060:6060'])
    expect(r.args).toEqual(['--extra-debug', '--debugaddr=0.0.0.0:6060'])
    expect(r.notes).toEqual([])
  })
  test('environment names without values, restart policy, hosts, GPUs, UDP ports and a changed entrypoint', () => {
    const r = runLike(
      container(
        {RestartPolicy: {Name: 'on-failure', MaximumRetryCount: 3}, ExtraHosts: ['a:127.0.0.1'], DeviceRequests: [{Capabilities: [['gpu']]}], PortBindings: {'53/udp': [{HostIp: '127.0.0.1', HostPort: '5353'}]}},
        {Env: ['PATH=/usr/bin', 'DAGGER_CLOUD_TOKEN=secret-value'], Entrypoint: ['/bin/sh', '-c'], Cmd: ['exec engine']},
        [{Type: 'volume', Name: 'abc123', Destination: '/var/lib/dagger'}],
      ),
      image,
    )
    expect(r.options).toEqual(['-d', '--name', 'dagger-engine.dev', '-p', '127.0.0.1:5353:53/udp', '--restart', 'on-failure:3', '--add-host', 'a:127.0.0.1', '--gpus', 'all', '-e', 'DAGGER_CLOUD_TOKEN', '--entrypoint', '/bin/sh'])
    expect(r.args).toEqual(['-c', 'exec engine'])
    expect(JSON.stringify(r)).not.toContain('secret-value')
    expect(r.notes.join(' ')).toMatch(/anonymous volume at \/var\/lib\/dagger/)
    expect(r.notes.join(' ')).toMatch(/DAGGER_CLOUD_TOKEN/)
  })
  test('the words read back as the same arguments', () => {
    const argv = ['-d', '--name', 'x y', '-e', "it's", '--add-host', 'h:1']
    expect(splitCommand(asWords(argv))).toEqual(argv)
  })
})

describe('words variables', () => {
  const variable = {name: 'opts', description: 'options', words: true}
  test('go in as several arguments, options allowed', () => {
    expect(checkValue(variable, "-d --name 'a b'")).toBeUndefined()
    expect(splitCommand(fillCommand('docker run {{opts}} img', {opts: "-d --name 'a b'"}, new Set(['opts'])))).toEqual(['docker', 'run', '-d', '--name', 'a b', 'img'])
  })
  test('anything but words is refused', () => {
    for (const bad of ['-d; rm -rf /', '$(id)', '-v `id`:/x', '*', 'a | b', '-e \u001b[2J']) expect(checkValue(variable, bad), bad).toBeDefined()
  })
  test('a plain variable is still one quoted word', () => {
    expect(fillCommand('echo {{v}}', {v: 'a b'})).toBe("echo 'a b'")
  })
})
