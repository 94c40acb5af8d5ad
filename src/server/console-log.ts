// The server's console log, in the spirit of the original: who came and went,
// and (unless quiet) every public line.

import type { ChatMessage } from "../protocol/messages.js";
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
    write(`${nick} (${address}) connected`);
  };
  const onLeave = (e: unknown) => {
    const { nick, address, reason } = e as LeaveEvent;
    write(`${nick} (${address}) disconnected: ${reason}`);
  };
  const onRename = (e: unknown) => {
    const { from, to } = e as RenameEvent;
    write(`${from} is now known as ${to}`);
  };
  const onMessage = (e: unknown) => {
    const m = e as ChatMessage;
    write(m.kind === "action" ? `* ${m.from} ${m.text}` : `<${m.from}> ${m.text}`);
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
