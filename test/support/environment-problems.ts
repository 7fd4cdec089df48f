import { EnvironmentError, validateEnvironment } from '../../src/config/environment.js';

/** What validateEnvironment() refuses in `raw`, every problem in its order; [] when it boots. */
export function environmentProblems(raw: Record<string, string>): string[] {
  try {
    validateEnvironment(raw);
  } catch (error) {
    if (error instanceof EnvironmentError) return error.problems;
    throw error;
  }
  return [];
}
