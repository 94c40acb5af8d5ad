// Accepts TCP connections and hands each to the server as a Connection.

import { type AddressInfo, createServer, type Server } from "node:net";
import type { Connection } from "./connection.js";
import { TcpConnection, type TcpConnectionOptions } from "./tcp-connection.js";

export interface TcpListenOptions extends TcpConnectionOptions {
  host: string;
  port: number;
}

export interface TcpListener {
  readonly address: AddressInfo;
  close(): Promise<void>;
}

export function listenTcp(
  options: TcpListenOptions,
  accept: (connection: Connection) => void,
): Promise<TcpListener> {
  const server: Server = createServer({ noDelay: true }, (socket) => {
    accept(new TcpConnection(socket, options));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve({
        address: server.address() as AddressInfo,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
