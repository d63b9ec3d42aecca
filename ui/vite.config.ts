import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The app is embedded by Tauri from ui/dist and runs under a strict CSP:
// no inline scripts or styles, no remote assets.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: ['safari15', 'chrome110'],
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: { strictPort: true, port: 1420 },
});
