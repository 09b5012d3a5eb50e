import type Docker from 'dockerode'
import {describe, expect, it} from 'vitest'
import {LaunchError, loadEngineImage} from '../../src/core/engine/launch.js'
import {Recorder} from '../../src/core/notebook/recorder.js'

describe('a missing engine tarball', () => {
  it('says what is missing; running the build is the fix', async () => {
    // The file is looked at before Docker is called, so no client is needed.
    const error = await loadEngineImage({} as Docker, '/nonexistent/bin/engine.tar', new Recorder()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LaunchError)
    expect(error).toMatchObject({
      message: '/nonexistent/bin/engine.tar does not exist: the build did not produce an engine tarball.',
      fix: 'Run the build first: `dagger-explore engine build`.',
    })
  })
})
