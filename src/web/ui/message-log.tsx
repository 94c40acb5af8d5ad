// A conversation's lines: it stays at the newest line while the reader is
// there, keeps its place when older lines come in above, and asks for older
// ones when scrolled to its top (or with the button there, for the keyboard).

import { useLayoutEffect, useRef } from "preact/hooks";
import { formatBytes, inert } from "../../protocol/render.js";
import type { ChatModel, SharedFile } from "../model/chat-model.js";
import type { Conversation, Line } from "../model/conversation.js";
import { clockTime, fileUrl } from "../model/format.js";
import type { Placed } from "../model/message-list.js";

/** Within this many pixels of the top, older lines are asked for. */
const NEAR_TOP_PX = 48;
/** Within this many pixels of the bottom, the log follows new lines. */
const NEAR_BOTTOM_PX = 24;

export function MessageLog({ model, conv }: { model: ChatModel; conv: Conversation }) {
  const box = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const shown = useRef({ key: "", first: "", height: 0 });
  const entries = conv.lines.entries;
  const first = entries[0]?.key ?? "";
  const loading = model.loadingOlder(conv.key);

  useLayoutEffect(() => {
    const element = box.current;
    if (element === null) return;
    const before = shown.current;
    if (before.key !== conv.key) following.current = true;
    if (following.current) element.scrollTop = element.scrollHeight;
    else if (before.key === conv.key && before.first !== first) {
      // Older lines came in above: what was being read stays where it was.
      element.scrollTop += element.scrollHeight - before.height;
    }
    shown.current = { key: conv.key, first, height: element.scrollHeight };
  });

  const scrolled = () => {
    const element = box.current;
    if (element === null) return;
    following.current =
      element.scrollTop + element.clientHeight >= element.scrollHeight - NEAR_BOTTOM_PX;
    shown.current.height = element.scrollHeight;
    if (element.scrollTop < NEAR_TOP_PX) model.loadOlder(conv.key);
  };

  return (
    <div class="log" ref={box} onScroll={scrolled}>
      {conv.more === false ? (
        <p class="log-start">The start of {inert(conv.name)}</p>
      ) : (
        <button
          type="button"
          class="older"
          disabled={loading}
          onClick={() => model.loadOlder(conv.key)}
        >
          {loading ? "Loading older messages…" : "Load older messages"}
        </button>
      )}
      <div role="log" aria-label={`Chat in ${conv.name}`}>
        <ol class="lines">
          {entries.map((entry) => (
            <LineItem key={entry.key} entry={entry} model={model} />
          ))}
        </ol>
      </div>
    </div>
  );
}

function LineItem({ entry, model }: { entry: Placed<Line>; model: ChatModel }) {
  const line = entry.item;
  switch (line.kind) {
    case "chat":
      return <ChatLine line={line} />;
    case "event":
      return (
        <li class={`line event ${line.tone}`}>
          <Time ts={line.ts} /> <span class="text">{line.text}</span>
        </li>
      );
    case "file": {
      const file = model.file(line.fileId);
      return file === undefined ? null : <FileLine ts={line.ts} file={file} />;
    }
    case "file-list":
      return (
        <li class="line event info">
          <Time ts={line.ts} />{" "}
          {line.files.length === 0 ? (
            <span class="text">* no shared files</span>
          ) : (
            <span class="text">
              * {line.total} shared {line.total === 1 ? "file" : "files"}
              {line.total > line.files.length ? `, the newest ${line.files.length}` : ""}:
              <ul class="file-list">
                {line.files.map((file) => (
                  <li key={file.id}>
                    <a href={fileUrl(file.id, file.name)} download={file.name}>
                      {inert(file.name)}
                    </a>{" "}
                    <span class="meta">
                      {formatBytes(file.size)} from {inert(file.from)} [file {file.id}]
                    </span>
                  </li>
                ))}
              </ul>
            </span>
          )}
        </li>
      );
  }
}

function ChatLine({ line }: { line: Extract<Line, { kind: "chat" }> }) {
  const classes = [
    "line",
    "chat",
    line.style,
    line.own ? "own" : "",
    line.mention ? "mention" : "",
    line.replayed ? "replayed" : "",
    line.status === "sending" || line.status === "failed" ? line.status : "",
  ].join(" ");
  const from = inert(line.from);
  const text = line.text.split("\n").map(inert).join("\n");
  return (
    <li class={classes}>
      <Time ts={line.ts} /> <span class={`nick ${nickClass(line.from)}`}>&lt;{from}&gt;</span>{" "}
      {/* An action is said by its sender: it must not read as the server's "* …" notices. */}
      <span class="text">{line.style === "action" ? <em>*{text}*</em> : text}</span>
      {line.status === "sending" ? <span class="state"> sending…</span> : null}
      {line.status === "failed" ? (
        <span class="state problem"> not sent: {inert(line.problem)}</span>
      ) : null}
    </li>
  );
}

function FileLine({ ts, file }: { ts: number; file: SharedFile }) {
  const name = inert(file.name);
  const linked = file.status === "arriving" || file.status === "verified";
  const state =
    file.status === "verified"
      ? "SHA-256 verified"
      : file.status === "arriving"
        ? "arriving…"
        : `${file.status}${file.reason === "" ? "" : `: ${inert(file.reason)}`}`;
  return (
    <li class={`line file ${file.status}`}>
      <Time ts={ts} />{" "}
      <span class={`nick ${nickClass(file.from)}`}>&lt;{inert(file.from)}&gt;</span>{" "}
      <span class="text">
        shared{" "}
        {linked ? (
          <a href={fileUrl(file.id, file.name)} download={file.name}>
            {name}
          </a>
        ) : (
          <span class="file-name">{name}</span>
        )}{" "}
        <span class="meta">
          ({formatBytes(file.size)}, {state}
          {file.sha256 === "" ? null : (
            <>
              : <span class="digest">{file.sha256}</span>
            </>
          )}
          )
        </span>
      </span>
    </li>
  );
}

function Time({ ts }: { ts: number }) {
  return <time dateTime={new Date(ts).toISOString()}>{clockTime(ts)}</time>;
}

const NICK_CLASSES = 8;

/** One of a few colours per nickname, the same on every page. */
export function nickClass(nick: string): string {
  let hash = 0;
  for (const char of nick.toLowerCase()) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return `nick-${hash % NICK_CLASSES}`;
}
