import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The admin dashboard, served by the hub at /admin from dist/web (see src/http/routes/dashboard.ts).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1000,
  },
  server: {
    // `npx vite --config web/vite.config.ts` while `npm run dev` serves the API on 8080.
    proxy: { '/admin/api': 'http://127.0.0.1:8080' },
  },
});
