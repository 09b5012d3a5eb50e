// Packages the bundles leave as installed dependencies: dockerode pulls in ssh2 and optional native
// addons (cpu-features) that cannot be bundled. Shared by the real build and the benches that bundle sources.
export const EXTERNAL = ['dockerode', 'ssh2', 'cpu-features', 'react-devtools-core']
