import {BENCH_IMAGE, buildBenchImage} from './build-image.js'

const result = await buildBenchImage()
console.log(result.built ? `built ${BENCH_IMAGE} in ${(result.ms / 1000).toFixed(1)} s` : `${BENCH_IMAGE} already exists (cached by tag)`)
