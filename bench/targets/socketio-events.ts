// What the bench's Socket.IO chat says, shared by its server and its clients:
// a line said is acknowledged to its sender and broadcast to the room as a
// "message".

/** The one room everyone is in. */
export const SOCKETIO_ROOM = "bench";

export interface ChatLine {
  from: string;
  text: string;
  /** When the server took it, ms since the epoch: a sockchat message carries its time too. */
  at: number;
}

export interface ServerToClient {
  message: (line: ChatLine) => void;
}

export interface ClientToServer {
  say: (text: string, ack: () => void) => void;
}

/** Sent in the handshake (`auth`). */
export interface SocketIoAuth {
  nick: string;
}
