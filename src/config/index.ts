export { appConfig, publicUrlOf } from './app.config.js';
export { AppConfigModule } from './app-config.module.js';
export { CONFIG_SECTIONS, Environment, EnvironmentError, environmentNames, validateEnvironment } from './environment.js';
