// Bundles one TypeScript module of the app into a temporary ES module that node can import,
// using the project's own Vite (so the unit tests need no extra tooling).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';
import { UI_DIR } from './paths.mjs';

export async function importTs(relativePath) {
  const outDir = mkdtempSync(join(tmpdir(), 'headtail-unit-'));
  try {
    await build({
      configFile: false,
      root: UI_DIR,
      logLevel: 'silent',
      build: {
        outDir,
        emptyOutDir: false,
        minify: false,
        target: 'node20',
        lib: { entry: join(UI_DIR, relativePath), formats: ['es'], fileName: 'module' },
      },
    });
    return await import(pathToFileURL(join(outDir, 'module.js')).href);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
