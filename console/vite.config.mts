/**
 * Built with `vite build console` (the root is this folder). The API serves
 * the result at /ui (src/api/console.ts), so every asset path starts there.
 * Workers are ES modules so the layout worker can import elkjs like any
 * other module.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  base: '/ui/',
  plugins: [react()],
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
