// Runs once before all suites: says loudly when the Redis suites cannot run.
const { execFileSync } = require('node:child_process');

module.exports = async () => {
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
