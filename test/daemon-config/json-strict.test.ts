import {describe, expect, it} from 'vitest'
import {parseStrictJson, toValue} from '../../src/core/daemon-config/json-strict.js'

const problems = (text: string): [string, string, number, number][] => parseStrictJson(text).problems.map((p) => [p.code, p.message, p.pos.line, p.pos.column])

describe('the strict daemon.json parser: what ends an object member or a list item', () => {
  it('names each way a member or an item can end wrong, where it happens', () => {
    expect(problems('{"a": 1,}')).toEqual([['trailing-comma', 'A comma after the last member of an object.', 1, 8]])
    expect(problems('{"a": [1, 2,]}')).toEqual([['trailing-comma', 'A comma after the last item of a list.', 1, 12]])
    expect(problems('{"a": 1 "b": 2}')).toEqual([['syntax', 'A comma is missing between two members.', 1, 9]])
    expect(problems('{"a": 1 ]')).toEqual([['syntax', "Unexpected ']' after a member: expected , or }.", 1, 9]])
    expect(problems('{"a": 1')).toEqual([['syntax', 'The file ends inside an object: a closing } is missing.', 1, 8]])
    expect(problems('{"a": [1 2]}')).toEqual([['syntax', "Unexpected '2' in a list: expected , or ].", 1, 10]])
    expect(problems('{"a": [1')).toEqual([['syntax', 'The file ends inside a list: a closing ] is missing.', 1, 9]])
  })

  it('reads nested members and items, with and without space around the commas', () => {
    const result = parseStrictJson('{ "a" : [ 1 , { "b" : [ ] , "c" : { } } ] , "d" : "x" }')
    expect(result.problems).toEqual([])
    expect(toValue(result.root!)).toEqual({a: [1, {b: [], c: {}}], d: 'x'})
    const trailing = parseStrictJson('{"a": [1, 2, ], "b": {"c": 1, }, }')
    expect(trailing.problems.map((p) => p.code)).toEqual(['trailing-comma', 'trailing-comma', 'trailing-comma'])
    expect(toValue(trailing.root!)).toEqual({a: [1, 2], b: {c: 1}})
  })
})
