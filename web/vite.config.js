// The page is served by the binary from `web/dist` (embedded); relative asset paths keep it
// working under any prefix, and no asset is fetched from outside the bundle.
export default {
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 3000 },
};
