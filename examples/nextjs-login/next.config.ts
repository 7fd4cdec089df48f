import type { NextConfig } from 'next';
import path from 'node:path';

const config: NextConfig = {
  poweredByHeader: false,
  // The client SDK (@phone-auth/client) is linked from the repository's packages/client, outside
  // this directory: Turbopack resolves only files under its root, so the root is the repository's
  // (which also settles which of the two package-lock.json files is the workspace's).
  turbopack: { root: path.resolve(__dirname, '../..') },
  outputFileTracingRoot: path.resolve(__dirname, '../..'),
};

export default config;
