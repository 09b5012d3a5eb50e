import {describe, expect, it} from 'vitest'
import type {ImageLayers} from '../../src/core/tree/types.js'
import {explorerHeader, headerRows} from '../../src/ui/tree/header.js'

function image(count: number): ImageLayers {
  const layers = Array.from({length: count}, (_, i) => ({bytes: 483, paths: [], key: `layer-${i}`}))
  return {layout: 'docker-save', layers, tags: []} as unknown as ImageLayers
}

describe('the explorer header', () => {
  it('gives the details a row of their own exactly when the widest layer number would cut them', () => {
    const twelve = image(12)
    // " layer 11 of 11" and " · layer: 483 B, 0 entries, layer-11": the one-row header is the sum plus the name.
    const oneRow = 'img'.length + ' layer 11 of 11'.length + ' · '.length + 'layer: 483 B, 0 entries, layer-11'.length
    expect(headerRows('img', twelve, undefined, oneRow)).toBe(1)
    // One column less: layer 0 would still fit on one row, but layer 11 would not, so the header takes two at every layer.
    expect(headerRows('img', twelve, undefined, oneRow - 1)).toBe(2)
    expect(explorerHeader('img', twelve, 0, undefined, 2)).toEqual({name: 'img', view: ' layer 0 of 11', detail: 'layer: 483 B, 0 entries, layer-0'})
    expect(explorerHeader('img', twelve, 11, undefined, 1).detail).toBe(' · layer: 483 B, 0 entries, layer-11')
  })
})
