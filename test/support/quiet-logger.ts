import { Logger } from '@nestjs/common';

// Nest's default logger writes coloured lines straight to stdout, in between Jest's PASS lines,
// for every unit spec that builds a service with a `new Logger(...)`. Tests that read log lines
// capture them instead: apps from startTestApp get a CapturingLogger (which replaces this for
// that app), and specs spy on Logger.prototype, which works with the output switched off.
// TEST_LOGS=1 keeps the lines, to read while debugging a test.
if (process.env.TEST_LOGS !== '1') Logger.overrideLogger(false);
