import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built into console/dist, which the server serves: index.html at the page paths, the rest under /console/.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // One stylesheet and no inline scripts or styles: the pages run under a strict Content-Security-Policy.
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    modulePreload: { polyfill: false },
  },
});
