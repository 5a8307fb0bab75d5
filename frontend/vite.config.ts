/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  // Relative asset paths: the same build is served by the Wails window and
  // by `hearth ui`.
  base: './',
  build: {
    outDir: 'dist',
    // The build replaces dist/ and then writes dist/.gitkeep again (see
    // package.json), which the Go embed needs in a fresh clone.
    emptyOutDir: true,
    chunkSizeWarningLimit: 1000,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
