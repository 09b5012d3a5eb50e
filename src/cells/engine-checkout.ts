import {type DaggerCheckout, detectCheckout, versionText} from '../core/engine/checkout.js'
import {ERAS} from '../core/engine/era.js'
import type {CellContext} from './cell.js'

/** The checkout the engine cells work on: `--dagger-src`, else the working directory. Records facts, or a finding when there is none. */
export async function checkoutFor(ctx: CellContext): Promise<DaggerCheckout | undefined> {
  const found = await detectCheckout(ctx.checkout, ctx.recorder)
  if (!found.ok) {
    ctx.recorder.finding({
      id: 'dagger-checkout-missing',
      status: 'fail',
      title: 'No dagger checkout to build',
      detail: found.reason,
      fix: found.fix ?? 'Clone the repository and point this tool at it: `git clone https://github.com/dagger/dagger && dagger-explore --dagger-src dagger` (or run dagger-explore from inside the clone).',
    })
    return undefined
  }
  const c = found.checkout
  ctx.recorder.fact('Checkout', c.root)
  ctx.recorder.fact('Version', `${versionText(c)}${c.describe !== undefined && c.describe !== versionText(c) ? ` (git describe: ${c.describe})` : ''}`)
  if (c.tags.length > 0) ctx.recorder.fact('Tags at HEAD', c.tags.join(', '))
  ctx.recorder.fact('Build era', c.era.label)
  ctx.recorder.fact('Build entrypoint', `./${c.era.entrypoint}`)
  if (c.versionEra !== undefined) ctx.recorder.fact('Note', `The version suggests ${ERAS[c.versionEra].label}, but the files say ${c.era.label}; the files win.`)
  return c
}
