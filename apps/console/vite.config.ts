import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dev server forwards API calls to a running gateway, so the console talks to the same origin as in production.
const gatewayUrl = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8000';
const proxied = ['/api', '/v1', '/admin', '/health'];

export default defineConfig({
  base: '/console/',
  plugins: [react()],
  server: {
    proxy: Object.fromEntries(proxied.map((prefix) => [prefix, { target: gatewayUrl, changeOrigin: true }])),
  },
  build: { outDir: 'dist', sourcemap: true },
});
