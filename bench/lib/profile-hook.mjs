// Preloaded into the service (node --import) when BENCH_PROFILE=1: the same V8 sampling
// profiler as `node --cpu-prof`, switched on and off by SIGUSR2 so that each benchmark case's
// timed run gets a profile of its own. The file is named by BENCH_PROFILE_DIR/.label.
import { Session } from 'node:inspector';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.BENCH_PROFILE_DIR;
const session = new Session();
session.connect();
const post = (method, params = {}) =>
  new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));

let running = false;
process.on('SIGUSR2', () => {
  void (async () => {
    if (!running) {
      running = true;
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 200 });
      await post('Profiler.start');
      writeFileSync(join(dir, '.started'), String(Date.now()));
    } else {
      const { profile } = await post('Profiler.stop');
      running = false;
      let label = 'profile';
      try {
        label = readFileSync(join(dir, '.label'), 'utf8').trim() || label;
      } catch {}
      writeFileSync(join(dir, `${label}.cpuprofile`), JSON.stringify(profile));
      writeFileSync(join(dir, '.stopped'), label);
    }
  })();
});
