// The page: a nickname first, then the chat, with rooms and people beside it
// (or behind a button on a phone), files dropped or pasted anywhere on it.

import { useEffect, useReducer, useRef, useState } from "preact/hooks";
import { inert } from "../../protocol/render.js";
import type { ChatModel, Connection } from "../model/chat-model.js";
import { rememberedNick, rememberNick, Session } from "../session.js";
import { Composer, Transfers } from "./composer.js";
import { MessageLog } from "./message-log.js";
import { Conversations, People } from "./sidebars.js";

export function App() {
  const [session, setSession] = useState<Session | undefined>(undefined);
  if (session === undefined) {
    return (
      <NickPrompt
        onJoin={(nick) => {
          rememberNick(nick);
          const started = new Session(nick);
          started.start();
          setSession(started);
        }}
      />
    );
  }
  return <ChatScreen session={session} />;
}

function NickPrompt({ onJoin }: { onJoin: (nick: string) => void }) {
  const [nick, setNick] = useState(rememberedNick);
  return (
    <main class="prompt">
      <h1>sockchat</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (nick.trim() !== "") onJoin(nick.trim());
        }}
      >
        <label for="nick">Nickname</label>
        <input
          id="nick"
          // The first thing on the page, and the only thing to do there.
          autofocus
          autocomplete="nickname"
          maxLength={24}
          required
          value={nick}
          onInput={(event) => setNick(event.currentTarget.value)}
        />
        <button type="submit">Join the chat</button>
      </form>
    </main>
  );
}

type Panel = "none" | "conversations" | "people";

function ChatScreen({ session }: { session: Session }) {
  const model = session.model;
  useModel(model);
  const [panel, setPanel] = useState<Panel>("none");
  const [dragging, setDragging] = useState(0);
  const active = model.active;
  const unread = model.unread;

  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) sockchat` : "sockchat";
  }, [unread]);

  useEffect(() => {
    const pasted = (event: ClipboardEvent) => {
      const files = event.clipboardData?.files;
      if (files === undefined || files.length === 0) return;
      event.preventDefault();
      session.sendFiles(files);
    };
    const keys = (event: KeyboardEvent) => {
      if (event.key === "Escape") setPanel("none");
      if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
      // Alt+Up and Alt+Down go through the conversations.
      event.preventDefault();
      const convs = model.conversations;
      const shown = model.active;
      const at = shown === undefined ? -1 : convs.indexOf(shown);
      const next = convs[(at + (event.key === "ArrowUp" ? -1 : 1) + convs.length) % convs.length];
      if (next !== undefined) model.open(next.key);
    };
    // Files may be dropped anywhere on the page.
    const hasFiles = (event: DragEvent) => event.dataTransfer?.types.includes("Files") === true;
    const entered = (event: DragEvent) => {
      if (hasFiles(event)) setDragging((n) => n + 1);
    };
    const left = (event: DragEvent) => {
      if (hasFiles(event)) setDragging((n) => Math.max(0, n - 1));
    };
    const over = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer !== null) event.dataTransfer.dropEffect = "copy";
    };
    const dropped = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      setDragging(0);
      const files = event.dataTransfer?.files;
      if (files !== undefined) session.sendFiles(files);
    };
    const listeners = [
      ["paste", pasted],
      ["keydown", keys],
      ["dragenter", entered],
      ["dragleave", left],
      ["dragover", over],
      ["drop", dropped],
    ] as const;
    for (const [type, listener] of listeners) {
      document.addEventListener(type, listener as (event: Event) => void);
    }
    return () => {
      for (const [type, listener] of listeners) {
        document.removeEventListener(type, listener as (event: Event) => void);
      }
    };
  }, [session, model]);

  const toggle = (which: Panel) => setPanel(panel === which ? "none" : which);
  const picked = () => {
    setPanel("none");
    document.getElementById("message")?.focus();
  };

  return (
    <div class={`screen panel-${panel}${dragging > 0 ? " dragging" : ""}`}>
      <header class="top">
        <button
          type="button"
          class="toggle"
          aria-controls="conversations"
          aria-expanded={panel === "conversations"}
          onClick={() => toggle("conversations")}
        >
          Rooms{unread > 0 ? <span class="badge">{unread}</span> : null}
        </button>
        <div class="title">
          <h1>{active === undefined ? "sockchat" : inert(active.name)}</h1>
          {active?.kind === "room" ? (
            <p class="topic">
              {[
                active.members === undefined
                  ? ""
                  : `${active.members.size} ${active.members.size === 1 ? "member" : "members"}`,
                inert(active.topic),
              ]
                .filter((part) => part !== "")
                .join(" · ")}
            </p>
          ) : null}
        </div>
        <Status session={session} connection={model.connection} me={model.me} />
        <NotificationsButton />
        <button
          type="button"
          class="toggle"
          aria-controls="people"
          aria-expanded={panel === "people"}
          onClick={() => toggle("people")}
        >
          People
        </button>
      </header>
      <Conversations model={model} picked={picked} dismiss={() => setPanel("none")} />
      <main class="conversation">
        {active === undefined ? (
          <p class="empty">Connecting…</p>
        ) : (
          <MessageLog model={model} conv={active} />
        )}
        <Transfers model={model} />
        <Composer session={session} />
      </main>
      <People model={model} picked={picked} dismiss={() => setPanel("none")} />
      {dragging > 0 ? (
        <div class="drop-hint" aria-hidden="true">
          Drop to send to {active?.kind === "room" ? inert(active.name) : "the room"}
        </div>
      ) : null}
    </div>
  );
}

function Status({
  session,
  connection,
  me,
}: {
  session: Session;
  connection: Connection;
  me: string;
}) {
  let text: string;
  switch (connection.state) {
    case "connecting":
      text = "connecting…";
      break;
    case "connected":
      text = `connected as ${inert(me)}`;
      break;
    case "lost":
      text =
        connection.retryInMs === undefined
          ? `disconnected: ${connection.reason}`
          : `reconnecting in ${(connection.retryInMs / 1000).toFixed(1)} s: ${connection.reason}`;
      break;
    case "closed":
      text = `disconnected: ${connection.reason}`;
      break;
  }
  return (
    <p class={`status ${connection.state}`} role="status">
      {text}
      {connection.state === "closed" ? (
        <button type="button" onClick={() => session.start()}>
          Reconnect
        </button>
      ) : null}
    </p>
  );
}

/** Asks for permission to notify only when clicked, never on its own. */
function NotificationsButton() {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const asking = useRef(false);
  if (!("Notification" in window) || Notification.permission !== "default") return null;
  return (
    <button
      type="button"
      class="notify"
      onClick={() => {
        if (asking.current) return;
        asking.current = true;
        void Notification.requestPermission().finally(() => {
          asking.current = false;
          rerender(undefined);
        });
      }}
    >
      Enable notifications
    </button>
  );
}

/** Renders again whenever the model changes (Preact batches what changes in one turn). */
function useModel(model: ChatModel): void {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  useEffect(() => model.subscribe(() => rerender(undefined)), [model]);
}
