import { readFileSync } from 'node:fs';
import { environmentNames } from '../../src/config/environment.js';

// No Docker engine runs here: check what can be checked without one.
describe('docker/', () => {
  const dockerfile = readFileSync('docker/Dockerfile', 'utf8');
  const compose = readFileSync('docker/compose.yml', 'utf8');
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;

  it('builds with the package scripts and runs what `npm start` runs, as a non-root user with a health check', () => {
    expect(dockerfile).toContain('RUN npm ci');
    expect(dockerfile).toContain('RUN npm run build');
    expect(scripts.build).toBeDefined();
    const startCommand = scripts.start.split(' ');
    const cmd = /^CMD \[(.*)\]$/m.exec(dockerfile)?.[1].split(',').map((part) => part.trim().replaceAll('"', ''));
    expect(cmd).toEqual(startCommand);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*\/health\/ready/m);
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim AS build$/m);
  });

  it('configures the service in compose.yml only with settings the service knows', () => {
    const block = compose.slice(compose.indexOf('environment:'), compose.indexOf('env_file:'));
    const names = [...block.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1]);
    expect(names.length).toBeGreaterThan(2);
    for (const name of names) expect(environmentNames()).toContain(name);
    expect(compose).toMatch(/--appendonly", "yes"/);
  });
});
