/** The guided run's first page; the banners between cells are in notebook/offer.ts. */
export const INTRO: readonly string[] = [
  'Welcome to dagger-explore.',
  '',
  'This notebook walks you from a fresh dagger clone to a running dagger-engine.dev, one step at a time: your environment and Docker daemon, the registries the build pulls from, the build itself, the engine container, what is inside the engine image, and how to attach a debugger.',
  '',
  'Each step shows every command it runs and explains what it finds. Nothing destructive happens without asking you first, and everything is written to the notes file shown at the top, to keep or share.',
  '',
  'Press Enter to start with Environment, or Esc to look around on your own (? shows the keys).',
]
