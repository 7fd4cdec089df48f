import type { NextConfig } from 'next';
import path from 'node:path';

const config: NextConfig = {
  poweredByHeader: false,
  // The repository root has its own package-lock.json: keep Turbopack's root here.
  turbopack: { root: path.resolve(__dirname) },
};

export default config;
