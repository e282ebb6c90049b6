/**
 * Loaded into every test worker before vitest's own code (vitest.config.ts:
 * poolOptions.forks.execArgv), so that a worker whose main process is gone stops even before it
 * runs anything of its test file: it would otherwise wait on calls to the dead main process.
 * vitest's forks pool talks to a worker over an IPC channel, which closes when the main process
 * exits, however it exits. Then the worker stops: through kafkaDurabilityStopWorker, which
 * harness/vitest/cluster-setup.ts replaces, once the worker gets there, with a stop that also kills
 * the worker's child processes and notes why in the run folder. Until then the worker has started
 * nothing, and stopping it is a SIGKILL to itself (vitest replaces process.exit in its workers).
 * Plain JavaScript: it runs before anything could compile TypeScript.
 */
globalThis.kafkaDurabilityStopWorker = () => process.kill(process.pid, 'SIGKILL')
if (process.send) {
  process.once('disconnect', () => globalThis.kafkaDurabilityStopWorker('the main process is gone (its IPC channel closed)'))
  if (!process.connected) globalThis.kafkaDurabilityStopWorker('the main process is gone (no IPC channel)')
}
