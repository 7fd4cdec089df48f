import { Clock } from '../../src/common/time/clock.js';

export class FakeClock extends Clock {
  constructor(private current = Date.UTC(2026, 10, 21, 12, 0, 0)) {
    super();
  }

  nowMs(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
