import {describe, expect, test} from 'vitest'
import {parseScan, parseTop, pickEngineProcess} from '../../src/core/recipes/engine-process.js'

describe('finding the engine among a container\'s processes', () => {
  test('Linux `top` titles; the engine exec-ed as init', () => {
    const rows = parseTop({Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'], Processes: [['root', '4100', '4080', '0', '10:00', '?', '00:00:01', '/usr/local/bin/dagger-engine --config /etc/dagger/engine.toml --debug']]})
    expect(pickEngineProcess(rows, 4100)).toMatchObject({hostPid: 4100})
  })
  test('under tini: tini\'s command line names the engine, but its program is tini', () => {
    const rows = parseTop({
      Titles: ['PID', 'PPID', 'COMMAND'],
      Processes: [
        ['500', '480', '/usr/local/bin/tini -- /usr/local/bin/dagger-engine --config /etc/dagger/engine.toml --extra-debug'],
        ['530', '500', '/usr/local/bin/dagger-engine --config /etc/dagger/engine.toml --extra-debug'],
        ['610', '530', '/usr/local/bin/runc --root /run/runc run abc'],
      ],
    })
    expect(pickEngineProcess(rows, 500)).toMatchObject({hostPid: 530, hostPpid: 500})
  })
  test('no engine, or an unexpected table, gives nothing rather than a wrong guess', () => {
    expect(pickEngineProcess(parseTop({Titles: ['PID', 'CMD'], Processes: [['1', 'sleep 100']]}), 1)).toBeUndefined()
    expect(parseTop({Titles: ['X'], Processes: [['1']]})).toEqual([])
    expect(parseTop({})).toEqual([])
  })
  test('the in-container /proc scan', () => {
    expect(parseScan('1 /usr/local/bin/tini -- /usr/local/bin/dagger-engine\n7 /usr/local/bin/dagger-engine --debug \n\nnoise\n')).toEqual([
      {pid: 1, command: '/usr/local/bin/tini -- /usr/local/bin/dagger-engine'},
      {pid: 7, command: '/usr/local/bin/dagger-engine --debug'},
    ])
  })
})
