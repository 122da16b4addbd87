// Shared by the bench's Node scripts: the sandbox address and `--name value`
// options.

/** The sandbox the bench runs against (scripts/with-sandbox.sh sets it). */
export function sandboxBase() {
  const base = (process.env.TWIN_SANDBOX_URL ?? '').replace(/\/+$/, '');
  if (!base) {
    console.error('TWIN_SANDBOX_URL is not set (run through scripts/with-sandbox.sh)');
    process.exit(2);
  }
  return base;
}

/** `--name value` from the command line; a number when `fallback` is one. */
export function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = process.argv[i + 1];
  return typeof fallback === 'number' ? Number(value) : value;
}
