import {Readable} from 'node:stream'
import {componentCapture} from '../../src/core/tree/components.js'
import {readLayer} from '../../src/core/tree/layer-reader.js'
import type {ImageLayers} from '../../src/core/tree/types.js'
import {layerTar, type FixtureLayer} from './fixtures.js'

/** An image read from layer tars made in memory: the same parser, no daemon needed. */
export async function memoryImage(layers: readonly FixtureLayer[]): Promise<ImageLayers> {
  const read = []
  for (const [i, entries] of layers.entries()) {
    read.push(await readLayer(Readable.from([await layerTar(entries)]), `layer-${i}`, 'none', componentCapture()))
  }
  return {layout: 'docker-classic', layers: read, tags: ['memory:latest']}
}
