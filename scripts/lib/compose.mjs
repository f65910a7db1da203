// Which Compose CLI this machine has, for test/static/compose.spec.ts and scripts/test-compose.mjs.
// docker-compose.yml must work with both: the `docker compose` plugin (v2, what users have) and the
// standalone `docker-compose` 1.29 (v1, all Debian packages; it refuses a top-level `name:`).
import { spawnSync } from 'node:child_process';

const answers = (command, args) => spawnSync(command, [...args, 'version'], { stdio: 'ignore' }).status === 0;

/** Every installed Compose CLI as an argv prefix, v2 first: `[['docker', 'compose'], ['docker-compose']]`. */
export function composeCommands() {
  const found = [];
  if (answers('docker', ['compose'])) found.push(['docker', 'compose']);
  if (answers('docker-compose', [])) found.push(['docker-compose']);
  return found;
}

/** The Compose CLI to run the stack with (v2 when installed), or undefined. */
export function composeCommand() {
  return composeCommands()[0];
}
