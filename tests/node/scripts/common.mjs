// Shared by the scripts the Node tests run as child processes (from
// target/consumer, where the tarball is installed): report a result as one
// JSON line, watch for a crash, and soak 30 s after free().
export const base = process.env.TWIN_SANDBOX_URL;

const crashes = [];
process.on('uncaughtException', (error) => crashes.push(String(error?.stack ?? error)));
process.on('unhandledRejection', (error) => crashes.push(`unhandled rejection: ${error?.stack ?? error}`));

/** Timers, sockets and handles still open, by type (Node's own view). */
export function openResources() {
  return process.getActiveResourcesInfo().filter((type) => type !== 'TTYWrap' && type !== 'PipeWrap');
}

/**
 * After free(): records what is still open, then stays alive for `seconds`
 * (a server process would) so a timer the package left behind would fire and
 * crash it, and prints the result line.
 */
export async function soakAndReport(facts, seconds = Number(process.env.TWIN_SOAK_SECONDS ?? 30)) {
  // Let closing sockets and settled promises finish their last callbacks.
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const afterFree = openResources();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  console.log(JSON.stringify({ ...facts, afterFree, afterSoak: openResources(), crashes }));
}
