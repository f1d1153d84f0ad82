// The Redis version the engine is wire-compatible with (reported as redis_version, so clients and
// tools pick the right dialect) and the engine's own version (reported as kvctl_engine_version).
export const REDIS_COMPAT_VERSION = '7.0.15';
export const ENGINE_VERSION = '0.1.0';
