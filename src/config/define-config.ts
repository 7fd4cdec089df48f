import { getConfigToken } from '@nestjs/config';
import type { Environment } from './environment.js';

/**
 * One module's configuration: the class of the environment variables it reads (validated with
 * class-validator), the rules that span several settings, and the typed namespace the module
 * injects with `@Inject(x.KEY) config: ConfigType<typeof x>`.
 */
export interface ConfigSection<E extends object = object, T = unknown> {
  /** Derives the namespace from the validated environment; called once per boot. */
  (env: Environment): T;
  /** The injection token, the same as `registerAs(namespace, ...).KEY`. */
  readonly KEY: string;
  readonly namespace: string;
  /** The module's environment variables: their types, defaults and checks. */
  readonly variables: new () => E;
  /** Problems that no single variable shows (several settings together, files, keys). */
  readonly rules: (env: Environment) => string[];
}

export function defineConfig<E extends object, T>(
  namespace: string,
  variables: new () => E,
  derive: (env: Environment) => T,
  rules: (env: Environment) => string[] = () => [],
): ConfigSection<E, T> {
  const section = (env: Environment) => derive(env);
  return Object.assign(section, { KEY: getConfigToken(namespace), namespace, variables, rules });
}
