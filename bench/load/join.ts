// Connecting a load process's clients, `concurrency` at a time, each join
// retried a few times.

import { dirname, join } from "node:path";
import type { Dial } from "../../src/client/byte-stream.js";
import { KnownHosts } from "../../src/client/node/known-hosts.js";
import { tcpDial } from "../../src/client/node/tcp-dial.js";
import { tlsDial } from "../../src/client/node/tls-dial.js";
import { websocketDial } from "../../src/client/node/websocket-dial.js";
import { WEBSOCKET_PATH } from "../../src/transport/websocket-upgrade.js";
import { FramePeer } from "./frame-peer.js";
import { IrcPeer } from "./irc-peer.js";
import type { LoadPlan } from "./messages.js";
import { HOST, type Peer, type PeerEvents } from "./peer.js";
import { SocketIoPeer } from "./socketio-peer.js";
import { TextPeer } from "./text-peer.js";

const ATTEMPTS = 3;
const ATTEMPT_TIMEOUT_MS = 60_000;

export function makePeer(plan: LoadPlan, index: number, events: PeerEvents): Peer {
  const nick = `${plan.nickPrefix}${index}`;
  switch (plan.protocol) {
    case "native":
      return new FramePeer(tcpDial(HOST, plan.port), nick, events, roomOf(plan, index));
    case "websocket": {
      const dial = websocketDial(`ws://${HOST}:${plan.port}${WEBSOCKET_PATH}`);
      return new FramePeer(dial, nick, events, roomOf(plan, index));
    }
    case "tls":
      return new FramePeer(serverTlsDial(plan), nick, events, roomOf(plan, index));
    case "socketio":
      return new SocketIoPeer(plan.port, nick, events);
    case "text":
      return new TextPeer(plan.port, nick, events, plan.silent ?? false);
    case "irc":
      return new IrcPeer(plan.port, nick, plan.channel, events);
  }
}

/** A TLS dial that trusts the server's own certificate, and nothing else, as `connect --ca` does. */
function serverTlsDial(plan: LoadPlan): Dial {
  const ca = plan.ca;
  if (ca === undefined) throw new Error("a tls load plan needs the server's certificate (ca)");
  // Never read: with a CA given, a certificate it does not vouch for is refused, not pinned.
  const knownHosts = new KnownHosts(join(dirname(ca.file), "known_hosts"));
  return tlsDial(HOST, plan.port, { ca, knownHosts });
}

/** The room client `index` joins besides the one everyone is in, if any (LoadPlan.rooms). */
export function roomOf(plan: LoadPlan, index: number): string | undefined {
  const rooms = plan.rooms ?? 0;
  return rooms > 0 ? `#room-${index % rooms}` : undefined;
}

/** Joins one peer, retrying a few times; a join that hangs counts as failed. */
async function joinOne<P extends Peer>(create: () => P): Promise<P> {
  for (let attempt = 1; ; attempt++) {
    const peer = create();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        peer.join(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error("join timed out")), ATTEMPT_TIMEOUT_MS);
        }),
      ]);
      return peer;
    } catch (error) {
      peer.close();
      if (attempt >= ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Joins every peer, `concurrency` at a time. */
export async function joinAll<P extends Peer>(
  plan: LoadPlan,
  create: (index: number) => P,
): Promise<P[]> {
  const peers: P[] = new Array(plan.clients);
  let next = 0;
  const lane = async () => {
    while (next < plan.clients) {
      const index = next++;
      peers[index] = await joinOne(() => create(index));
    }
  };
  await Promise.all(Array.from({ length: Math.min(plan.concurrency, plan.clients) }, lane));
  return peers;
}
