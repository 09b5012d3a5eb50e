#!/usr/bin/env node
// Kept to syntax every Node can parse, so an old Node gets this sentence rather than a SyntaxError.

// First of all, before the app is even parsed: a stop signal no command has claimed ends with the
// documented interrupted code 130, not Node's default death by signal (143, 129). A command that
// handles the signal itself (the plain runner, engine build, the TUI) has its own listener and
// decides; signal-exit's listeners (execa's child cleanup) are not counted, as signal-exit counts
// them itself, and it still cleans up on exit. A note being written when the signal comes is let
// finish (up to a second), so no half-written temporary file stays beside the notes. Only Node's own
// bootstrap (~25 ms) comes before this.
var stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP']
var signalExit = Symbol.for('signal-exit emitter')
var inFlightWrites = Symbol.for('dagger-explore in-flight writes')
var stopping = false
function onStopSignal(signal) {
  var emitter = globalThis[signalExit]
  var theirs = emitter && typeof emitter.count === 'number' ? emitter.count : 0
  if (process.listenerCount(signal) - 1 - theirs > 0) return
  // The app's own wait (core/system/in-flight-writes.ts), which looks again as each write of a save lands.
  var inFlight = globalThis[inFlightWrites]
  if (!inFlight || inFlight.writes.size === 0) process.exit(130)
  if (stopping) return
  stopping = true
  inFlight.settled(1000).then(function () {
    process.exit(130)
  })
}
for (var i = 0; i < stopSignals.length; i++) process.on(stopSignals[i], onStopSignal)

var major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  process.stderr.write('dagger-explore needs Node.js 22 or newer; this is Node ' + process.versions.node + '. Install a current Node (for example `nvm install 24`) and run it again.\n')
  process.exit(1)
}
var args = process.argv.slice(2)
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // The hot path of scripts and package managers: answer without loading the app.
  import('node:fs').then(function (fs) {
    var pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
    process.stdout.write(pkg.version + '\n')
  })
} else {
  import('node:module').then(function (mod) {
    // Caches compiled bytecode between runs (Node >= 22.1): start-up is dominated by module compile.
    if (typeof mod.enableCompileCache === 'function') {
      try {
        mod.enableCompileCache()
      } catch (_) {}
    }
    return import('../dist/cli.js')
  })
}
