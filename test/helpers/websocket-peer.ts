// A native client over the chat port's WebSocket, from Node: the client core
// over the `ws` package's client (src/client/node/websocket-dial.ts), as a
// browser's page runs it over its own.

import { ChatClient } from "../../src/client/chat-client.js";
import { websocketDial } from "../../src/client/node/websocket-dial.js";
import type { ServerMessage } from "../../src/protocol/messages.js";

export interface WebSocketPeer {
  readonly client: ChatClient;
  readonly received: ServerMessage[];
  waitFor(match: (m: ServerMessage) => boolean): Promise<ServerMessage>;
}

export async function websocketPeer(port: number, nick: string): Promise<WebSocketPeer> {
  const client = new ChatClient({
    dial: websocketDial(`ws://127.0.0.1:${port}/chat`, { origin: `http://127.0.0.1:${port}` }),
    nick,
    clientName: "test-browser",
  });
  const received: ServerMessage[] = [];
  const waiters: { match: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] =
    [];
  client.on("server", (m) => {
    received.push(m);
    for (const waiter of waiters.filter((w) => w.match(m))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(m);
    }
  });
  await client.connect();
  return {
    client,
    received,
    waitFor(match) {
      const seen = received.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}
