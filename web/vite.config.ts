import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dashboard is served by the aibridge server at `/`; `npm run dev -w web` proxies the
// API to a server already running on the default address.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1200 },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
