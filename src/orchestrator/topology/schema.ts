// JSON Schema of a topology file (validated with ajv). Cross-field rules (port clashes, quorum, cluster
// shape) live in validate.ts, where they can name both sides of a conflict.

const NAME = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';

const directiveValue = { type: ['string', 'number', 'boolean'] } as const;

/** redis.conf directives as a map: `maxmemory: 100mb`; a list repeats the directive. */
const directives = {
  type: 'object',
  propertyNames: { pattern: '^[a-z][a-z0-9-]*$' },
  additionalProperties: {
    anyOf: [directiveValue, { type: 'array', items: directiveValue, minItems: 1 }],
  },
} as const;

const port = { type: 'integer', minimum: 1, maximum: 65535 } as const;
const host = { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9.:-]+$' } as const;

const dataNode = {
  type: 'object',
  additionalProperties: false,
  required: ['port'],
  properties: {
    name: { type: 'string', pattern: NAME },
    port,
    host,
    role: { enum: ['master', 'replica'] },
    replicaof: { type: 'string', pattern: NAME },
    config: directives,
  },
} as const;

const sentinelNode = {
  type: 'object',
  additionalProperties: false,
  required: ['port'],
  properties: { name: { type: 'string', pattern: NAME }, port, host, config: directives },
} as const;

export const topologySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'kind'],
  properties: {
    name: { type: 'string', pattern: NAME },
    kind: { enum: ['standalone', 'master-replica', 'sentinel', 'cluster'] },
    description: { type: 'string' },
    engine: { enum: ['builtin', 'redis', 'valkey'] },
    host,
    hosts: { type: 'array', items: host, minItems: 1 },
    'base-port': port,
    masters: { type: 'integer', minimum: 1, maximum: 1000 },
    replicas: { type: 'integer', minimum: 0, maximum: 1000 },
    nodes: { type: 'array', items: dataNode, minItems: 1 },
    config: directives,
    failover: { enum: ['promote', 'manual'] },
    // A word (none | rdb | aof | aof-always), or the detailed form.
    persistence: {
      anyOf: [
        { enum: ['none', 'rdb', 'aof', 'aof-always'] },
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            rdb: {
              anyOf: [
                { type: 'boolean' },
                { type: 'array', minItems: 1, items: { type: 'string', pattern: '^\\d+ \\d+$' } },
              ],
            },
            aof: { type: 'boolean' },
            appendfsync: { enum: ['always', 'everysec', 'no'] },
          },
        },
      ],
    },
    auth: {
      type: 'object',
      additionalProperties: false,
      properties: {
        requirepass: { type: 'string', minLength: 1 },
        masterauth: { type: 'string', minLength: 1 },
      },
    },
    sentinel: {
      type: 'object',
      additionalProperties: false,
      properties: {
        'master-name': { type: 'string', pattern: NAME },
        quorum: { type: 'integer', minimum: 1 },
        'down-after-milliseconds': { type: 'integer', minimum: 1 },
        'failover-timeout': { type: 'integer', minimum: 1 },
        'parallel-syncs': { type: 'integer', minimum: 1 },
        count: { type: 'integer', minimum: 1, maximum: 100 },
        'base-port': port,
        nodes: { type: 'array', items: sentinelNode, minItems: 1 },
        config: directives,
      },
    },
    cluster: {
      type: 'object',
      additionalProperties: false,
      properties: {
        replicas: { type: 'integer', minimum: 0, maximum: 100 },
        'node-timeout': { type: 'integer', minimum: 100 },
        'allow-small': { type: 'boolean' },
      },
    },
  },
} as const;
