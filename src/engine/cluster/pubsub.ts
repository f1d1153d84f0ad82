// Pub/sub across the cluster bus, as Redis's clusterPropagatePublish / clusterPropagatePublishShard:
// a PUBLISH reaches the subscribers of every node, an SPUBLISH those of every node of the publisher's
// shard (its master and that master's replicas). The messages are Redis's PUBLISH / PUBLISHSHARD, so
// redis-server nodes of a mixed cluster send and receive them too.
import type { Cluster } from './cluster.js';
import type { BusMsg } from './wire.js';
import { pubsubOf } from '../pubsub/registry.js';
import { keyBuf } from '../store/types.js';
import { keyHashSlot } from './crc16.js';

export function clusterPublish(cl: Cluster, channel: Buffer, message: Buffer): void {
  cl.broadcast('publish', { channel, message });
}

export function clusterPublishShard(cl: Cluster, channel: Buffer, message: Buffer): void {
  const me = cl.state.myself;
  const master = me.isMaster ? me : me.master;
  if (!master) return;
  cl.broadcast('publishshard', { channel, message }, (n) => n === master || n.master === master);
}

/** A PUBLISH / PUBLISHSHARD from a known node: delivered to this node's own subscribers. */
export function onBusPublish(cl: Cluster, msg: BusMsg): void {
  const { channel, message } = msg;
  if (!channel || !message) return;
  const reg = pubsubOf(cl.srv);
  if (msg.type === 'publish') reg.publish(channel, message);
  else reg.spublish(channel, message);
}

/**
 * When a slot leaves this node's shard, its shard channels' subscribers here are unsubscribed and told
 * so (an `sunsubscribe` push each), as Redis 7.0's removeChannelsInSlot.
 */
export function dropShardChannelsOnSlotLoss(cl: Cluster): void {
  cl.state.onSlotLeftShard = (slot) => {
    const reg = pubsubOf(cl.srv);
    for (const [name, subs] of [...reg.shardChannels]) {
      const channel = keyBuf(name);
      if (keyHashSlot(channel) !== slot) continue;
      for (const c of [...subs]) {
        reg.remove('shard', c, name);
        c.reply.push(3);
        c.reply.bulk('sunsubscribe');
        c.reply.bulk(channel);
        c.reply.int(c.shardChannels.size);
        cl.srv.scheduleFlush(c);
      }
    }
  };
}
