// @ts-check
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'astro/config';
import svelte from '@astrojs/svelte';
import tailwindcss from '@tailwindcss/vite';

const require = createRequire(import.meta.url);
const astroCookie = createRequire(require.resolve('astro/package.json')).resolve('cookie');

/**
 * The prerender bundle is written under apps/web/dist, where a bare `cookie` would resolve to the
 * workspace's cookie 2 rather than the cookie 1 Astro depends on: bundle Astro's own copy.
 * (Build only: `astro dev` loads Astro from node_modules, where Node finds the right one.)
 */
const astroCookieInBuild = {
  name: 'koodi:astro-cookie-in-build',
  apply: /** @type {const} */ ('build'),
  enforce: /** @type {const} */ ('pre'),
  /** @param {string} id */
  resolveId(id) {
    return id === 'cookie' ? astroCookie : null;
  },
};
const contractsSource = fileURLToPath(
  new URL('../../libs/contracts/src/index.ts', import.meta.url),
);
const contractsDir = fileURLToPath(new URL('../../libs/contracts/src/', import.meta.url));

/** The contracts barrel builds a zod schema at import time; the browser never needs it, so let it shake out. */
const contractsWithoutSideEffects = {
  name: 'koodi:contracts-without-side-effects',
  /** @param {string} code @param {string} id */
  transform(code, id) {
    return id.startsWith(contractsDir) ? { code, map: null, moduleSideEffects: false } : null;
  },
};

export default defineConfig({
  output: 'static',
  trailingSlash: 'ignore',
  devToolbar: { enabled: false },
  integrations: [svelte()],
  build: {
    format: 'directory',
    // NGINX sends a strict Content-Security-Policy (no inline code): keep every style and script in files.
    inlineStylesheets: 'never',
  },
  vite: {
    plugins: [tailwindcss(), contractsWithoutSideEffects, astroCookieInBuild],
    // The contracts lib ships CommonJS in dist; the browser bundle takes its ES source instead.
    resolve: { alias: { '@koodi/contracts': contractsSource } },
    // The editor page carries CodeMirror (~190 KB gzip), loaded after the page's content.
    build: { assetsInlineLimit: 0, chunkSizeWarningLimit: 700 },
    server: {
      proxy: {
        '/api': { target: process.env.API_URL ?? 'http://127.0.0.1:3000', changeOrigin: false },
      },
    },
  },
});
