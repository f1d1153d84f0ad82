// Redis's error texts, shared by every family so they never drift apart.
export const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
export const NOT_INTEGER = 'ERR value is not an integer or out of range';
export const NOT_FLOAT = 'ERR value is not a valid float';
export const SYNTAX = 'ERR syntax error';
export const NO_SUCH_KEY = 'ERR no such key';
export const OVERFLOW = 'ERR increment or decrement would overflow';
export const INVALID_EXPIRE = (cmd: string) => `ERR invalid expire time in '${cmd}' command`;
export const OUT_OF_RANGE = 'ERR index out of range';
