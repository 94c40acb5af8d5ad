// The server's console log, in the spirit of the original: who came and went,
// and (unless quiet) every public line, shown as clients show them: inert, and a
// line of its own for each line of a message, so no peer can forge a log line.

import type { ChatMessage } from "../protocol/messages.js";
import { inert, renderServerMessage } from "../protocol/render.js";
import {
  joinChannel,
  type LeaveEvent,
  leaveChannel,
  messageChannel,
  type PresenceEvent,
  type RenameEvent,
  renameChannel,
} from "./diagnostics.js";

export function startConsoleLog(options: {
  quiet: boolean;
  write: (line: string) => void;
}): () => void {
  const { write } = options;
  const onJoin = (e: unknown) => {
    const { nick, address } = e as PresenceEvent;
    write(`${inert(nick)} (${inert(address)}) connected`);
  };
  const onLeave = (e: unknown) => {
    const { nick, address, reason } = e as LeaveEvent;
    write(`${inert(nick)} (${inert(address)}) disconnected: ${inert(reason)}`);
  };
  const onRename = (e: unknown) => {
    const { from, to } = e as RenameEvent;
    write(`${inert(from)} is now known as ${inert(to)}`);
  };
  const onMessage = (e: unknown) => {
    for (const line of renderServerMessage(e as ChatMessage)) write(line);
  };
  joinChannel.subscribe(onJoin);
  leaveChannel.subscribe(onLeave);
  renameChannel.subscribe(onRename);
  if (!options.quiet) messageChannel.subscribe(onMessage);
  return () => {
    joinChannel.unsubscribe(onJoin);
    leaveChannel.unsubscribe(onLeave);
    renameChannel.unsubscribe(onRename);
    messageChannel.unsubscribe(onMessage);
  };
}
