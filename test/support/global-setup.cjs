// Runs once before all suites: builds the client SDK when its build is missing (the demo page
// serves it; `npm test` builds it anyway), and says loudly when the Redis suites cannot run.
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');

module.exports = async () => {
  if (!existsSync(join(ROOT, 'packages', 'client', 'dist', 'index.js'))) {
    execFileSync('npm', ['run', 'build', '-w', '@phone-auth/client'], { cwd: ROOT, stdio: 'inherit' });
  }
  let found = true;
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    found = false;
  }
  if (found) return;
  if (process.env.REQUIRE_REDIS === '1') {
    throw new Error('REQUIRE_REDIS=1 but no redis-server binary is on PATH (apt-get install -y redis-server)');
  }
  process.stderr.write(
    '\n\n*** redis-server is not on PATH: every Redis suite is SKIPPED. Install it (apt-get install -y redis-server) ***\n\n',
  );
};
