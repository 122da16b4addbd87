// Builds the consumer app (app/) with each real toolchain, as a CRM developer
// would after `npm install twin-panel`, into www/<toolchain>/; and the React
// and Vue examples into www/react/ and www/vue/. Each build holds two pages:
// index.html (the operator panel, `twin-panel`) and widget.html (the
// visitor's chat, `twin-panel/widget`); the slim builds slim.html and
// widget-slim.html, as index.html and widget.html. Runs from target/consumer
// (scripts/build-consumer-app.sh copies it there), where the toolchains and
// the tarball are installed. Nothing here is specific to twin-panel: no wasm
// plugin, no asset rule, no optimizeDeps entry (listing the app's pages is
// how every bundler builds a multi-page app).
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const app = join(root, 'app');
const www = join(root, 'www');
const only = process.argv.slice(2);

// The app's pages: [entry module, page] for the default entries and the slim ones.
const PAGES = [['app.js', 'index.html'], ['widget.js', 'widget.html']];
const SLIM_PAGES = [['slim.js', 'index.html', 'slim.html'], ['widget-slim.js', 'widget.html', 'widget-slim.html']];

const builds = {
  async vite8() {
    const { build } = await import('vite');
    const input = Object.fromEntries(PAGES.map(([, page]) => [page.replace('.html', ''), join(app, page)]));
    await build({ root: app, base: './', configFile: false, logLevel: 'warn', build: { outDir: join(www, 'vite8'), emptyOutDir: true, rolldownOptions: { input } } });
  },
  async vite6() {
    const { build } = await import('vite-6');
    const input = Object.fromEntries(PAGES.map(([, page]) => [page.replace('.html', ''), join(app, page)]));
    await build({ root: app, base: './', configFile: false, logLevel: 'warn', build: { outDir: join(www, 'vite6'), emptyOutDir: true, rollupOptions: { input } } });
  },
  async webpack() {
    const { default: webpack } = await import('webpack');
    const pages = { webpack: PAGES.map(([entry, page]) => [entry, page, page]), 'webpack-slim': SLIM_PAGES };
    for (const [name, list] of Object.entries(pages)) {
      const out = join(www, name);
      const entry = Object.fromEntries(list.map(([module]) => [module.replace('.js', ''), `./${module}`]));
      const stats = await new Promise((resolve, reject) =>
        webpack(
          { mode: 'production', context: app, entry, output: { path: out, filename: '[name].js', clean: true } },
          (error, result) => (error ? reject(error) : resolve(result)),
        ),
      );
      if (stats.hasErrors()) throw new Error(stats.toString('errors-only'));
      for (const [, page, source] of list) cpSync(join(app, source), join(out, page));
    }
  },
  async esbuild() {
    const esbuild = await import('esbuild');
    const pages = { esbuild: PAGES.map(([entry, page]) => [entry, page, page]), 'esbuild-slim': SLIM_PAGES };
    for (const [name, list] of Object.entries(pages)) {
      const out = join(www, name);
      rmSync(out, { recursive: true, force: true });
      await esbuild.build({ entryPoints: list.map(([module]) => join(app, module)), bundle: true, format: 'esm', outdir: out, logLevel: 'warning' });
      for (const [, page, source] of list) cpSync(join(app, source), join(out, page));
    }
    // esbuild does not copy assets: the slim entries' .wasm go beside the bundles.
    const installed = join(root, 'node_modules', 'twin-panel');
    cpSync(join(installed, 'twin_panel_bg.wasm'), join(www, 'esbuild-slim', 'twin_panel_bg.wasm'));
    cpSync(join(installed, 'widget', 'twin_widget_bg.wasm'), join(www, 'esbuild-slim', 'twin_widget_bg.wasm'));
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
    const bundle = await rollup({ input: PAGES.map(([module]) => join(app, module)), plugins: [resolve()], onwarn: (w) => console.warn(`rollup: ${w.message}`) });
    await bundle.write({ dir: out, format: 'es' });
    await bundle.close();
    for (const [, page] of PAGES) cpSync(join(app, page), join(out, page));
  },
  async react() {
    await viteExample('react');
  },
  // panel.conversation(id) under React's useSyncExternalStore, built by Vite 8.
  async conversationReact() {
    const { build } = await import('vite');
    const input = { conversation: join(app, 'conversation.html') };
    await build({ root: app, base: './', configFile: false, logLevel: 'warn', build: { outDir: join(www, 'conversation-react'), emptyOutDir: true, rolldownOptions: { input } } });
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
