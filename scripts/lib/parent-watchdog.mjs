// Preloaded (`node --import`) into every app that scripts/lib/system.mjs starts. A parent killed by
// SIGKILL (a jest worker timed out, an editor's test runner stopped) cannot stop its children, so each
// child watches for itself: once it has been re-parented, its parent is gone and it shuts down.
const parent = process.ppid;

const watch = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(watch);
  // SIGTERM runs the app's own graceful shutdown (Nest shutdown hooks); exit anyway if that hangs.
  setTimeout(() => process.exit(1), 10_000).unref();
  process.kill(process.pid, 'SIGTERM');
}, 500);
watch.unref();
