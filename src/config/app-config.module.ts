import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, registerAs } from '@nestjs/config';
import { CONFIG_SECTIONS, type Environment } from './environment.js';

/**
 * Every module's config namespace, derived from one environment validated before the app is
 * built (main.ts, or a test's settings object). Nothing here reads process.env.
 */
@Module({})
export class AppConfigModule {
  static forRoot(env: Environment): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          skipProcessEnv: true,
          load: CONFIG_SECTIONS.map((section) => registerAs(section.namespace, () => section(env))),
        }),
      ],
    };
  }
}
