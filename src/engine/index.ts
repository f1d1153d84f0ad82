// The engine as a library: start a Redis-compatible server in this process (tests, embedding).
export { startServer } from './start.js';
export { Server } from './server.js';
export { Config, loadServerConfig, parseServerArgs, ConfigError } from './config.js';
export { DIRECTIVES, type Directive } from './config-directives.js';
