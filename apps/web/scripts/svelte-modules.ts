// Lets Node's test runner import `.svelte.ts` modules (runes): `node --import ./svelte-modules.ts`.
// Astro compiles them for the browser; here the same compiler turns them into plain JavaScript
// that runs on Svelte's client runtime, so the specs test what the page runs.
import { register } from 'node:module';

register('./svelte-modules.hooks.ts', import.meta.url);
