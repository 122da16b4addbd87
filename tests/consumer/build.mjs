// Builds the consumer app (app/) with each real toolchain, as a CRM developer
// would after `npm install twin-panel`, into www/<toolchain>/; and the React
// and Vue examples into www/react/ and www/vue/. Runs from target/consumer
// (scripts/build-consumer-app.sh copies it there), where the toolchains and
// the tarball are installed. Nothing here is specific to twin-panel: no wasm
// plugin, no asset rule, no optimizeDeps entry.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const app = join(root, 'app');
const www = join(root, 'www');
const only = process.argv.slice(2);

const builds = {
  async vite8() {
    const { build } = await import('vite');
    await build({ root: app, base: './', configFile: false, logLevel: 'warn', build: { outDir: join(www, 'vite8'), emptyOutDir: true } });
  },
  async vite6() {
    const { build } = await import('vite-6');
    await build({ root: app, base: './', configFile: false, logLevel: 'warn', build: { outDir: join(www, 'vite6'), emptyOutDir: true } });
  },
  async webpack() {
    const { default: webpack } = await import('webpack');
    for (const [name, entry] of [['webpack', 'app.js'], ['webpack-slim', 'slim.js']]) {
      const out = join(www, name);
      const stats = await new Promise((resolve, reject) =>
        webpack(
          { mode: 'production', context: app, entry: `./${entry}`, output: { path: out, filename: entry, clean: true } },
          (error, result) => (error ? reject(error) : resolve(result)),
        ),
      );
      if (stats.hasErrors()) throw new Error(stats.toString('errors-only'));
      cpSync(join(app, entry === 'app.js' ? 'index.html' : 'slim.html'), join(out, 'index.html'));
    }
  },
  async esbuild() {
    const esbuild = await import('esbuild');
    for (const [name, entry] of [['esbuild', 'app.js'], ['esbuild-slim', 'slim.js']]) {
      const out = join(www, name);
      rmSync(out, { recursive: true, force: true });
      await esbuild.build({ entryPoints: [join(app, entry)], bundle: true, format: 'esm', outfile: join(out, entry), logLevel: 'warning' });
      cpSync(join(app, entry === 'app.js' ? 'index.html' : 'slim.html'), join(out, 'index.html'));
    }
    // esbuild does not copy assets: the slim entry's .wasm goes beside the bundle.
    cpSync(join(root, 'node_modules', 'twin-panel', 'twin_panel_bg.wasm'), join(www, 'esbuild-slim', 'twin_panel_bg.wasm'));
    // panel.inbox under React's useSyncExternalStore.
    const inbox = join(www, 'inbox-react');
    rmSync(inbox, { recursive: true, force: true });
    await esbuild.build({ entryPoints: [join(app, 'inbox.js')], bundle: true, format: 'esm', outfile: join(inbox, 'inbox.js'), logLevel: 'warning' });
    cpSync(join(app, 'inbox.html'), join(inbox, 'index.html'));
  },
  async rollup() {
    const { rollup } = await import('rollup');
    const { default: resolve } = await import('@rollup/plugin-node-resolve');
    const out = join(www, 'rollup');
    rmSync(out, { recursive: true, force: true });
    const bundle = await rollup({ input: join(app, 'app.js'), plugins: [resolve()], onwarn: (w) => console.warn(`rollup: ${w.message}`) });
    await bundle.write({ dir: out, format: 'es' });
    await bundle.close();
    cpSync(join(app, 'index.html'), join(out, 'index.html'));
  },
  async react() {
    await viteExample('react');
  },
  async vue() {
    await viteExample('vue');
  },
};

// The examples build with their own vite.config.js, as `npm run build` would.
async function viteExample(name) {
  const { build } = await import('vite');
  const dir = join(root, 'examples', name);
  if (!existsSync(join(dir, 'vite.config.js'))) throw new Error(`${dir}/vite.config.js is missing`);
  await build({ root: dir, base: './', logLevel: 'warn', build: { outDir: join(www, name), emptyOutDir: true } });
}

for (const [name, run] of Object.entries(builds)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const started = Date.now();
  try {
    await run();
  } catch (error) {
    console.error(`consumer build ${name} failed:`, error);
    process.exit(1);
  }
  console.log(`built ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
